"""The disclosure layer (cell-key method): parameters, record keys, cell keys in SQL, the same
figure for the same cell in every view, refused narrow views, audited views, the steward's page
of unusual querying."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import insert, select

from app.characterization import dashboard, disclosure, queries
from app.characterization.models import Profile
from app.core import time
from app.core.audit import AuditEntry
from app.core.db import RowBatch, random_id
from tests.characterization.test_dashboard import URL, add_profiles, as_user

PROTECTED = disclosure.Viewer(exact=False, k=5)
EXACT = disclosure.Viewer(exact=True, k=5)


def test_perturbation_table_is_fixed_bounded_and_zero_mean():
    table = disclosure.PTABLE
    assert len(table) == disclosure.KEY_RANGE == 256
    assert sum(table) == 0 and set(table) == {-2, -1, 0, 1, 2}
    assert Counter(table) == Counter({0: 102, 1: 51, -1: 51, 2: 26, -2: 26})
    assert table == disclosure._table()  # the same table on every run and every worker
    for n in (5, 17, 300):  # every count gets the whole distribution over the 256 cell keys
        assert Counter(disclosure.noise(n, key) for key in range(256)) == Counter(table)


def test_protect_is_deterministic_small_cells_are_a_marker_steward_exact():
    for n in range(0, 5):
        assert all(disclosure.protect(n, key, PROTECTED) is None for key in range(256))
    for n in range(5, 60):
        for key in range(256):
            shown = disclosure.protect(n, key, PROTECTED)
            assert shown == disclosure.protect(n, key, PROTECTED)
            assert shown is None or (shown >= 5 and abs(shown - n) <= 2)
        assert disclosure.protect(n, 7, EXACT) == n
    assert disclosure.display(None) == "x" and disclosure.display(12345) == "12.345"
    # Different keys give different noise for the same count: the noise is not a function of n.
    assert len({disclosure.protect(40, key, PROTECTED) for key in range(256)}) == 5


def test_every_writer_gives_a_profile_a_random_record_key(app, db, catalogs):
    from app.characterization.commands import Context, build_profile

    for i in range(40):
        db.session.add(build_profile({"sex": "1"}, Context("events", i, date(2026, 3, 1))))  # ORM
    db.session.commit()
    db.session.execute(
        insert(Profile.__table__),
        [  # Core executemany (demo loader, bulk writers)
            {"id": random_id(), "capability": "events", "object_id": "1", "on_date": date(2026, 3, 1)}
            for _ in range(40)
        ],
    )
    db.session.commit()
    batch = RowBatch()  # the sign-in's batch writer
    for _ in range(40):
        batch.add(
            Profile,
            {"id": random_id(), "capability": "events", "object_id": "2", "on_date": date(2026, 3, 1)},
        )
    batch.store()
    for object_ids in (["0", "1", "2", "3"], ["1"], ["2"]):
        keys = list(db.session.scalars(select(Profile.record_key).where(Profile.object_id.in_(object_ids))))
        assert keys and all(0 <= k < 256 for k in keys)
        assert len(set(keys)) > len(keys) // 4  # random, not one default value


def test_cell_keys_are_summed_in_sql(app, db, catalogs):
    add_profiles(db, 30, sex="1", zone="1")
    add_profiles(db, 20, sex="2", zone="3")
    with app.test_request_context():
        keyed = queries.totals("sex", queries.Filters(), keyed=True)
        cross = queries.crosstab("sex", "zone", queries.Filters(), keyed=True)
        total = queries.total(queries.Filters(), keyed=True)
    keys = dict(db.session.execute(select(Profile.sex, Profile.record_key)).all())  # noqa: F841 - shape check
    by_sex: dict[str, list[int]] = {}
    for sex, key in db.session.execute(select(Profile.sex, Profile.record_key)):
        by_sex.setdefault(sex, []).append(key)
    for sex, ks in by_sex.items():
        assert keyed[sex] == (len(ks), sum(ks) % 256)
    assert cross[("1", "1")] == keyed["1"] and cross[("2", "3")] == keyed["2"]
    assert total == (50, sum(sum(ks) for ks in by_sex.values()) % 256)


def test_the_same_cell_reads_the_same_in_every_view(app, db, catalogs):
    """Differencing gains nothing: a cell's figure depends only on its records."""
    add_profiles(db, 43, sex="2", territory="50", zone="2", victim="1")
    add_profiles(db, 82, sex="1", territory="50", zone="3", victim="3")
    add_profiles(db, 3, sex="2", territory="50", zone="1", victim="1")
    add_profiles(db, 60, sex="1", territory="01", zone="1", victim="3")
    with app.test_request_context():
        every = dashboard.crosstab("territory", "zone", queries.Filters(), PROTECTED).table
        only_cp = dashboard.summary(queries.Filters(where={"zone": "2"}), PROTECTED)
        cp_table = next(t for t in only_cp if t.variable == "territory")
        cp_territory = {r["code"]: r["value"] for r in cp_table.rows}
        only_50 = dashboard.summary(queries.Filters(where={"territory": "50"}), PROTECTED)
        zone_in_50 = {r["code"]: r["value"] for r in next(t for t in only_50 if t.variable == "zone").rows}
        again = dashboard.crosstab("territory", "zone", queries.Filters(), PROTECTED).table
        exact = dashboard.crosstab("territory", "zone", queries.Filters(), EXACT).table
    assert every.cells[("50", "2")] == cp_territory["50"] == zone_in_50["2"]
    assert every.cells[("50", "3")] == zone_in_50["3"]
    assert every.row_totals["50"] == next(t for t in only_50 if t.variable == "zone").total
    assert every == again
    # The attack: cabecera = total - rural - centro poblado. It no longer gives 3.
    assert every.cells[("50", "1")] is None
    assert exact.cells[("50", "1")] == 3 and exact.row_totals["50"] == 128
    guess = every.row_totals["50"] - every.cells[("50", "3")] - cp_territory["50"]
    assert -3 <= guess <= 9  # somewhere in 3 ± 6, and the reader cannot tell where


def test_a_narrow_view_is_refused_and_every_view_is_audited(client, login_as, make_user, db, catalogs):
    add_profiles(db, 60, sex="1", territory="01", zone="1", victim="3")
    add_profiles(db, 3, sex="3", territory="01", zone="1", victim="1")
    login_as("analyst")
    page = client.get(URL + "?f_sex=3&f_zone=1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "abarca menos de 5 participaciones" in text
    assert "Totales por variable" not in text and 'id="tabla-territorios"' not in text
    export = client.get(URL + "exportar/tablas.csv?f_sex=3")
    assert export.status_code == 302  # refused: back to the dashboard with the message
    assert "abarca menos de 5" in client.get(export.headers["Location"]).get_data(as_text=True)
    views = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "view").order_by(AuditEntry.id)
    ).all()
    assert [(v.target, v.details["refused"]) for v in views][:2] == [
        ("characterization.dashboard", True),
        ("characterization.tables", True),
    ]
    assert views[0].actor == "analyst@prueba.gov.co"
    assert views[0].details["filters"]["where"] == {"sex": "3", "zone": "1"}
    assert views[0].at is not None and views[0].details["exact"] is False
    steward = as_user(client.application, make_user("steward"))
    text = steward.get(URL + "?f_sex=3&f_zone=1").get_data(as_text=True)
    assert "abarca menos de" not in text and "Totales por variable" in text


def test_steward_sees_unusual_querying(client, login_as, make_user, db, catalogs):
    add_profiles(db, 60, sex="1", territory="01", zone="1", victim="3")
    add_profiles(db, 30, sex="2", territory="01", zone="1", victim="1")
    analyst = make_user("analyst", email="curiosa@prueba.gov.co")
    calm = make_user("analyst", email="tranquila@prueba.gov.co")
    browser = as_user(client.application, analyst)
    for code in ("1", "2", "3", "99", "-") * 5:
        browser.get(URL + f"?f_sex=1&f_victim={code}")
    other = as_user(client.application, calm)
    other.get(URL)
    other.get(URL + "?f_zone=1")
    steward = as_user(client.application, make_user("steward"))
    page = steward.get(URL + "consultas-inusuales")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "curiosa@prueba.gov.co" in text and "tranquila@prueba.gov.co" not in text
    assert "25" in text
    for role in ("analyst", "admin"):
        other_role = as_user(client.application, make_user(role))
        assert other_role.get(URL + "consultas-inusuales").status_code == 403


def test_old_views_do_not_count_as_unusual(app, db, make_user):
    from app.characterization import monitoring

    user = make_user("analyst")
    old = time.now() - timedelta(days=10)
    for _ in range(30):
        db.session.add(
            AuditEntry(
                action="view",
                user_id=user.id,
                actor=user.email,
                at=old,
                target="characterization.dashboard",
                details={"filters": {"where": {"sex": "1", "zone": "1"}}, "refused": False},
            )
        )
    db.session.commit()
    with app.test_request_context():
        assert monitoring.unusual_querying() == []
        assert monitoring.unusual_querying(days=30)[0]["views"] == 30


def test_fast_paths_count_like_plain_sql(app, db, catalogs):
    """The SQLite one-pass path (two or more groups) and the per-variable GROUP BYs agree, keyed
    and plain, with and without a context filter."""
    from app.characterization.commands import Context, build_profile

    for i in range(90):
        answers = {
            "sex": "12"[i % 2],
            "life_course": ("JU", "AT", "VE")[i % 3],
            "zone": "13"[i % 4 == 0],
            "victim": ("1", "3", None)[i % 3],
            "territory": ("01", "50")[i % 5 == 0],
        }
        db.session.add(build_profile(answers, Context("events", i % 3, date(2026, 3, 1 + i % 20))))
    db.session.commit()
    variables = ("sex", "life_course", "zone", "victim", "territory", "channel", "disability")
    with app.test_request_context():
        for filters in (
            queries.Filters(where={"sex": "1", "zone": "1"}),
            queries.Filters(capability="events", object_id="2", where={"sex": "2", "victim": ""}),
            queries.Filters(where={"zone": "3", "territory": "01", "victim": "1"}),
        ):
            for keyed in (False, True):
                fast = queries.all_totals(variables, filters, keyed)
                plain = {v: queries.totals(v, filters, keyed) for v in variables}
                assert fast == plain and fast["sex"]


def test_disability_rows_carry_their_profiles_key(app, db, catalogs):
    """So the disability types' cells and the same profiles counted by filter read the same."""
    from app.characterization.commands import Context, build_profile
    from app.characterization.demo import demo_profiles
    from app.characterization.models import ProfileDisability

    for i in range(30):
        db.session.add(
            build_profile(
                {"disability": ["01", "02"] if i % 2 else ["08"]}, Context("events", 1, date(2026, 3, 1))
            )
        )
    db.session.commit()

    profile = build_profile({"disability": ["03"]}, Context("events", 2, date(2026, 3, 1)))
    batch = RowBatch()  # what `add_rows` does for the sign-in: the instances' columns, in one batch
    for row in (profile, *profile.disabilities):
        table = type(row).__table__
        batch.add(table, {k: v for k, v in row.__dict__.items() if k in table.c})
    batch.store()
    demo_profiles(200)
    pairs = db.session.execute(
        select(Profile.record_key, ProfileDisability.record_key).join(
            ProfileDisability, ProfileDisability.profile_id == Profile.id
        )
    ).all()
    assert len(pairs) > 150 and all(a == b for a, b in pairs)
    with app.test_request_context():
        types = queries.disability_types(queries.Filters(), keyed=True)
        for code in ("01", "02", "03"):
            assert types[code] == queries.total(queries.Filters(disability_type=code), keyed=True)


def test_summary_refuses_the_same_views_as_check_view(app, db, catalogs):
    add_profiles(db, 60, sex="1", territory="01", zone="1", victim="3")
    add_profiles(db, 3, sex="3", territory="01", zone="1", victim="1")
    with app.test_request_context():
        for where in ({"sex": "3"}, {"sex": "3", "zone": "1"}, {"sex": "1"}, {"sex": "1", "victim": "3"}):
            filters = queries.Filters(where=where)
            try:
                dashboard.check_view(filters, PROTECTED)
                refused = False
            except disclosure.ViewRefused:
                refused = True
            assert refused == (where.get("sex") == "3")
            try:
                tables = dashboard.summary(filters, PROTECTED)
                assert not refused and tables
            except disclosure.ViewRefused:
                assert refused
            assert dashboard.summary(filters, EXACT)  # the steward is never refused
