"""Narrow views (two or more intersection filters, e.g. women × rural × victims) are counted in one
pass over their records (`summary.count_narrow`) instead of one GROUP BY per variable. The fast
path must not change a single published figure: every count and cell key equals the one the
earlier path gives (so the noise, the markers and the refusals are the same), the same cell reached
through any view gets the same figure, and nothing depends on the order the rows were written."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest
from sqlalchemy import delete, select

from app.characterization import dashboard, demo, disclosure, queries, summary
from app.characterization.models import Profile, ProfileDisability
from app.characterization.queries import NO_ANSWER, Filters
from app.core.db import random_id

VARIABLES = dashboard.SUMMARY_VARIABLES
PROTECTED = disclosure.Viewer(exact=False, k=5)
EXACT = disclosure.Viewer(exact=True, k=5)


def _before(app, fn):
    """`fn` run the way narrow views were counted before the one-pass path."""
    app.config["PARTICIPA_NARROW_VIEWS"] = False
    try:
        return fn()
    finally:
        app.config["PARTICIPA_NARROW_VIEWS"] = True


def _odd_profiles(n: int, seed: int) -> list[dict]:
    """Profiles the demo loader does not make: several disability types, disability rows whose key
    differs from their profile's (a writer that left it out), codes outside the catalogs."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        key = rng.randrange(256)
        out.append(
            {
                "profile": {
                    "id": random_id(),
                    "capability": rng.choice(["events", "surveys"]),
                    "object_id": str(rng.randint(1, 3)),
                    "on_date": date(2026, 3, rng.randint(1, 28)),
                    "channel": rng.choice(["web", "paper"]),
                    "sex": rng.choice(["2", "2", "1", None]),
                    "zone": rng.choice(["1", "3", "3"]),
                    "victim": rng.choice(["1", "1", "3", None]),
                    "ethnicity": rng.choice(["6", "5", "ZZ", None]),
                    "has_disability": rng.choice([True, True, False, None]),
                    "territory": rng.choice(["01", "50", None]),
                    "life_course": rng.choice(["JU", "AT", None]),
                    "record_key": key,
                },
                "disabilities": [
                    {"code": c, "record_key": rng.choice([key, rng.randrange(256)])}
                    for c in rng.sample(["01", "02", "05"], rng.randint(0, 3))
                ],
            }
        )
    return out


def _store(db, profiles: list[dict]) -> None:
    """Through the ORM, as a survey answer that points to its profile (the summary's hook follows)."""
    for item in profiles:
        profile = Profile(**item["profile"])
        profile.disabilities = [ProfileDisability(**d) for d in item["disabilities"]]
        db.session.add(profile)
    db.session.commit()


@pytest.fixture
def data(app, db, catalogs):
    assert demo.demo_profiles(1500) == 1500
    _store(db, _odd_profiles(120, seed=5))
    assert summary.current()


def _narrow_filters() -> list[Filters]:
    """Two-way and three-way filters (with and without a context, a date, a disability type, a
    "no answer" code, an exclusion), and views that catch nothing or a handful of records."""
    return [
        Filters(where={"sex": "2", "zone": "3"}),
        Filters(where={"sex": "2", "zone": "3", "victim": "1"}),
        Filters(where={"sex": "2", "zone": "3", "victim": "1", "ethnicity": "6"}),
        Filters(capability="events", where={"sex": "2", "zone": "1"}),
        Filters(where={"victim": NO_ANSWER, "disability": "1"}),
        Filters(where={"disability": "0", "life_course": "AT", "territory": "50"}),
        Filters(where={"sex": "2"}, disability_type="02"),
        Filters(where={"sex": "2", "zone": "3"}, disability_type="05"),
        Filters(where={"ethnicity": "ZZ", "sex": "2"}),
        Filters(where={"sex": "3", "victim": "2", "zone": "2"}),  # few or none
        Filters(capability="surveys", object_id="2", where={"sex": "2", "victim": "1"}),
        Filters(date_from=date(2026, 3, 5), date_to=date(2026, 3, 20), where={"zone": "3", "victim": "1"}),
    ]


def _every_query(filters: Filters, keyed: bool) -> dict:
    out = {
        "all_totals": queries.all_totals(VARIABLES, filters, keyed=keyed),
        "disability_types": queries.disability_types(filters, keyed=keyed),
        "total": queries.total(filters, keyed=keyed),
        "subterritory": queries.totals("subterritory", filters, keyed=keyed),
    }
    for variable in ("sex", "territory", "capability", "channel", "disability"):
        out[variable] = queries.totals(variable, filters, keyed=keyed)
    for a, b in (("sex", "life_course"), ("territory", "zone"), ("victim", "disability")):
        out[(a, b)] = queries.crosstab(a, b, filters, keyed=keyed)
    return out


def _published(filters: Filters) -> list:
    """What the dashboard and the table export show for a view, for the analyst and the steward
    (the refusal of a view over fewer than k records included)."""
    out = []
    for viewer in (PROTECTED, EXACT):
        try:
            tables = dashboard.summary(filters, viewer)
            out.append([(t.variable, t.rows, t.total) for t in tables])
        except disclosure.ViewRefused:
            out.append("refused")
        try:
            out.append(dashboard.check_view(filters, viewer))
        except disclosure.ViewRefused:
            out.append("refused")
        table = dashboard.crosstab("territory", "zone", filters, viewer).table
        out.append((table.cells, table.row_totals, table.col_totals, table.total))
    return out


def test_narrow_views_give_the_counts_keys_and_figures_of_the_earlier_path(app, data):
    """Every query behind a narrow view (totals, one variable, the disability types, cross-tabs),
    keyed and plain, and every protected and exact figure built on them, equals the earlier path's."""
    with app.test_request_context():
        views = _narrow_filters()
        assert all(summary.narrow(f, ("sex",)) for f in views)
        refused = 0
        for filters in views:
            for keyed in (True, False):
                new = _every_query(filters, keyed)
                assert new == _before(app, lambda f=filters, k=keyed: _every_query(f, k)), (filters, keyed)
            published = _published(filters)
            assert published == _before(app, lambda f=filters: _published(f)), filters
            refused += published[0] == "refused"
            assert published[3] != "refused"  # the steward sees every view
        assert 0 < refused < len(views)  # some views are refused for the analyst, most are not


def test_representativeness_of_a_narrow_view_leaves_out_the_same_ages(app, data):
    """The representativeness comparison leaves out the ages that cannot take part (`exclude`);
    under two filters its counts are the earlier path's (one GROUP BY per variable)."""
    filters = Filters(where={"sex": "2", "zone": "3"}, exclude={"life_course": ("AD", "JU")})
    with app.test_request_context():
        for variable in ("territory", "life_course", "ethnicity", "victim", "disability"):
            new = queries.totals(variable, filters, keyed=True)
            assert new == _before(app, lambda v=variable: queries.totals(v, filters, keyed=True))
        assert "AD" not in queries.totals("life_course", filters)


def test_views_that_are_not_narrow_keep_their_path(app, data):
    """A single filter, a date range or an object without intersection filters is not narrow: it is
    still read from the summary or counted by one GROUP BY, as before."""
    for filters in (
        Filters(),
        Filters(where={"sex": "2"}),
        Filters(capability="events", where={"zone": "3"}),
        Filters(disability_type="02"),
        Filters(date_from=date(2026, 3, 5), where={"sex": "2"}),
        Filters(object_id="2"),
    ):
        assert not summary.narrow(filters, ("sex",)), filters
        assert not summary.one_pass(filters, VARIABLES)


def test_a_narrow_cell_has_one_figure_whatever_view_shows_it(app, data, db):
    """Differencing gains nothing from the fast path: the cell women × rural × victims has the same
    count and key, so the same protected figure, as a narrow view's total, as a row of the narrow
    views that leave out one of its filters, as a cell of a cross-tab under the third filter, and
    as counted by hand from its records (the sum of their record keys modulo 256)."""
    cell = {"sex": "2", "zone": "3", "victim": "1"}
    rows = db.session.execute(
        select(Profile.record_key).where(Profile.sex == "2", Profile.zone == "3", Profile.victim == "1")
    ).all()
    by_hand = (len(rows), sum(k for (k,) in rows) % disclosure.KEY_RANGE)
    assert by_hand[0] >= 5
    with app.test_request_context():
        assert queries.total(Filters(where=cell), keyed=True) == by_hand
        for left_out in cell:
            rest = {v: c for v, c in cell.items() if v != left_out}
            assert queries.totals(left_out, Filters(where=rest), keyed=True)[cell[left_out]] == by_hand
            one, other = sorted(rest)
            crossed = queries.crosstab(one, other, Filters(where={left_out: cell[left_out]}), keyed=True)
            assert crossed[(rest[one], rest[other])] == by_hand
        figure = disclosure.protect(*by_hand, PROTECTED)
        assert dashboard.check_view(Filters(where=cell), PROTECTED) == figure
        for left_out in cell:
            rest = {v: c for v, c in cell.items() if v != left_out}
            table = next(
                t for t in dashboard.summary(Filters(where=rest), PROTECTED) if t.variable == left_out
            )
            assert next(r["value"] for r in table.rows if r["code"] == cell[left_out]) == figure


def test_a_narrow_view_over_fewer_than_k_records_is_refused(app, db, catalogs):
    """Four records match women × rural × victims (one more differs by one filter): the analyst gets
    no figure for that view, nor for a view that adds a fourth filter; the steward sees 4 and 3."""
    _store(db, _odd_profiles(40, seed=9))
    db.session.execute(delete(ProfileDisability.__table__))
    db.session.execute(delete(Profile.__table__))
    db.session.commit()
    summary.rebuild()
    base = {"capability": "events", "object_id": "1", "on_date": date(2026, 3, 2), "channel": "web"}
    rows = [
        {**base, "sex": "2", "zone": "3", "victim": "1", "ethnicity": "6" if i else "5"} for i in range(4)
    ]
    rows.append({**base, "sex": "2", "zone": "3", "victim": "3", "ethnicity": "6"})
    rows += [{**base, "sex": "1", "zone": "1", "victim": "3"} for _ in range(30)]
    _store(
        db,
        [
            {"profile": {"id": random_id(), "record_key": i * 37 % 256, **r}, "disabilities": []}
            for i, r in enumerate(rows)
        ],
    )
    with app.test_request_context():
        for where in (
            {"sex": "2", "zone": "3", "victim": "1"},
            {"sex": "2", "zone": "3", "victim": "1", "ethnicity": "6"},
        ):
            filters = Filters(where=where)
            assert summary.one_pass(filters, VARIABLES)
            with pytest.raises(disclosure.ViewRefused):
                dashboard.summary(filters, PROTECTED)
            with pytest.raises(disclosure.ViewRefused):
                dashboard.check_view(filters, PROTECTED)
        exact = dashboard.summary(Filters(where={"sex": "2", "zone": "3", "victim": "1"}), EXACT)
        assert next(t for t in exact if t.variable == "ethnicity").total == 4
        fourth = dashboard.summary(
            Filters(where={"sex": "2", "zone": "3", "victim": "1", "ethnicity": "6"}), EXACT
        )
        assert next(t for t in fourth if t.variable == "sex").total == 3


def test_narrow_figures_do_not_depend_on_the_order_rows_were_written(app, db, catalogs):
    """The same profiles written in two different orders (and so in another physical order, other
    transaction ids) give the same counts, keys and figures for every narrow view; the statement
    returns cells only (counts and key sums per code): no record, id or date leaves the database."""
    profiles = _odd_profiles(300, seed=11)

    def figures():
        with app.test_request_context():
            return [
                (
                    summary.count_narrow(f, [(v,) for v in VARIABLES] + [(summary.MULTI,), ()]),
                    _published(f),
                )
                for f in _narrow_filters()
            ]

    def wipe():
        db.session.execute(delete(ProfileDisability.__table__))
        db.session.execute(delete(Profile.__table__))
        db.session.commit()
        summary.rebuild()

    _store(db, profiles)
    first = figures()
    wipe()
    shuffled = profiles[:]
    random.Random(3).shuffle(shuffled)
    for start in range(0, len(shuffled), 7):  # in small batches, as the buffer writes them
        _store(db, shuffled[start : start + 7])
    assert figures() == first

    with app.test_request_context():
        groups = [(v,) for v in VARIABLES] + [(summary.MULTI,), (), ("sex", "zone")]
        stmt = summary.narrow_statement(Filters(where={"sex": "2", "zone": "3"}), groups)
        rows = summary._driver_rows(stmt)
        # one row per cell: (group, code, code, count, key sum), never a record, in no set order
        assert all(len(row) == 5 for row in rows)
        assert len(rows) < 300 and "ORDER BY" not in str(stmt)
        assert sum(n for g, _a, _b, n, _s in rows if groups[int(g)] == ()) == sum(
            n for g, _a, _b, n, _s in rows if groups[int(g)] == ("sex",)
        )


def test_every_pair_and_triple_of_filters_agrees_with_the_earlier_path(app, data):
    """Every pair and every triple of filters over five variables (each with its most common code
    and "no answer"): the analyst's dashboards are the same, figure for figure, as before."""
    picks = {
        "sex": ("2", NO_ANSWER),
        "zone": ("3", "1"),
        "victim": ("1", NO_ANSWER),
        "ethnicity": ("6",),
        "disability": ("1", "0"),
    }
    with app.test_request_context():
        compared = 0
        for size in (2, 3):
            for names in itertools.combinations(picks, size):
                for codes in itertools.product(*(picks[n] for n in names)):
                    filters = Filters(where=dict(zip(names, codes, strict=True)))
                    now = _published(filters)[:3]
                    assert now == _before(app, lambda f=filters: _published(f)[:3]), filters
                    compared += 1
        assert compared > 80
