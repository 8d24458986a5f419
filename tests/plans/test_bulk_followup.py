"""Follow-up in bulk (issue 15): an office downloads its sheet, fills it, uploads it, sees exactly
what will change, confirms; notes are public only after review; "Mis tareas"; reminders."""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core import time
from app.core.audit import AuditEntry
from app.plans import bulk, commands
from app.plans.models import PlanReminder, PlanReport
from tests.conftest import Client
from tests.plans.conftest import task_by

ROW_RE = re.compile(r"<tr>(.*?)</tr>", re.S)
CELL_RE = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)


def _sheet_url(plan, office="DAP", period=2):
    return f"/gestion/planes/{plan.id}/seguimiento.xlsx?dependencia={office}&periodo={period}"


def _download(client, plan, office="DAP", period=2):
    response = client.get(_sheet_url(plan, office, period))
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.data))


def _rows_by_task(sheet):
    return {row[0].value: row for row in sheet.iter_rows(min_row=bulk.HEADER_ROW + 2) if row[0].value}


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, plan, data: bytes):
    url = f"/gestion/planes/{plan.id}/seguimiento"
    return client.submit(
        url, {"file": (io.BytesIO(data), "seguimiento.xlsx")}, content_type="multipart/form-data"
    )


def _changes(page: str) -> list[list[str]]:
    """The preview table's rows as text cells (the first two cells only on a task's first row)."""
    table = page[page.index("followup-changes") : page.index("</table>", page.index("followup-changes"))]
    body = table[table.index("<tbody>") :]
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in CELL_RE.findall(r)]
        for r in ROW_RE.findall(body)
    ]


def _token(page: str) -> str:
    return re.search(r'name="token"[^>]*value="([0-9a-f]+)"', page).group(1)


@pytest.fixture
def dap_editor(make_user):
    return make_user("editor", email="planeacion@prueba.gov.co", offices=("DAP",))


def test_bulk_round_trip_preview_confirm_review_public(
    app, client, make_user, dap_editor, medellin_plan, may_2026, db
):
    plan = medellin_plan
    formats = task_by(plan, "Cualificación de formatos")  # %, DAP + SGHSC, Mar–Sep
    meetings = task_by(plan, "Generación de espacios de evaluación")  # number goal 2, DAP
    attendance = task_by(plan, "Creación de listado de asistencia")  # %, DAP + SGHSC
    client.login(dap_editor)

    book = _download(client, plan)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[bulk.HEADER_ROW + 1]] == list(bulk.HEADERS)
    assert (sheet["B2"].value, sheet["B3"].value, sheet["B4"].value) == (plan.id, "DAP", 2)
    rows = _rows_by_task(sheet)
    assert set(rows) == {t.id for t in plan.tasks if "DAP" in t.reporting_codes}
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert audit.target == "plans.follow_up_xlsx" and audit.details["filters"]["office"] == "DAP"

    rows[formats.id][bulk.C_VALUE].value = 45
    rows[formats.id][bulk.C_TEXT].value = "Revisados 5 de 10 formatos."
    rows[meetings.id][bulk.C_VALUE].value = "1"
    rows[attendance.id][
        bulk.C_EVID
    ].value = "https://www.medellin.gov.co/listado.pdf\nhttps://www.medellin.gov.co/qr.pdf"
    filled = _save(book)

    preview = _upload(client, plan, filled)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    changes = _changes(page)
    row_of = {t.id: _rows_by_task(sheet)[t.id][0].row for t in (formats, meetings, attendance)}
    assert changes == [
        [str(row_of[formats.id]), f"3. {formats.description}", "Valor", "—", "45"],
        ["Avance cualitativo", "—", "Revisados 5 de 10 formatos."],
        [
            str(row_of[attendance.id]),
            f"{attendance.action.number}. {attendance.description}",
            "Evidencias",
            "—",
            "https://www.medellin.gov.co/listado.pdf\nhttps://www.medellin.gov.co/qr.pdf",
        ],
        [str(row_of[meetings.id]), f"{meetings.action.number}. {meetings.description}", "Valor", "—", "1"],
    ]  # in the sheet's order
    assert db.session.scalar(select(func.count()).select_from(PlanReport)) == 0  # nothing saved yet

    done = client.submit(
        f"/gestion/planes/{plan.id}/seguimiento/confirmar",
        {"token": _token(page)},
        form_url=f"/gestion/planes/{plan.id}",
    )
    assert done.status_code == 302
    stored = {(r.task_id, r.office_code, r.period): r for r in db.session.scalars(select(PlanReport))}
    assert set(stored) == {(formats.id, "DAP", 2), (meetings.id, "DAP", 2), (attendance.id, "DAP", 2)}
    assert stored[(formats.id, "DAP", 2)].value == 45 and stored[(meetings.id, "DAP", 2)].value == 1
    assert stored[(attendance.id, "DAP", 2)].value is None
    assert stored[(attendance.id, "DAP", 2)].evidence == [
        "https://www.medellin.gov.co/listado.pdf",
        "https://www.medellin.gov.co/qr.pdf",
    ]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "plan_bulk_reported")).details[
        "tasks"
    ] == [formats.id, attendance.id, meetings.id]

    # the same file again changes nothing
    again = _upload(client, plan, filled).get_data(as_text=True)
    assert "no cambia nada" in again and "followup-changes" not in again

    # public page: values at once, notes only after review
    public = client.get(f"/planes/{plan.id}").get_data(as_text=True)
    formats_block = public[public.index(f'id="tarea-{formats.id}"') :][:4000]
    assert "45\xa0%" in formats_block  # Colombian format: a non-breaking space before the sign
    assert "Revisados 5 de 10 formatos." not in public and "listado.pdf" not in public
    review_page = client.get(f"/gestion/planes/{plan.id}/revision").get_data(as_text=True)
    assert "Revisados 5 de 10 formatos." in review_page
    refused = client.submit(
        f"/gestion/planes/{plan.id}/revision/{stored[(formats.id, 'DAP', 2)].id}",
        {"decision": "return"},
        form_url=f"/gestion/planes/{plan.id}/revision",
    )  # returning needs a reason: said next to the field and in the summary, nothing changes
    assert refused.status_code == 422
    refused_page = refused.get_data(as_text=True)
    assert (
        refused_page.count("Escribe por qué devuelves el reporte.") >= 2
        and 'id="error-summary"' in refused_page
    )
    assert stored[(formats.id, "DAP", 2)].review_state == "pending"
    for report in (stored[(formats.id, "DAP", 2)], stored[(attendance.id, "DAP", 2)]):
        ok = client.submit(
            f"/gestion/planes/{plan.id}/revision/{report.id}",
            {"decision": "approve"},
            form_url=f"/gestion/planes/{plan.id}/revision",
        )
        assert ok.status_code == 302
    public = client.get(f"/planes/{plan.id}").get_data(as_text=True)
    assert "Revisados 5 de 10 formatos." in public and "https://www.medellin.gov.co/listado.pdf" in public
    twice = client.submit(
        f"/gestion/planes/{plan.id}/revision/{stored[(formats.id, 'DAP', 2)].id}",
        {"decision": "return", "note": "Tarde"},
        form_url=f"/gestion/planes/{plan.id}/revision",
    )  # reviewed already (another tab)
    assert twice.status_code == 303
    assert "ya no espera revisión" in client.get(twice.headers["Location"]).get_data(as_text=True)
    db.session.refresh(stored[(formats.id, "DAP", 2)])
    assert stored[(formats.id, "DAP", 2)].review_state == "approved"

    # the co-responsible office sees the one shared figure in its own sheet
    humana = make_user("editor", email="humana@prueba.gov.co", offices=("SGHSC",))
    other = Client(app.test_client())
    other.login(humana)
    shared = _rows_by_task(_download(other, plan, "SGHSC").worksheets[0])
    assert shared[formats.id][bulk.C_VALUE].value == 45 and not shared[formats.id][bulk.C_TEXT].value
    assert meetings.id not in shared


def _filled(client, plan, edits: dict) -> bytes:
    book = _download(client, plan)
    rows = _rows_by_task(book.worksheets[0])
    for (task_id, col), value in edits.items():
        rows[task_id][col].value = value
    return _save(book)


def test_bad_rows_are_listed_and_nothing_is_saved(client, dap_editor, medellin_plan, may_2026, db):
    plan = medellin_plan
    formats = task_by(plan, "Cualificación de formatos")
    meetings = task_by(plan, "Generación de espacios de evaluación")
    leader = task_by(plan, "Convocatoria en el 1er trimestre")
    client.login(dap_editor)
    data = _filled(
        client,
        plan,
        {
            (formats.id, bulk.C_VALUE): 140,
            (meetings.id, bulk.C_VALUE): "dos",
            (leader.id, bulk.C_EVID): "javascript:alert(1)",
            (leader.id, bulk.C_TEXT): "bien",
        },
    )
    response = _upload(client, plan, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        "no puede pasar de 100" in page
        and "VALOR debe ser un número" in page
        and "no es un enlace web" in page
    )
    assert "Guardar estos cambios" not in page
    assert db.session.scalar(select(func.count()).select_from(PlanReport)) == 0
    garbage = _upload(client, plan, b"PK\x03\x04 no es un libro")
    assert garbage.status_code == 422 and "No pudimos leer el archivo" in garbage.get_data(as_text=True)


def test_other_offices_and_stale_previews_are_refused(
    app, client, make_user, dap_editor, medellin_plan, may_2026, db
):
    plan = medellin_plan
    formats = task_by(plan, "Cualificación de formatos")
    client.login(dap_editor)
    data = _filled(client, plan, {(formats.id, bulk.C_VALUE): 50})
    assert client.get(_sheet_url(plan, "DAP", 3)).status_code == 404  # period III has not begun
    page = _upload(client, plan, data).get_data(as_text=True)
    # someone else reports in between: the preview no longer tells the truth, nothing is saved
    commands.report(formats, 2, "SGHSC", value=20)
    stale = client.submit(
        f"/gestion/planes/{plan.id}/seguimiento/confirmar",
        {"token": _token(page)},
        form_url=f"/gestion/planes/{plan.id}",
    )
    assert stale.status_code == 302
    assert [(r.office_code, r.value) for r in db.session.scalars(select(PlanReport))] == [("SGHSC", 20.0)]

    outsider = make_user("editor", email="comunicaciones@prueba.gov.co", offices=("SCOM",))
    other = Client(app.test_client())
    other.login(outsider)
    assert other.get(_sheet_url(plan)).status_code == 403
    refused = _upload(other, plan, data)
    assert refused.status_code == 422 and "Solo las personas" in refused.get_data(as_text=True)
    assert other.get(f"/gestion/planes/{plan.id}/revision").status_code == 403


def test_my_tasks_lists_due_and_overdue(client, dap_editor, medellin_plan, may_2026, db):
    plan = medellin_plan
    leader = task_by(plan, "Convocatoria en el 1er trimestre")  # Jan–Mar: period I closed unreported
    meetings = task_by(plan, "Generación de espacios de evaluación")  # Mar–Sep
    client.login(dap_editor)
    page = client.get("/gestion/planes/mis-tareas").get_data(as_text=True)
    overdue = page[page.index('id="vencidas"') : page.index('id="pendientes"')]
    due = page[page.index('id="pendientes"') :]
    assert leader.description in overdue and "31/03/2026" in overdue
    assert meetings.description in due and "30/06/2026" in due
    commands.report(meetings, 2, "DAP", value=1)
    commands.report(leader, 1, "DAP", value=100)
    page = client.get("/gestion/planes/mis-tareas").get_data(as_text=True)
    due = page[page.index('id="pendientes"') :]
    assert meetings.description not in due and leader.description not in page
    assert client.get("/gestion/planes/mis-tareas?dependencia=SCOM").status_code == 403


def test_reminders_go_once_to_the_office_editors(app, dap_editor, make_user, medellin_plan, db, caplog):
    make_user("editor", email="humana@prueba.gov.co", offices=("SGHSC",))
    with time.freeze(datetime(2026, 5, 15, 17, 0)):
        assert commands.send_reminders(days=7) == []  # quarter II closes on 30 June
    with time.freeze(datetime(2026, 6, 25, 17, 0)):
        commands.report(task_by(medellin_plan, "Cualificación de formatos"), 2, "SGHSC", value=10)
        sent = commands.send_reminders(days=7)
        by_office = {r.office: r for r in sent}
        assert by_office["DAP"].recipients == ["planeacion@prueba.gov.co"]
        assert by_office["SGHSC"].recipients == ["humana@prueba.gov.co"]
        # the shared figure covers SGHSC's co-responsible task: only its other tasks are pending
        formats = task_by(medellin_plan, "Cualificación de formatos")
        subject, body = commands.reminder_text(
            medellin_plan,
            2,
            "SGHSC",
            [t for t in medellin_plan.tasks if "SGHSC" in t.reporting_codes and t is not formats],
            date(2026, 6, 30),
        )
        assert "30/06/2026" in subject and formats.description not in body
        assert all(r.period == 2 for r in sent)
        result = app.test_cli_runner().invoke(args=["participa", "plan-reminders"])
        assert result.exit_code == 0 and "0 recordatorios enviados" in result.output
    assert db.session.scalar(select(func.count()).select_from(PlanReminder)) == len(sent)
