"""XLSX in Cartago's layout (read back with openpyxl) and the PDF progress report."""

import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.plans import commands, exports, queries
from tests.plans.conftest import task_by


def _reported_plan(plan):
    commands.report(
        task_by(plan, "Convocatoria en el 1er trimestre"),
        1,
        "DAP",
        value=100,
        progress_text="Equipo conformado.",
    )
    formats = task_by(plan, "Cualificación de formatos")
    commands.report(formats, 1, "DAP", value=40, progress_text="Revisados 4 de 10 formatos.")
    commands.report(formats, 2, "SGHSC", value=30, difficulties="Cambio de contratista en Gestión Humana.")
    return queries.get_plan(plan.id)


def _download(client, login_as, url):
    login_as("analyst")
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response


def test_xlsx_has_cartago_columns_and_the_values_entered(client, login_as, medellin_plan, may_2026, db):
    plan = _reported_plan(medellin_plan)
    response = _download(client, login_as, f"/gestion/planes/{plan.id}/plan.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[1] == "ACTIVIDADES")
    top, sub = rows[header_at], rows[header_at + 1]
    assert top[:4] == ["N°", "ACTIVIDADES", "TAREA (S) QUE AYUDA A IMPLEMENTAR LA ACTIVIDAD", "MES"]
    assert sub[3:15] == [str(m) for m in range(1, 13)]
    assert top[15:20] == [
        "PRODUCTOS (BIENES O SERVICIOS) ENTREGABLES",
        "INDICADOR",
        "",
        "RESPONSABLES",
        "SEGUIMIENTO TRIMESTRAL",
    ]
    assert sub[16 : 17 + 1] == ["FÓRMULA", "RESULTADO"] and sub[19:23] == ["I", "II", "III", "IV"]
    assert top[23:28] == ["META", "UNIDAD DE MEDIDA", "AVANCE (%)", "ESTADO", "OBSERVACIONES"]
    assert any(r[0] == f"NOMBRE DEL PLAN: {plan.name}" for r in rows[:header_at])
    data = rows[header_at + 2 :]
    assert len(data) == 15
    first = data[0]
    assert first[:3] == [
        1,
        "Conformación del equipo líder de la rendición de cuentas",
        "Convocatoria en el 1er trimestre.",
    ]
    assert first[3:15] == ["X", "X", "X"] + [""] * 9
    assert first[17] == 100 and first[18] == "Departamento Administrativo de Planeación"
    assert first[19:23] == [100, "", "", ""] and first[23:27] == [100, "Porcentaje", 100, "Cumplida"]
    formats = next(
        r for r in data if r[2] == "Cualificación de formatos del Procedimiento Rendición de Cuentas."
    )
    assert formats[0] == "" and formats[1] == ""  # continuation row of action 3
    assert formats[3:15] == [""] * 2 + ["X"] * 7 + [""] * 3
    assert formats[17] == 30 and formats[19:23] == [40, 30, "", ""]  # one shared figure per period
    assert formats[18] == (
        "Departamento Administrativo de Planeación; Secretaría de Gestión Humana y Servicio a la Ciudadanía"
    )
    digital = next(r for r in data if r[2].startswith("Digitalización QR"))
    assert digital[27] == "De acuerdo a los formatos que apliquen"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert (
        entry.target == "plans.plan_xlsx"
        and entry.details["rows"] == 15
        and entry.details["filters"] == {"plan": plan.id}
    )


def test_exported_workbook_imports_back(client, login_as, medellin_plan, may_2026, db):
    response = _download(client, login_as, f"/gestion/planes/{medellin_plan.id}/plan.xlsx")
    result = commands.import_plan(response.data, name="Copia del plan", dry_run=True)
    assert result.ok, result.parsed.errors
    parsed = result.parsed
    assert parsed.year == 2026 and parsed.owner_code == "DAP" and parsed.task_count == 15
    assert [a.number for a in parsed.actions] == list(range(1, 10))
    mesa = parsed.actions[-1].tasks[0]
    assert (mesa.codes, mesa.months, mesa.unit, mesa.goal) == (
        ["DAP", "SMUJ", "GDSIG", "SGHSC"],
        list(range(3, 13)),
        "number",
        1.0,
    )


def test_pdf_report_for_the_plan_and_for_one_office(client, login_as, medellin_plan, may_2026, db):
    plan = _reported_plan(medellin_plan)
    plan.analysis = "El primer semestre cerró con el equipo líder conformado."
    db.session.commit()
    response = _download(client, login_as, f"/gestion/planes/{plan.id}/informe.pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    office = client.get(f"/gestion/planes/{plan.id}/informe.pdf?dependencia=SGHSC")
    assert office.status_code == 200 and office.data.startswith(b"%PDF")
    assert client.get(f"/gestion/planes/{plan.id}/informe.pdf?dependencia=SEDU").status_code == 404
    texts = [getattr(f, "text", "") for f in exports.report_story(plan)]
    joined = "\n".join(texts)
    for expected in (
        "Análisis anual",
        "El primer semestre cerró con el equipo líder conformado.",
        "Revisados 4 de 10 formatos.",
        "Dificultades: Cambio de contratista en Gestión Humana.",
        "Hallazgos y acciones de mejora",
    ):
        assert expected in joined
    only_sghsc = "\n".join(getattr(f, "text", "") for f in exports.report_story(plan, "SGHSC"))
    assert "Cambio de contratista" in only_sghsc and "Equipo conformado." not in only_sghsc
    audited = db.session.scalars(select(AuditEntry).where(AuditEntry.target == "plans.progress_pdf")).all()
    assert [e.details["filters"]["office"] for e in audited] == [None, "SGHSC"]


def test_formula_like_text_is_neutralised_in_xlsx(client, login_as, medellin_plan, may_2026, db):
    task = task_by(medellin_plan, "Convocatoria en el 1er trimestre")
    task.deliverable = '=HYPERLINK("http://malo")'
    db.session.commit()
    response = _download(client, login_as, f"/gestion/planes/{medellin_plan.id}/plan.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert '\'=HYPERLINK("http://malo")' in values


def test_xlsx_keeps_the_official_spanish_layout_in_english(client, login_as, medellin_plan, may_2026):
    response = _download(client, login_as, f"/gestion/planes/{medellin_plan.id}/plan.xlsx?lang=en")
    values = {
        c
        for row in load_workbook(io.BytesIO(response.data)).worksheets[0].iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    }
    assert {"ACTIVIDADES", "SEGUIMIENTO TRIMESTRAL", "Porcentaje", "Atrasada"} <= values
