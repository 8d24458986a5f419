"""Multi-year plans (issue 15, point 4): seed 000's ten-year policy plan is ONE plan whose tasks
carry a target per year (and per period within a year where stated); progress, status light, the
public page, the follow-up sheet, the exports, open data and the accountability report work per
year and over the whole plan.

Seed 000 (the LGBTIQ+ monitoring procedure) describes the procedure, not the plan's table, so
`tests/plans/data/diversidad_sexual_2024_2033.tsv` is a fixture built from it: its five
activities are the actions, their steps the tasks, reported by responsible and co-responsible
offices with quantitative and qualitative progress, one target per year from 2024 to 2033."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core import time
from app.plans import bulk, commands, exports, queries, rules
from app.plans.models import Plan, PlanReport, PlanTaskTarget
from tests.plans.conftest import task_by

SEED_000 = Path(__file__).parent / "data" / "diversidad_sexual_2024_2033.tsv"
YEARS = list(range(2024, 2034))
OWNER_NAME = "Gerencia de Diversidades Sexuales e Identidades de Género"


@pytest.fixture
def policy_plan(app, db, catalogs):
    result = commands.import_plan(SEED_000.read_bytes(), filename=SEED_000.name, publish=True, actor="test")
    assert result.ok, [(i.line, i.reason) for i in result.parsed.errors]
    return queries.get_plan(result.plan.id)


def test_seed_000_is_one_ten_year_plan_with_yearly_targets(policy_plan, db):
    plan = policy_plan
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 1  # not ten yearly plans
    assert (plan.year, plan.end_year, plan.years, plan.multi_year) == (2024, 2033, YEARS, True)
    assert (
        plan.period_count == 40 and plan.period_name(10) == "2026-II" and plan.period_span(10) == (2026, 4, 6)
    )
    assert plan.owner_office == "GDSIG"
    assert [a.number for a in plan.actions] == [1, 2, 3, 4, 5] and len(plan.tasks) == 10
    assert db.session.scalar(select(func.count()).select_from(PlanTaskTarget)) == 100
    committee = task_by(plan, "Dinamizar y realizar")
    assert committee.office_codes == ["GDSIG", "SIS"]  # responsible and co-responsible
    assert committee.accumulation == "per_period" and committee.goal == 40  # "Anual": 4 a year add up
    assert [committee.year_target(y) for y in YEARS] == [4] * 10
    documents = task_by(plan, "Apoyar la elaboración")
    assert documents.accumulation == "cumulative" and documents.goal == 10  # the last year's target
    coverage = task_by(plan, "Diligenciar el documento")
    assert coverage.unit == "percentage" and coverage.year_target(2026) == 80 and coverage.goal == 100
    assert task_by(plan, "Realizar talleres").office_codes == ["GDSIG", "SSAL", "SEDU"]
    # "Avance 2024", "Avance 2025": the figure after each year's last period (IV)
    assert {(r.period, r.value) for r in committee.reports} == {(4, 4), (8, 3)}


def test_seed_000_with_cartago_catalog_asks_for_the_owner_then_imports_one_plan(app, db):
    from app.catalogs import commands as catalogs

    catalogs.load("cartago")
    preview = commands.import_plan(SEED_000.read_bytes(), dry_run=True)
    assert preview.parsed.owner_code is None and preview.parsed.owner_unknown == OWNER_NAME  # never guessed
    assert OWNER_NAME in preview.parsed.unknown_offices
    chosen = commands.import_plan(SEED_000.read_bytes(), owner="SDS")
    assert chosen.ok, [(i.line, i.reason) for i in chosen.parsed.errors]
    plan = chosen.plan
    assert (plan.owner_office, plan.year, plan.end_year, len(plan.tasks)) == ("SDS", 2024, 2033, 10)
    assert task_by(plan, "Realizar talleres").office_codes == ["SSAL", "SEDU"]
    assert db.session.scalar(select(func.count()).select_from(PlanTaskTarget)) == 100
    # a year that does not fit the file's years is refused, nothing written
    db.session.delete(plan)
    db.session.commit()
    wrong = commands.import_plan(SEED_000.read_bytes(), owner="SDS", year=2026)
    assert not wrong.ok and db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_progress_and_status_per_year_and_over_the_whole_plan(policy_plan, may_2026):
    plan = policy_plan
    today = time.today()
    committee = task_by(plan, "Dinamizar y realizar")  # 4 sessions a year; 4 in 2024, 3 in 2025
    by_year = {y: queries.task_summary(committee, today, year=y) for y in (2024, 2025, 2026)}
    assert (by_year[2024]["goal"], by_year[2024]["achieved"], by_year[2024]["status"]) == (4, 4, "done")
    assert (by_year[2025]["achieved"], by_year[2025]["progress"], by_year[2025]["status"]) == (
        3,
        75.0,
        "late",
    )
    # 2026: nothing reported by 15 May while 4.5 of its 12 months have gone
    assert by_year[2026]["achieved"] is None and by_year[2026]["progress"] == 0.0
    assert by_year[2026]["expected"] == pytest.approx(100 * (4 + 15 / 31) / 12, abs=0.1)
    assert by_year[2026]["status"] == "at_risk"
    whole = queries.task_summary(committee, today)
    assert (whole["goal"], whole["achieved"], whole["progress"]) == (40, 7, 17.5)  # 4 + 3 of 40
    assert whole["expected"] == pytest.approx(100 * (24 + 4 + 15 / 31) / 120, abs=0.1)
    assert whole["status"] == "on_track"
    assert whole["by_year"][:3] == [(2024, 4, 4), (2025, 4, 3), (2026, 4, None)]

    documents = task_by(plan, "Apoyar la elaboración")  # cumulative: 1 by 2024, 2 by 2025; 3 due by 2026
    assert queries.task_summary(documents, today, year=2025)["status"] == "done"
    assert queries.task_summary(documents, today, year=2026)["progress"] == pytest.approx(66.7)

    commands.report(committee, 10, "SIS", value=2, progress_text="Dos sesiones del Comité.")  # 2026-II
    commands.report(documents, 10, "GDSIG", value=3)
    plan = queries.get_plan(plan.id)
    committee, documents = task_by(plan, "Dinamizar y realizar"), task_by(plan, "Apoyar la elaboración")
    assert queries.task_summary(committee, today, year=2026)["progress"] == 50.0
    assert queries.task_summary(documents, today, year=2026)["status"] == "done"
    assert queries.task_summary(committee, today)["achieved"] == 9
    overview = queries.plan_overview(plan, today, year=2026)
    assert overview["year"] == 2026 and overview["periods"] == [9, 10, 11, 12]
    assert queries.plan_overview(plan, today, year=2040)["year"] is None  # outside: the whole plan
    with pytest.raises(rules.PlanError):
        commands.report(committee, 11, "GDSIG", value=1)  # 2026-III has not begun
    with pytest.raises(rules.PlanError):
        commands.report(committee, 41, "GDSIG", value=1)  # no such period


def test_targets_per_period_within_a_year_set_the_expected_progress(policy_plan, may_2026):
    plan = policy_plan
    workshops = task_by(plan, "Realizar talleres")  # 12 a year, per period
    data = {
        "description": workshops.description,
        "offices": workshops.office_codes,
        "start_month": 1,
        "end_month": 12,
        "months": list(range(1, 13)),
        "indicator_name": workshops.indicator_name,
        "unit": "number",
        "accumulation": "per_period",
        "goal": None,
        "targets": "\n".join(f"{y}: 12" for y in YEARS) + "\n2026-I: 3\n2026-II: 6",
    }
    commands.save_task(workshops.action, workshops, data)
    assert workshops.period_targets(2026) == {1: 3, 2: 6} and workshops.goal == 120
    assert rules.targets_text(workshops).splitlines()[2:5] == ["2026: 12", "2026-I: 3", "2026-II: 6"]
    summary = queries.task_summary(workshops, time.today(), year=2026)
    assert summary["expected"] == 25.0  # only 2026-I has closed: 3 of 12
    for bad in ("2040: 3", "2026-IX: 3", "2026: cero", "2026: 0"):
        with pytest.raises(rules.PlanError) as refused:
            commands.save_task(workshops.action, workshops, {**data, "targets": bad})
        assert refused.value.field == "yearly_targets"


def test_public_page_per_year_and_over_the_whole_plan(client, policy_plan, may_2026):
    plan = policy_plan
    whole = client.get(f"/planes/{plan.id}").get_data(as_text=True)
    assert "2024–2033" in whole and "Metas y logros por año" in whole
    assert f'href="/planes/{plan.id}?anio=2026"' in whole and 'aria-current="page">Todo el plan' in whole
    year = client.get(f"/planes/{plan.id}?anio=2026")
    page = year.get_data(as_text=True)
    assert year.status_code == 200 and "Avance de 2026" in page and "Meta 2026" in page
    assert "2026-I" in page and "2026-IV" in page and "2025-IV" not in page
    assert 'aria-current="page">2026<' in page
    assert client.get(f"/planes/{plan.id}?anio=abc").status_code == 200  # bad input: the whole plan


def test_follow_up_sheet_of_a_period_of_one_year_round_trips(client, make_user, policy_plan, may_2026, db):
    plan = policy_plan
    committee = task_by(plan, "Dinamizar y realizar")
    client.login(make_user("editor", email="diversidad@prueba.gov.co", offices=("GDSIG",)))
    response = client.get(f"/gestion/planes/{plan.id}/seguimiento.xlsx?dependencia=GDSIG&periodo=10")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert sheet["B4"].value == 10 and sheet["C4"].value == "2026-II: Abril a junio 2026"
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=bulk.HEADER_ROW + 2) if r[0].value}
    assert rows[committee.id][5].value == 4  # META: the year's target, not the ten-year goal
    rows[committee.id][bulk.C_VALUE].value = 2
    out = io.BytesIO()
    book.save(out)
    preview = client.submit(
        f"/gestion/planes/{plan.id}/seguimiento",
        {"file": (io.BytesIO(out.getvalue()), "s.xlsx")},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "periodo 2026-II" in page
    import re

    token = re.search(r'name="token"[^>]*value="([0-9a-f]+)"', page).group(1)
    done = client.submit(
        f"/gestion/planes/{plan.id}/seguimiento/confirmar",
        {"token": token},
        form_url=f"/gestion/planes/{plan.id}",
    )
    assert done.status_code == 302
    stored = db.session.scalar(
        select(PlanReport).where(PlanReport.task_id == committee.id, PlanReport.period == 10)
    )
    assert stored.value == 2 and stored.office_code == "GDSIG"
    # a later year's period has not begun: no sheet
    assert (
        client.get(f"/gestion/planes/{plan.id}/seguimiento.xlsx?dependencia=GDSIG&periodo=13").status_code
        == 404
    )
    agenda = client.get("/gestion/planes/mis-tareas?dependencia=GDSIG").get_data(as_text=True)
    assert "hoja del periodo 2026-II" in agenda


def _cells(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    return [[("" if c is None else c) for c in row] for row in sheet.iter_rows(values_only=True)]


def test_xlsx_export_whole_plan_reads_back_as_the_same_plan_and_per_year(
    client, login_as, policy_plan, may_2026, db
):
    plan = policy_plan
    login_as("admin")
    whole = client.get(f"/gestion/planes/{plan.id}/plan.xlsx")
    assert whole.status_code == 200
    rows = _cells(whole.data)
    assert any(r[0] == "VIGENCIA: 2024 - 2033" for r in rows)
    header_at = next(i for i, r in enumerate(rows) if r[0] == "N°")
    header, sub = rows[header_at], rows[header_at + 1]
    assert "SEGUIMIENTO ANUAL" in header and [f"META {y}" for y in YEARS] == header[-10:]
    assert header[-11] == "TIPO DE META"
    first_year = header.index("SEGUIMIENTO ANUAL")
    assert sub[first_year : first_year + 10] == [str(y) for y in YEARS]
    committee_row = next(r for r in rows if str(r[2]).startswith("Dinamizar y realizar"))
    assert (
        committee_row[first_year : first_year + 2] == [4, 3] and committee_row[-11:] == ["Anual"] + [4] * 10
    )

    again = commands.import_plan(whole.data, name="Copia del plan estratégico", owner="GDSIG")
    assert again.ok, [(i.line, i.reason) for i in again.parsed.errors]
    copy = again.plan
    assert (copy.year, copy.end_year, len(copy.tasks)) == (2024, 2033, 10)
    for original, copied in zip(plan.tasks, copy.tasks, strict=True):
        assert [(t.year, t.period, t.goal) for t in copied.targets] == [
            (t.year, t.period, t.goal) for t in original.targets
        ]
        assert copied.accumulation == original.accumulation and copied.goal == original.goal
        assert {(r.period, r.value) for r in copied.reports} == {
            (r.period, r.value) for r in original.reports
        }

    one_year = _cells(client.get(f"/gestion/planes/{plan.id}/plan.xlsx?anio=2025").data)
    assert any(r[0] == "AÑO: 2025" for r in one_year)
    header_at = next(i for i, r in enumerate(one_year) if r[0] == "N°")
    assert "SEGUIMIENTO TRIMESTRAL" in one_year[header_at] and "META 2025" not in one_year[header_at]
    committee_row = next(r for r in one_year if str(r[2]).startswith("Dinamizar y realizar"))
    goal_at = one_year[header_at].index("META")
    assert committee_row[goal_at : goal_at + 4] == [4, "Número", 75, "Atrasada"]


def test_pdf_report_of_one_year(app, policy_plan, may_2026, tmp_path):
    import subprocess

    with app.test_request_context("/"):
        data = exports.pdf_bytes(queries.get_plan(policy_plan.id), year=2025)
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Año: 2025" in text and "2025-IV" in text and "2026-I" not in text


def test_open_data_and_accountability_report_per_year(app, policy_plan, may_2026):
    from app.core.registry import ReportPeriod
    from app.plans import report

    with app.test_request_context("/"):
        dataset = next(d for d in report.datasets() if d.key == "avance-planes")
        columns = [c[0] for c in dataset.columns]
        rows = [dict(zip(columns, r, strict=True)) for r in dataset.rows()]
        mine = [r for r in rows if r["plan_id"] == policy_plan.id]
        assert len(mine) == 100 and {r["anio"] for r in mine} == set(YEARS)
        committee_2025 = next(r for r in mine if r["anio"] == 2025 and r["tarea"].startswith("Dinamizar"))
        assert (committee_2025["meta"], committee_2025["logrado"], committee_2025["estado"]) == (
            4,
            3,
            "Atrasada",
        )
        assert committee_2025["vigencia"] == "2024–2033"
        sections = report.sections(ReportPeriod(date(2025, 1, 1), date(2025, 12, 31), "2025"))
    plans = sections[0]
    whole = queries.plan_overview(queries.get_plan(policy_plan.id), date(2025, 12, 31))
    year = queries.plan_overview(queries.get_plan(policy_plan.id), date(2025, 12, 31), year=2025)
    assert any(
        f"avance de 2025 {year['progress']:.0f} %" in p and f"plan completo {whole['progress']:.0f} %" in p
        for p in plans.paragraphs
    ), plans.paragraphs
    assert plans.tables[0].caption.startswith("Avance por acción en 2025")
    assert [row[2] for row in plans.tables[0].rows] == [f"{a['progress']:.0f} %" for a in year["actions"]]
    # a plan of 2024–2033 is in the report of any of its years, and in no other
    with app.test_request_context("/"):
        assert report.sections(ReportPeriod(date(2034, 1, 1), date(2034, 12, 31), "2034"))[0].tables == []


def test_staff_forms_edit_years_and_targets(client, login_as, policy_plan, may_2026, db):
    plan = policy_plan
    workshops = task_by(plan, "Realizar talleres")
    login_as("admin")
    form = client.get(f"/gestion/planes/{plan.id}/tareas/{workshops.id}/editar").get_data(as_text=True)
    assert "Metas por año" in form and "2033: 12" in form
    page = client.get(f"/gestion/planes/{plan.id}?anio=2026").get_data(as_text=True)
    assert "Meta 2026" in page and "2026-II" in page
    assert "Por año (meta / logrado)" in client.get(f"/gestion/planes/{plan.id}").get_data(as_text=True)
    with time.freeze(datetime(2026, 5, 15, 17, 0)):
        with pytest.raises(rules.PlanError):  # reports exist in 2024–2025: years cannot shrink away
            commands.save_plan(
                plan,
                {
                    "name": plan.name,
                    "year": 2026,
                    "end_year": 2033,
                    "owner_office": "GDSIG",
                    "periods": "1-3, 4-6, 7-9, 10-12",
                },
            )


def test_import_preview_shows_the_years_and_the_targets_per_task(client, login_as, catalogs):
    login_as("admin")
    response = client.submit(
        "/gestion/planes/importar",
        {"file": (io.BytesIO(SEED_000.read_bytes()), SEED_000.name), "name": "", "year": "", "owner": ""},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    assert "2024–2033" in page
    tasks = page[page.index("Acciones y tareas leídas") :]
    assert tasks.count("10 metas por año o periodo") == 10
    assert (
        "Gerencia de Diversidades Sexuales e Identidades de Género; Secretaría de Inclusión Social" in tasks
    )
