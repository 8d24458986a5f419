"""Three defects of the characterisation dashboard, each proven fixed on the figures a reader sees:
the summary leaving out the excluded ages, the disability types counted from the records under a
disability-type filter, and SQLite's raw statements with an exclusion (an expanded IN list)."""

from __future__ import annotations

from datetime import date

import pytest

from app.characterization import baseline, dashboard, demo, disclosure, queries, summary
from app.characterization.models import Profile, ProfileDisability
from app.characterization.queries import Filters

URL = "/gestion/caracterizacion/"
PROTECTED = disclosure.Viewer(exact=False, k=5)
EXACT = disclosure.Viewer(exact=True, k=5)
YOUNG = ("AD", "JU")
AGES = (  # a population baseline by life course and sex
    b"curso_de_vida;sexo;poblacion\nAD;1;900\nAD;2;900\nJU;1;2000\nJU;2;2100\n"
    b"AT;1;5000\nAT;2;5200\nVE;1;1500\nVE;2;1900\n"
)


def _records_only(app, fn):
    """`fn` counted from the profile records (the summary and narrow views switched off)."""
    app.config["PARTICIPA_PROFILE_SUMMARY"] = False
    try:
        return fn()
    finally:
        app.config["PARTICIPA_PROFILE_SUMMARY"] = True


@pytest.fixture
def demo_data(app, db, catalogs):
    assert demo.demo_profiles(500) == 500
    assert summary.current()


# ------------------------------------------------------------------------------ 1. excluded ages


EXCLUDING = [
    Filters(exclude={"life_course": YOUNG}),
    Filters(exclude={"life_course": ("AD",)}),
    Filters(capability="events", exclude={"life_course": YOUNG}),
    Filters(where={"sex": "2"}, exclude={"life_course": YOUNG}),
    Filters(where={"life_course": "AD"}, exclude={"life_course": YOUNG}),
    Filters(where={"life_course": "AT"}, exclude={"life_course": YOUNG}),
    Filters(disability_type="02", exclude={"life_course": YOUNG}),
]


def test_the_summary_leaves_out_the_excluded_ages_like_the_records(app, demo_data):
    """With no or one group filter the summary answers; leaving out ages, its counts and cell keys
    are those of the records (before, life course "AD" kept its people)."""
    variables = (*dashboard.COMPARED, "disability_type")
    with app.test_request_context():
        assert queries.totals("life_course", Filters()).get("AD", 0) > 0  # the demo has adolescents
        for filters in EXCLUDING:
            for keyed in (True, False):
                for variable in variables:
                    got = queries.totals(variable, filters, keyed=keyed)
                    counted = _records_only(
                        app, lambda v=variable, f=filters, k=keyed: queries.totals(v, f, k)
                    )
                    assert got == counted, (variable, filters, keyed)
                got = queries.total(filters, keyed=keyed)
                assert got == _records_only(app, lambda f=filters, k=keyed: queries.total(f, k)), filters
                got = queries.all_totals(dashboard.SUMMARY_VARIABLES, filters, keyed=keyed)
                expected = _records_only(
                    app,
                    lambda f=filters, k=keyed: queries.all_totals(dashboard.SUMMARY_VARIABLES, f, k),
                )
                assert got == expected, filters
            ages = queries.totals("life_course", filters)
            assert not set(filters.exclude["life_course"]) & {code for code, n in ages.items() if n}, filters


def test_representativeness_publishes_the_figures_of_the_records(app, demo_data):
    """The comparison with the population (which leaves out the ages that cannot take part) shows
    the same protected and exact figures whether the summary or the records answer."""
    with app.test_request_context():
        assert demo.demo_baseline() > 0

        def published():
            return [
                dashboard.representativeness(filters, viewer)
                for viewer in (PROTECTED, EXACT)
                for filters in (Filters(), Filters(capability="events"), Filters(where={"sex": "2"}))
            ]

        shown = published()  # territories (ages under 14 left out of the participants)
        assert shown == _records_only(app, published)
        assert baseline.load(AGES, "Censo de prueba") == 8
        shown = published()  # ages and sexes, compared from the first age that can take part
        assert shown == _records_only(app, published)
        for blocks in shown:
            ages = next(b for b in blocks if b["variable"] == "life_course")["rows"]
            assert len(ages) >= 2 and all("AD" not in row["code"].split("+") for row in ages)


# ------------------------------------------------------------------------------ 2. disability types


def _declared(db, n: int, code: str, on_date: date, **answers) -> None:
    """`n` profiles declaring the disability types `code` (and "05" for every other one)."""
    from app.core.db import random_id

    for i in range(n):
        profile = Profile(
            id=random_id(),
            capability="events",
            object_id="1",
            on_date=on_date,
            channel="web",
            has_disability=True,
            record_key=(37 * i) % 256,
            **answers,
        )
        codes = [code, "05"] if i % 2 else [code]
        profile.disabilities = [ProfileDisability(code=c, record_key=profile.record_key) for c in codes]
        db.session.add(profile)
    db.session.commit()


def test_a_dated_dashboard_filtered_by_a_disability_type_is_shown_not_a_500(client, login_as, db, catalogs):
    """A date range (counted from the records) with a disability-type filter: the page shows the
    types its people declared; before, the count lost its FROM clause and the page failed."""
    _declared(db, 12, "02", date(2026, 3, 10), sex="2")
    _declared(db, 9, "01", date(2026, 3, 10), sex="1")
    _declared(db, 8, "02", date(2026, 6, 1), sex="1")  # outside the dates
    login_as("analyst")
    response = client.get(URL + "?desde=2026-03-01&hasta=2026-03-31&tipo_discapacidad=02")
    assert response.status_code == 200
    filters = Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), disability_type="02")
    counted = queries.disability_types(filters)
    assert counted == {"02": 12, "05": 6}  # the 12 people declaring "02", 6 of them "05" too
    keyed = queries.disability_types(filters, keyed=True)
    assert {c: n for c, (n, _k) in keyed.items()} == counted
    response = client.get(URL + "?f_sex=2&desde=2026-03-01&tipo_discapacidad=02")
    assert response.status_code == 200
    with client.application.test_request_context():
        tables = dashboard.summary(filters, EXACT)
    types = next(t for t in tables if t.variable == "disability_type")
    assert {r["code"]: r["value"] for r in types.rows if r["value"]} == counted


# ------------------------------------------------------------------------------ 3. SQLite raw rows


def test_an_exclusion_under_two_filters_is_counted_not_a_crash(app, demo_data):
    """The per-variable one-pass count and the cross-tab read their rows raw on SQLite; with an
    excluded age (an IN list expanded when compiled) they failed there. They now give the GROUP
    BYs' counts and keys, on every database."""
    filters = Filters(where={"sex": "2", "zone": "1"}, exclude={"life_course": YOUNG})
    variables = dashboard.SUMMARY_VARIABLES
    with app.test_request_context():
        for keyed in (True, False):
            counted = _records_only(app, lambda k=keyed: queries.all_totals(variables, filters, k))
            one_by_one = {v: queries.totals(v, filters, keyed=keyed) for v in variables}
            assert counted == one_by_one
            assert not set(YOUNG) & set(counted["life_course"])
        table = _records_only(app, lambda: queries.crosstab("sex", "life_course", filters, keyed=True))
        assert table == queries.crosstab("sex", "life_course", filters, keyed=True)
        by_age: dict[str, int] = {}
        for (_sex, age), (n, _key) in table.items():
            by_age[age] = by_age.get(age, 0) + n
        assert by_age == queries.totals("life_course", filters)
        page = _records_only(app, lambda: dashboard.crosstab("territory", "life_course", filters, EXACT))
        assert page.table.col_totals["AD"] == page.table.col_totals["JU"] == 0
        assert page.table.total == queries.total(filters) > 0
