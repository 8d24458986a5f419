"""Representativeness that means something: the shipped population baselines (source and year
stated, every figure traced), ages that cannot take part left out of both sides, every variable
the baseline carries compared, and only protected figures for anyone but the steward."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import func, insert, select

from app.catalogs import commands as catalog_commands
from app.characterization import baseline, dashboard, disclosure, queries
from app.characterization.models import PopulationBaseline, Profile
from app.core.audit import AuditEntry
from app.core.db import random_id
from tests.conftest import CSRF_RE

URL = "/gestion/caracterizacion/"


def add_profiles(db, n, **answers):
    rows = [
        {
            "id": random_id(),
            "capability": "events",
            "object_id": "1",
            "on_date": date(2026, 3, 10),
            "channel": "web",
            **answers,
        }
        for _ in range(n)
    ]
    db.session.execute(insert(Profile.__table__), rows)
    db.session.commit()


def blocks(viewer=None, filters=None):
    return {b["variable"]: b for b in dashboard.representativeness(filters or queries.Filters(), viewer)}


# ------------------------------------------------------------------------------ the shipped files


@pytest.mark.parametrize("entity", ["medellin", "cartago"])
def test_each_shipped_baseline_states_its_source_and_year_and_loads(app, db, catalogs, entity):
    catalog_commands.load(entity)
    raw = json.loads((baseline.DATA / f"baseline_{entity}.json").read_text(encoding="utf-8"))
    assert raw["entity"] == entity and raw["source"].startswith("DANE") and str(raw["year"]) in raw["source"]
    assert raw["public_copy"].startswith("http") and raw["notes"]
    assert raw["totals"] and all(t["source"] and t["population"] > 0 for t in raw["totals"])
    n = baseline.load_shipped(entity)
    assert n == len(raw["rows"]) > 0
    sources = {s for s in db.session.scalars(select(PopulationBaseline.source))}
    assert sources == {baseline.shipped_source(raw)} and str(raw["year"]) in sources.pop()
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "characterization_baseline_loaded")
    )
    assert entry.details["rows"] == n


def test_cartagos_rows_add_up_to_the_totals_of_their_source(app, db, catalogs):
    """Every shipped figure is a published one: the sex × age rows add up to the published totals."""
    data = baseline.shipped("cartago")
    totals = {t["label"]: t["population"] for t in data["totals"]}
    by_sex = {"1": 0, "2": 0}
    for row in data["rows"]:
        by_sex[row["sexo"]] += row["poblacion"]
    assert by_sex == {"1": totals["Hombres 2024"], "2": totals["Mujeres 2024"]}
    assert sum(by_sex.values()) == totals["Población total 2024"] == 143281


def test_medellins_comunas_are_the_census_counts_and_say_what_is_missing(app, db, catalogs):
    data = baseline.shipped("medellin")
    assert data["year"] == 2018 and "CNPV" in data["source"]
    assert {r["territorio"] for r in data["rows"]} == {f"{i:02d}" for i in range(1, 17)}
    assert any("No encontramos" in note for note in data["notes"])  # what could not be found is said plainly


# ------------------------------------------------------------------------------ ages


def test_age_plan_leaves_out_who_cannot_take_part(app, catalogs):
    with app.test_request_context():
        single = [(age, age, 100) for age in range(0, 100)] + [(100, None, 5)]
        plan = baseline.age_plan(single, 14)
        assert plan.floor == 14 and plan.excluded == ["IN", "PI"]
        assert [(g.start, g.end, g.codes, g.population) for g in plan.groups] == [
            (14, 17, ["AD"], 400),
            (18, 28, ["JU"], 1100),
            (29, 59, ["AT"], 3100),
            (60, None, ["VE"], 4005),
        ]
        # Configurable: with 18, adolescents are left out too.
        assert baseline.age_plan(single, 18).excluded == ["AD", "IN", "PI"]
        # DANE's 0-11 / 12-17 / 18-24 … cannot split 12-13 from 14-17: the comparison starts at 18.
        cartago = [
            (r["edad_desde"], r["edad_hasta"], r["poblacion"]) for r in baseline.shipped("cartago")["rows"]
        ]
        plan = baseline.age_plan(cartago, 14)
        assert plan.floor == 18 and plan.excluded == ["AD", "IN", "PI"]
        assert [(g.start, g.end, g.codes) for g in plan.groups] == [
            (18, 59, ["JU", "AT"]),
            (60, None, ["VE"]),
        ]
        assert sum(g.population for g in plan.groups) == 143281 - 21975 - 12856


def test_children_are_not_counted_so_they_never_look_under_represented(app, db, catalogs):
    baseline.load_shipped("cartago")
    add_profiles(db, 30, life_course="PI", sex="2")  # children brought along: cannot take part
    add_profiles(db, 20, life_course="IN", sex="1")
    add_profiles(db, 10, life_course="AD", sex="2")  # 14-17: the baseline cannot tell them apart
    add_profiles(db, 60, life_course="AT", sex="2")
    add_profiles(db, 40, life_course="VE", sex="1")
    with app.test_request_context():
        got = blocks()
    age = got["life_course"]
    assert [r["code"] for r in age["rows"]] == ["JU+AT", "VE"]  # no row for children at all
    assert age["total_display"] == "100"
    rows = {r["code"]: r for r in age["rows"]}
    assert rows["VE"]["share"] == pytest.approx(0.40)
    assert rows["VE"]["population_share"] == pytest.approx(29012 / (143281 - 21975 - 12856))
    assert "18 años o más" in age["notes"][0]
    sex = {r["code"]: r for r in got["sex"]["rows"]}
    women_18 = sum(
        r["poblacion"]
        for r in baseline.shipped("cartago")["rows"]
        if r["sexo"] == "2" and r["edad_desde"] >= 18
    )
    assert sex["2"]["share"] == pytest.approx(0.60) and sex["1"]["share"] == pytest.approx(0.40)
    assert sex["2"]["population_share"] == pytest.approx(women_18 / (143281 - 21975 - 12856))
    assert got["sex"]["total_display"] == "100"  # children and 14-17 left out of the participants too


def test_every_variable_the_baseline_carries_is_compared(client, login_as, db, catalogs):
    login_as("analyst")
    text = (
        "territorio;sexo;edad_desde;edad_hasta;etnia;discapacidad;victima;zona;poblacion\n"
        "01;;;;;;;;60000\n02;;;;;;;;40000\n"
        ";;0;13;;;;;20000\n;;14;17;;;;;5000\n;;18;28;;;;;20000\n;;29;59;;;;;40000\n;;60;;;;;;15000\n"
        ";;;;5;;;;10000\n;;;;6;;;;90000\n;;;;;1;;;7000\n;;;;;0;;;93000\n"
        ";;;;;;1;;12000\n;;;;;;3;;88000\n;;;;;;;1;;90000\n;;;;;;;3;10000\n"
    )
    text = text.replace(";;;;;;;1;;90000", ";;;;;;;1;90000")
    response = client.submit(
        URL + "linea-base",
        {"archivo": (io.BytesIO(text.encode()), "dane.csv"), "fuente": "DANE, proyecciones 2026 (prueba)"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    add_profiles(
        db, 40, territory="01", life_course="JU", ethnicity="5", has_disability=True, victim="1", zone="1"
    )
    add_profiles(
        db, 40, territory="02", life_course="AT", ethnicity="6", has_disability=False, victim="3", zone="3"
    )
    add_profiles(
        db, 25, territory="01", life_course="IN", ethnicity="5", has_disability=False, victim="3", zone="1"
    )
    with client.application.test_request_context():
        got = blocks()
    assert set(got) == {"territory", "life_course", "ethnicity", "disability", "victim", "zone"}
    assert [r["code"] for r in got["life_course"]["rows"]] == ["AD", "JU", "AT", "VE"]
    ethnicity = {r["code"]: r for r in got["ethnicity"]["rows"]}
    assert ethnicity["5"]["share"] == pytest.approx(0.5) and not ethnicity["5"]["under"]
    assert got["disability"]["total_display"] == "80"  # the 25 children are not compared
    # Territory and the differential rows carry every age: the page says so.
    assert "todas las edades" in got["territory"]["notes"][0]
    page = client.get(URL).get_data(as_text=True)
    assert "Fuente de la población:" in page and "DANE, proyecciones 2026 (prueba)" in page
    assert "Autorreconocimiento étnico" in page and "Víctima del conflicto armado" in page


def test_an_analyst_sees_only_protected_figures_and_the_steward_exact_ones(app, db, catalogs):
    baseline.load_shipped("cartago")
    add_profiles(db, 3, life_course="VE", sex="1")  # fewer than k
    add_profiles(db, 57, life_course="AT", sex="2")
    with app.test_request_context():
        exact = blocks(None)
        protected = blocks(disclosure.from_threshold(5))
    assert {r["code"]: r["display"] for r in exact["life_course"]["rows"]} == {"JU+AT": "57", "VE": "3"}
    shown = {r["code"]: r for r in protected["life_course"]["rows"]}
    assert shown["VE"]["display"] == "x" and shown["VE"]["share"] is None  # the share would reveal it
    assert shown["VE"]["under"]  # the flag stays
    assert (
        shown["JU+AT"]["display"] != "x" and abs(int(shown["JU+AT"]["display"]) - 57) <= disclosure.MAX_NOISE
    )
    assert {r["code"]: r["display"] for r in protected["sex"]["rows"]}["1"] == "x"


def test_the_shipped_baseline_is_offered_on_the_baseline_page_and_round_trips(
    client, login_as, db, catalogs, app
):
    app.config["ENTITY_CATALOG"] = "cartago"
    login_as("analyst")
    page = client.get(URL + "linea-base").get_data(as_text=True)
    assert "Línea base incluida" in page and "año 2024" in page and "telencuestas" in page
    assert "143.281" in page  # the totals found, with their source
    csrf = CSRF_RE.search(page).group(1)
    loaded = client.post(URL + "linea-base/incluida", data={"csrf_token": csrf})
    assert loaded.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PopulationBaseline)) == 24
    download = client.get(URL + "linea-base/incluida.csv")
    assert download.status_code == 200
    text = download.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["territorio", "sexo", "edad_desde"] and len(rows) == 25
    again = client.submit(
        URL + "linea-base",
        {"archivo": (io.BytesIO(text.encode()), "cartago.csv"), "fuente": "DANE 2024 (Cartago), editada"},
        content_type="multipart/form-data",
    )
    assert again.status_code == 302
    assert db.session.scalar(select(func.sum(PopulationBaseline.population))) == 143281


def test_bad_ages_are_explained_by_row(client, login_as, db, catalogs):
    login_as("analyst")
    bad = b"sexo,edad_desde,edad_hasta,curso_de_vida,poblacion\n1,20,10,,5\n2,doce,,,5\n1,14,17,AD,5\n"
    response = client.submit(
        URL + "linea-base",
        {"archivo": (io.BytesIO(bad), "dane.csv"), "fuente": "DANE"},
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Fila 2: edad_hasta debe ser igual o mayor" in text
    assert "Fila 3: la edad debe ser un número entero" in text
    assert "Fila 4: usa curso_de_vida o edad_desde y edad_hasta, no ambos." in text
    assert db.session.scalar(select(func.count()).select_from(PopulationBaseline)) == 0


def test_medellins_comunas_compare_only_the_territories_they_cover(app, db, catalogs):
    baseline.load_shipped("medellin")
    add_profiles(db, 30, territory="01", life_course="AT")
    add_profiles(db, 30, territory="14", life_course="JU")
    add_profiles(db, 15, territory="50", life_course="AT")  # Palmitas: not in the census copy
    add_profiles(db, 20, territory="14", life_course="IN")  # children: cannot take part
    with app.test_request_context():
        got = blocks()
    assert set(got) == {"territory"}  # no sex or age in this baseline: nothing else is claimed
    territory = got["territory"]
    assert territory["total_display"] == "60"
    rows = {r["code"]: r for r in territory["rows"]}
    assert rows["01"]["share"] == pytest.approx(0.5)
    assert rows["01"]["population_share"] == pytest.approx(135625 / 2193877)
    assert "todas las edades" in territory["notes"][0]
    assert "San Sebastián de Palmitas" in territory["notes"][1]
