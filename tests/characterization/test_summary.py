"""The dashboard's pre-aggregated summary (app/characterization/summary.py): every figure it gives
equals the one counted from the profile records, after every kind of write; a write that bypasses
the writers switches it off until rebuilt; a batch's update of it reveals no row and no order."""

from __future__ import annotations

import itertools
import random
from datetime import date

from sqlalchemy import event, insert, select, update

from app.characterization import buffer, commands, dashboard, demo, disclosure, queries, summary
from app.characterization.models import Profile, ProfileDisability, ProfileSummary
from app.characterization.queries import NO_ANSWER, Filters
from app.core.db import random_id

VARIABLES = dashboard.SUMMARY_VARIABLES


def _records_only(app, fn):
    app.config["PARTICIPA_PROFILE_SUMMARY"] = False
    try:
        return fn()
    finally:
        app.config["PARTICIPA_PROFILE_SUMMARY"] = True


def _views() -> list[tuple[str, Filters, tuple]]:
    """(query, filters, arguments) of the views the summary answers: every total with no filter,
    per capability, with one group filter (a "no answer" one too) or a disability type; cross-tabs."""
    out = [
        ("all_totals", Filters(), ()),
        ("all_totals", Filters(capability="events"), ()),
        ("all_totals", Filters(where={"sex": "2"}), ()),
        ("all_totals", Filters(where={"victim": NO_ANSWER}), ()),
        ("all_totals", Filters(where={"disability": "1"}), ()),
        ("all_totals", Filters(disability_type="02"), ()),
        ("disability_types", Filters(), ()),
        ("disability_types", Filters(where={"zone": "1"}), ()),
        ("total", Filters(), ()),
        ("total", Filters(where={"sex": "2", "zone": "1"}), ()),
        ("total", Filters(capability="surveys", where={"sex": "1"}, disability_type="02"), ()),
    ]
    pairs = (
        ("sex", "life_course"),
        ("territory", "zone"),
        ("capability", "ethnicity"),
        ("victim", "disability"),
    )
    for a, b in pairs:
        out.append(("crosstab", Filters(), (a, b)))
        out.append(("crosstab", Filters(capability="events"), (a, b)))
    return out


def _run(query: str, filters: Filters, args: tuple, keyed: bool = True):
    if query == "all_totals":
        return queries.all_totals(VARIABLES, filters, keyed=keyed)
    if query == "disability_types":
        return queries.disability_types(filters, keyed=keyed)
    if query == "total":
        return queries.total(filters, keyed=keyed)
    return queries.crosstab(*args, filters, keyed=keyed)


def assert_summary_equals_records(app):
    """Every view the summary answers gives, from it, exactly the counts and cell keys of the records."""
    assert summary.current(), "a writer did not keep the summary up to date"
    for query, filters, args in _views():
        group = {
            "all_totals": (VARIABLES[1],),
            "disability_types": (summary.MULTI,),
            "total": (),
            "crosstab": args,
        }[query]
        assert summary.usable(filters, group), (query, filters)
        for keyed in (True, False):
            from_summary = _run(query, filters, args, keyed)
            from_records = _records_only(app, lambda q=query, f=filters, a=args, k=keyed: _run(q, f, a, k))
            assert from_summary == from_records, (query, filters, args, keyed)


def _answers(rng) -> dict:
    return {
        "life_course": rng.choice(["JU", "AT", "VE", None]),
        "sex": rng.choice(["1", "2", None]),
        "ethnicity": rng.choice(["1", "6", None]),
        "victim": rng.choice(["1", "3", None]),
        "zone": rng.choice(["1", "3"]),
        "territory": rng.choice(["01", "50", None]),
        "disability": rng.choice([[], ["02"], ["02", "05"], ["08"]]),
    }


def _put(rng, n: int, context: commands.Context) -> None:
    for _ in range(n):
        buffer.put_profile(commands.build_profile(_answers(rng), context))


def test_every_kind_of_write_keeps_the_summary_equal_to_the_records(app, db, catalogs):
    rng = random.Random(7)
    assert_summary_equals_records(app)  # empty

    _put(rng, 12, commands.Context("events", 1))  # buffer batches
    _put(rng, 6, commands.Context("surveys", 3, channel="paper"))
    assert buffer.flush(max_age=0) == 18
    assert_summary_equals_records(app)

    _put(rng, 2, commands.Context("events", 1))  # a late small batch topped up by re-writes
    assert buffer.flush(max_age=0) == 2
    assert_summary_equals_records(app)

    assert demo.demo_profiles(300) == 300  # the demo loader
    assert_summary_equals_records(app)

    profile = commands.build_profile(_answers(rng) | {"disability": ["02"]}, commands.Context("surveys", 9))
    db.session.add(profile)  # through the ORM, as a survey answer that points to its profile
    db.session.commit()
    assert_summary_equals_records(app)
    db.session.delete(db.session.get(Profile, profile.id))  # an ORM delete (its disability rows go too)
    db.session.commit()
    assert_summary_equals_records(app)

    from app.core import retention

    retention.run_purge()  # the scheduled purge (profiles are unlinkable: it never touches them)
    assert_summary_equals_records(app)


def test_a_write_that_bypasses_the_writers_switches_the_summary_off_until_rebuilt(app, db, catalogs):
    rng = random.Random(8)
    _put(rng, 10, commands.Context("events", 1))
    buffer.flush(max_age=0)
    assert summary.current()
    key = disclosure.new_record_key()
    row = {
        "id": random_id(),
        "capability": "events",
        "object_id": "1",
        "on_date": date(2026, 3, 1),
        "channel": "web",
        "sex": "2",
        "record_key": key,
    }
    db.session.execute(insert(Profile.__table__), [row])  # a bulk load, bypassing the writers
    db.session.execute(
        insert(ProfileDisability.__table__), [{"profile_id": row["id"], "code": "02", "record_key": key}]
    )
    db.session.commit()
    assert not summary.current() and not summary.usable(Filters())
    records = _records_only(app, lambda: queries.all_totals(VARIABLES, Filters(), keyed=True))
    assert queries.all_totals(VARIABLES, Filters(), keyed=True) == records  # counted from the records
    assert queries.total(Filters()) == 11

    summary.rebuild()
    assert_summary_equals_records(app)

    fix = update(Profile.__table__).where(Profile.id == row["id"]).values(sex="1")
    db.session.execute(fix)  # a manual fix
    db.session.commit()
    assert not summary.current()
    counted = _records_only(app, lambda: queries.totals("sex", Filters()))
    assert queries.totals("sex", Filters())["1"] == counted["1"]
    summary.rebuild()
    assert_summary_equals_records(app)


def test_protected_and_exact_dashboards_are_the_same_from_the_summary(app, db, catalogs):
    """Analysts get the same protected figures (same noise, same markers, same refusals) and the
    steward the same exact figures, whether the summary or the records answer."""
    demo.demo_profiles(400)
    protected, exact = disclosure.Viewer(exact=False, k=5), disclosure.Viewer(exact=True, k=5)

    def dashboards():
        out = []
        for viewer in (protected, exact):
            for filters in (Filters(), Filters(capability="events"), Filters(where={"sex": "2"})):
                out.append([(t.variable, t.rows, t.total) for t in dashboard.summary(filters, viewer)])
                table = dashboard.crosstab("territory", "zone", filters, viewer).table
                out.append((table.cells, table.row_totals, table.col_totals, table.total))
        return out

    with app.test_request_context():
        assert dashboards() == _records_only(app, dashboards)
        steward = dashboard.summary(Filters(), exact)
        sexes = next(t for t in steward if t.variable == "sex")
        counted = _records_only(app, lambda: queries.totals("sex", Filters()))
        shown = {r["code"]: r["value"] for r in sexes.rows if r["value"]}
        assert shown == {c: n for c, n in counted.items() if n}
        assert sexes.total == sum(counted.values()) == queries.total(Filters())


def test_a_batch_updates_the_summary_with_counts_only_whatever_the_order_of_its_rows(app, db):
    """The summary's rows carry no id, date or object, and the statements a batch writes to it are
    the same whatever order its profiles came in: they show the batch's counts per cell (which its
    own rows already show), never which row is which or in what order they arrived."""
    assert {c.name for c in ProfileSummary.__table__.columns} == {
        "capability",
        "var_a",
        "code_a",
        "var_b",
        "code_b",
        "n",
        "key_sum",
    }
    rng = random.Random(9)
    items = [
        buffer.item_from(commands.build_profile(_answers(rng), commands.Context("events", 1)), [])
        for _ in range(5)
    ]
    for i, item in enumerate(items):
        item["disabilities"] = ["02", "05"] if i % 2 else ["08"]
    seen = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if statement.startswith("INSERT INTO profile_summary ") and seen:
            seen[-1].append((statement, repr(parameters)))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for order in itertools.islice(itertools.permutations(range(5)), 0, 120, 37):
            db.session.execute(ProfileDisability.__table__.delete())
            db.session.execute(Profile.__table__.delete())
            db.session.commit()
            summary.reset(db.session.connection())
            db.session.commit()
            seen.append([])
            batch = [items[i] | {"profile": dict(items[i]["profile"])} for i in order]
            assert buffer._write_batch(batch, 5) == 5
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(seen) >= 3 and all(s == seen[0] for s in seen) and seen[0]
    assert not any(item["profile"]["id"] in seen[0][0][1] for item in items)
    one_way = select(ProfileSummary.n).where(ProfileSummary.var_a == "sex", ProfileSummary.var_b == "")
    assert db.session.scalar(one_way.limit(1)) is not None
