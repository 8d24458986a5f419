"""The audit log in plain Spanish (issue 15): labels per action, readable details, filters by
person, action, dates and object, CSV export (itself audited), readable by steward and admin."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select

from app.core import audit, time
from app.core.audit import AuditEntry


def _entries(db):
    with time.freeze(datetime(2026, 3, 10, 15, 0)):
        audit.record(
            "plan_bulk_reported",
            target="plan:7",
            actor="planeacion@prueba.gov.co",
            details={"office": "DAP", "period": 2, "tasks": [3, 4]},
        )
    with time.freeze(datetime(2026, 4, 20, 15, 0)):
        audit.record(
            "export",
            target="events.attendance",
            actor="custodia@prueba.gov.co",
            details={"format": "csv", "rows": 12, "personal": True},
        )
        audit.record(
            "export",
            target="plans.plan_xlsx",
            actor="planeacion@prueba.gov.co",
            details={"format": "xlsx", "rows": 15, "personal": False},
        )


def test_steward_reads_the_log_in_plain_spanish_and_filters_it(client, login_as, db):
    _entries(db)
    login_as("steward")
    page = client.get("/gestion/auditoria").get_data(as_text=True)
    assert "Cargó el seguimiento en bloque (Excel)" in page and "Descargó una exportación" in page
    assert "dependencia: DAP · periodo: 2 · tareas: 3, 4" in page and "datos personales: sí" in page
    table = page[page.index("<tbody>") :]
    assert "plan_bulk_reported" not in table and "{&#34;" not in table  # no raw codes or JSON
    by_person = client.get("/gestion/auditoria?persona=custodia").get_data(as_text=True)
    assert "events.attendance" in by_person and "plans.plan_xlsx" not in by_person
    by_action = client.get("/gestion/auditoria?accion=plan_bulk_reported").get_data(as_text=True)
    assert "plan:7" in by_action and "events.attendance" not in by_action
    by_dates = client.get("/gestion/auditoria?desde=2026-04-01&hasta=2026-04-30&objeto=plans").get_data(
        as_text=True
    )
    assert "plans.plan_xlsx" in by_dates and "plan:7" not in by_dates and "events.attendance" not in by_dates
    bad = client.get("/gestion/auditoria?desde=ayer")
    assert bad.status_code == 422 and "Escribe la fecha como AAAA-MM-DD." in bad.get_data(as_text=True)


def test_filtered_log_exports_as_csv_and_the_export_is_audited(client, login_as, db):
    _entries(db)
    login_as("admin")
    response = client.get("/gestion/auditoria.csv?persona=planeacion")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Fecha (hora de Colombia)", "Acción", "Código"]
    assert sorted(r[2] for r in rows[1:]) == ["export", "plan_bulk_reported"]
    assert any(r[0].startswith("2026-03-10 10:00") for r in rows[1:])  # Bogotá time
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.target == "accounts.audit_log"))
    assert entry.details["filters"] == {"persona": "planeacion"} and entry.details["rows"] == 2


def test_editors_and_analysts_cannot_read_it(client, login_as):
    login_as("analyst")
    assert client.get("/gestion/auditoria.csv").status_code == 403


def test_a_date_past_the_calendar_is_refused_not_a_500(client, login_as):
    """9999-12-31 plus one day (the end of the day asked for) overflowed: a 500 on the log page."""
    login_as("admin")
    for args in ("hasta=9999-12-31", "desde=9999-12-31", "desde=0001-01-01"):
        response = client.get(f"/gestion/auditoria?{args}")
        assert response.status_code == 422, args
        assert "Escribe la fecha como AAAA-MM-DD." in response.get_data(as_text=True)
