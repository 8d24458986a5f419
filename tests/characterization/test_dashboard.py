"""Dashboard, exports, baseline and preview: what analysts and stewards see and download."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, insert, select

from app.characterization import dashboard, queries
from app.characterization.models import ConsentRecord, PopulationBaseline, Profile, ProfileDisability
from app.core.audit import AuditEntry
from app.core.db import random_id

URL = "/gestion/caracterizacion/"


def as_user(app, user):
    """A separate browser logged in as `user`."""
    from flask import g

    from tests.conftest import Client

    for key in list(vars(g)):  # the tests share one app context: forget the previous user and token
        g.pop(key)
    other = Client(app.test_client())
    other.login(user)
    return other


def add_profiles(db, n, **answers):
    rows = [
        {
            "id": random_id(),
            "capability": answers.get("capability", "events"),
            "object_id": answers.get("object_id", "1"),
            "on_date": answers.get("on_date", date(2026, 3, 10)),
            "channel": "web",
            **{
                k: v
                for k, v in answers.items()
                if k not in ("capability", "object_id", "on_date", "disability")
            },
        }
        for _ in range(n)
    ]
    db.session.execute(insert(Profile.__table__), rows)
    if answers.get("disability"):
        db.session.execute(
            insert(ProfileDisability.__table__),
            [{"profile_id": r["id"], "code": answers["disability"]} for r in rows],
        )
    db.session.commit()


@pytest.fixture
def population(db, catalogs):
    """40 women, 30 men, 2 intersex people in comuna 01; 12 men in corregimiento 50 (rural)."""
    add_profiles(db, 40, sex="2", territory="01", zone="1", victim="1")
    add_profiles(db, 30, sex="1", territory="01", zone="1", victim="3")
    add_profiles(db, 2, sex="3", territory="01", zone="1", victim="3", disability="02")
    add_profiles(
        db, 12, sex="1", territory="50", zone="3", victim="1", capability="surveys", on_date=date(2026, 5, 2)
    )


def _csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_editor_cannot_see_the_dashboard_or_export(client, login_as, population):
    login_as("editor")
    assert client.get(URL).status_code == 403
    assert client.get(URL + "exportar/perfiles.csv").status_code == 403
    assert (
        client.get(URL + "vista-previa").status_code == 200
    )  # editors embed the section: they may preview it


def test_analyst_sees_protected_figures_steward_sees_exact_ones(client, login_as, make_user, population):
    login_as("analyst")
    page = client.get(URL).get_data(as_text=True)
    assert "Intersexual" in page and "&lt;5" not in page
    assert "Estas cifras están protegidas" in page and "«x»: cifra protegida" in page
    assert "cuenta participaciones" in page
    steward = as_user(client.application, make_user("steward"))
    page = steward.get(URL + "?f_sex=3").get_data(as_text=True)
    assert "Ves las cifras exactas" in page and "«x»: cifra protegida" not in page


def test_no_count_under_k_reaches_an_analyst(client, login_as, population, db):
    login_as("analyst")
    with client.application.test_request_context():
        tables = dashboard.summary(queries.Filters(), 5)
        sex = next(t for t in tables if t.variable == "sex")
        shown = {r["code"]: r["value"] for r in sex.rows}
        assert shown["3"] is None  # 2 intersex participations: the marker
        assert abs(shown["2"] - 40) <= 2 and abs(sex.total - 84) <= 2
        for t in tables:
            for r in t.rows:
                assert r["value"] is None or r["value"] >= 5
                assert r["display"] == "x" if r["value"] is None else r["display"].isdigit()


def test_exported_counts_equal_dashboard_counts_and_are_audited(client, login_as, population, db):
    login_as("analyst")
    response = client.get(URL + "exportar/tablas.csv?fila=sex&columna=zone")
    rows = _csv(response)
    header, data = rows[0], rows[1:]
    assert header[:3] == ["tabla", "variable", "codigo"] and header[7] == "participaciones"
    exported = {(r[1], r[2]): r[7] for r in data if r[0] == "Totales"}
    with client.application.test_request_context():
        for table in dashboard.summary(queries.Filters(), 5):
            for row in table.rows:
                expected = "x" if row["value"] is None else str(row["value"])
                assert exported[(table.variable, row["code"])] == expected
    assert exported[("sex", "3")] == "x"  # protected
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id.desc())
    )
    assert entry.target == "characterization.tables" and entry.details["rows"] == len(data)
    assert entry.actor == "analyst@prueba.gov.co" and entry.details["filters"]["cross"] == ["sex", "zone"]
    assert entry.details["personal"] is False and entry.details["filters"]["exact"] is False


def test_profile_rows_export_only_for_the_steward_and_audited_as_personal(
    client, login_as, make_user, population, db
):
    db.session.execute(Profile.__table__.update().values(organisation="JAC El Tambo"))
    db.session.commit()
    login_as("analyst")
    assert client.get(URL + "exportar/perfiles.csv?f_zone=3").status_code == 403
    assert client.get(URL + "exportar/perfiles.xlsx").status_code == 403
    assert "exportar/perfiles.csv" not in client.get(URL).get_data(as_text=True)
    admin = as_user(client.application, make_user("admin"))
    assert admin.get(URL + "exportar/perfiles.csv").status_code == 403
    steward = as_user(client.application, make_user("steward"))
    rows = _csv(steward.get(URL + "exportar/perfiles.csv?f_sex=3"))
    assert "organisation" in rows[0] and rows[1][rows[0].index("organisation")] == "JAC El Tambo"
    assert (
        rows[1][rows[0].index("on_date")] == "2026-03-10"
        and rows[1][rows[0].index("disability_types")] == "02"
    )
    book = openpyxl.load_workbook(
        io.BytesIO(steward.get(URL + "exportar/perfiles.xlsx").data), read_only=True
    )
    assert book.sheetnames == ["perfiles", "diccionario"]
    assert sum(1 for _ in book["perfiles"].iter_rows()) == 85
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)
    ).all()
    assert [(e.details["format"], e.details["rows"], e.details["personal"]) for e in entries] == [
        ("csv", 2, True),
        ("xlsx", 84, True),
    ]
    first = entries[0].details["filters"]
    assert first["where"] == {"sex": "3"} and "subterritory" in first["columns"]


def test_data_dictionary_lists_every_column_and_code(client, login_as, population):
    login_as("analyst")
    rows = _csv(client.get(URL + "exportar/diccionario-perfiles.csv"))
    columns = {r[0] for r in rows[1:]}
    assert {"sex", "territory", "disability_types", "on_date"} <= columns
    assert ["sex", "", "3", "Intersexual"] in rows and ["territory", "", "01", "Popular"] in rows


def test_intersection_filters_and_crosstab(client, login_as, population):
    login_as("steward")
    page = client.get(URL + "?f_sex=1&f_zone=3&f_victim=1&fila=sex&columna=territory").get_data(as_text=True)
    assert "Sexo al nacer por Comuna o corregimiento" in page
    with client.application.test_request_context():
        f = queries.Filters(where={"sex": "1", "zone": "3", "victim": "1"})
        assert queries.total(f) == 12
        assert queries.crosstab("sex", "territory", queries.Filters()) == {
            ("2", "01"): 40,
            ("1", "01"): 30,
            ("3", "01"): 2,
            ("1", "50"): 12,
        }
        assert queries.total(queries.Filters(disability_type="02")) == 2
        assert (
            queries.total(
                queries.Filters(capability="surveys", date_from=date(2026, 5, 1), date_to=date(2026, 5, 31))
            )
            == 12
        )


def test_bad_filters_are_explained_not_a_500(client, login_as, population):
    login_as("analyst")
    response = client.get(URL + "?desde=ayer&f_sex=%3Cscript%3E&fila=sex&columna=sex")
    assert response.status_code == 400
    assert "Revisa los filtros" in response.get_data(as_text=True)


def test_baseline_upload_and_under_representation(client, login_as, population, db):
    login_as("analyst")
    bad = b"territorio,sexo,poblacion\n99,1,10\n01,1,diez\n"
    response = client.submit(
        URL + "linea-base",
        {"archivo": (io.BytesIO(bad), "dane.csv"), "fuente": "DANE 2025"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Fila 2" in text and "Fila 3" in text
    assert db.session.scalar(select(func.count()).select_from(PopulationBaseline)) == 0
    good = (
        "\ufeffterritorio;curso_de_vida;sexo;poblacion\n01;;1;5000\n01;;2;5000\n50;;1;5000\n50;;2;5000\n"
    ).encode()
    response = client.submit(
        URL + "linea-base",
        {"archivo": (io.BytesIO(good), "dane.csv"), "fuente": "DANE 2025"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with client.application.test_request_context():
        blocks = {b["variable"]: b for b in dashboard.representativeness(queries.Filters(), None)}
    territory = {r["code"]: r for r in blocks["territory"]["rows"]}
    assert territory["50"]["under"] and not territory["01"]["under"]  # 12/84 = 14 % vs 50 %
    assert {r["code"]: r["under"] for r in blocks["sex"]["rows"]} == {"1": False, "2": False}  # 40/84 vs 50 %
    page = client.get(URL).get_data(as_text=True)
    assert "Subrepresentado" in page


def test_preview_stores_nothing(client, login_as, catalogs, db):
    login_as("editor")
    response = client.submit(
        URL + "vista-previa",
        {
            "profile-consent": "y",
            "profile-life_course": "AD",
            "profile-ethnicity": "1",
            "profile-territory": "01",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Esto se guardaría" in text and "preguntas sensibles" in text
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 0
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 0


def test_demo_adds_profiles_once(app, db, catalogs):
    from app.characterization.demo import demo_profiles

    assert demo_profiles(600) == 600
    assert demo_profiles(600) == 0
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 600
    assert len({p for p in db.session.scalars(select(Profile.territory))}) > 10


def test_catalog_entries_in_use_are_counted(app, db, population):
    from app.characterization.models import catalog_usage

    assert catalog_usage("territory", None, "50") == 12
    assert catalog_usage("option", "sex", "3") == 2 and catalog_usage("option", "disability", "02") == 2


def test_crosstab_with_date_and_group_filters_counts_like_sql(app, db, catalogs):
    """The SQLite fast path (streamed pairs) and plain SQL agree under every kind of filter."""
    from datetime import date

    from sqlalchemy import func, select

    from app.characterization import queries
    from app.characterization.commands import Context, build_profile
    from app.characterization.models import Profile

    for i in range(60):
        answers = {
            "sex": "12"[i % 2],
            "life_course": ("JU", "AT", "VE")[i % 3],
            "zone": "13"[i % 4 == 0],
            "disability": ["02"] if i % 5 == 0 else ["08"],
        }
        db.session.add(build_profile(answers, Context("events", i % 3, date(2026, 3, 1 + i % 20))))
    db.session.commit()
    filters = queries.Filters(
        capability="events",
        date_from=date(2026, 3, 5),
        date_to=date(2026, 3, 15),
        where={"zone": "1", "disability": "0"},
    )
    got = queries.crosstab("sex", "life_course", filters)
    stmt = (
        select(Profile.sex, Profile.life_course, func.count())
        .where(
            Profile.capability == "events",
            Profile.on_date >= date(2026, 3, 5),
            Profile.on_date <= date(2026, 3, 15),
            Profile.zone == "1",
            Profile.has_disability.is_(False),
        )
        .group_by(Profile.sex, Profile.life_course)
    )
    expected = {(s, lc): n for s, lc, n in db.session.execute(stmt)}
    assert got == expected and sum(got.values()) > 0


def test_a_baseline_with_a_huge_cell_is_refused_cleanly(client, login_as, db, catalogs):
    login_as("analyst")
    for huge in (
        b"territorio;sexo;poblacion\n01;1;" + b"9" * 131_072 + b"\n",
        b"territorio;sexo;poblacion\n01;1;" + b"9" * 500 + b"\n",
        b'territorio;sexo;poblacion\n"01;1;5000\n',
    ):
        response = client.submit(
            URL + "linea-base",
            {"archivo": (io.BytesIO(huge), "dane.csv"), "fuente": "DANE"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        text = response.get_data(as_text=True)
        assert "Línea 2" in text or "Fila 2" in text
    assert db.session.scalar(select(func.count()).select_from(PopulationBaseline)) == 0
