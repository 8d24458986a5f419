"""Paper sheets typed into the official list: exactly the codes printed on the sheet, no blank
rows, a duplicate check for every row, and rows an editor corrects or voids with a reason kept in
the audit log (the official list shows voided rows as voided)."""

from __future__ import annotations

import csv
import io
import subprocess

import openpyxl
from sqlalchemy import func, select

from app.characterization.models import Profile
from app.core.audit import AuditEntry
from app.events import queries
from app.events.models import Attendance
from tests.events.conftest import attendee, hidden_fields


def _paper(client, event, **row):
    path = f"/gestion/eventos/{event.id}/papel"
    fields = hidden_fields(client.get(path).get_data(as_text=True))
    data = {"name": "Rosa Palacios", "doc_type": "CC", "doc_number": "32555666", "consent": "y"}
    data.update(row)
    return client.post(path, data={**fields, **{k: v for k, v in data.items() if v is not None}})


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_codes_printed_on_the_sheet_and_the_slips_are_stored_as_typed(
    client, db, login_as, make_event, drain
):
    event = make_event()
    login_as("editor")
    response = _paper(client, event, doc_type="cc")
    assert response.status_code == 303
    row = db.session.scalar(select(Attendance))
    assert row.doc_type == "CC"  # not "CE", the next option starting with C
    path = f"/gestion/eventos/{event.id}/fichas?filas=1"
    for territory in ("08", "8"):
        fields = hidden_fields(client.get(path).get_data(as_text=True))
        slip = {
            "slips-0-territory": territory,
            "slips-0-life_course": "ve",
            "slips-0-sex": "2",
            "slips-0-value_group": "jac",
            "slips-0-consent": "y",
        }
        assert client.post(path, data={**fields, **slip}).status_code == 303
    drain()  # slips reach the database through the profile buffer
    profiles = list(db.session.scalars(select(Profile)))
    assert {(p.territory, p.life_course, p.value_group) for p in profiles} == {("08", "VE", "JAC")}
    assert len(profiles) == 2


def test_a_code_not_on_the_sheet_is_refused_with_the_codes_to_use(client, db, login_as, make_event):
    event = make_event()
    login_as("editor")
    response = _paper(client, event, doc_type="XX", territory="99")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Escribe uno de los códigos de la planilla: CC, TI" in html and 'value="XX"' in html
    assert _count(db, Attendance) == 0


def test_enter_on_the_empty_form_adds_no_blank_attendee(client, db, login_as, make_event):
    event = make_event()
    login_as("editor")
    for data in (
        {"name": "", "doc_type": "", "doc_number": "", "consent": None},
        {"name": "  ", "doc_type": "", "doc_number": " \t ", "consent": None},
    ):
        response = _paper(client, event, **data)
        assert response.status_code == 422
        assert "Esta fila está vacía" in response.get_data(as_text=True)
    assert _count(db, Attendance) == 0 and queries.count(event.id) == 0


def test_a_row_without_the_consent_tick_is_checked_for_duplicates_too(client, db, login_as, make_event, sign):
    event = make_event()
    sign(f"/asistencia/{event.token}", attendee(doc="43111222"))  # signed on the phone
    login_as("editor")
    again = _paper(client, event, name="María Restrepo", doc_number="43.111.222", consent=None)
    assert again.status_code == 409 and "ya está en el listado" in again.get_data(as_text=True)
    assert queries.count(event.id) == 1
    assert _paper(client, event, name="Sin tick", doc_number="71222333", consent=None).status_code == 303
    later = _paper(client, event, name="Sin tick otra vez", doc_number="71222333", consent=None)
    assert later.status_code == 409 and queries.count(event.id) == 2


def test_an_editor_corrects_and_voids_rows_with_a_reason_and_the_official_list_shows_it(
    client, db, login_as, make_event, make_user
):
    event = make_event()
    login_as("editor")
    _paper(client, event, name="Rosa Palaciso", doc_number="32555666")
    _paper(client, event, name="Rosa Palacios (repetida)", doc_number="32555667")
    first, second = db.session.scalars(select(Attendance).order_by(Attendance.id)).all()
    path = f"/gestion/eventos/{event.id}/asistencia/{first.id}"
    no_reason = client.submit(path, {"action": "correct", "name": "Rosa Palacios", "reason": ""})
    assert no_reason.status_code == 422 and "queda en el registro de auditoría" in no_reason.get_data(
        as_text=True
    )
    ok = client.submit(
        path,
        {
            "action": "correct",
            "name": "Rosa Palacios",
            "contact": "",
            "reason": "Error al digitar el apellido",
        },
    )
    assert ok.status_code == 303
    void = client.submit(
        f"/gestion/eventos/{event.id}/asistencia/{second.id}",
        {"action": "void", "reason": "Fila repetida en la hoja 2 de la planilla"},
    )
    assert void.status_code == 303
    db.session.expire_all()
    assert db.session.get(Attendance, first.id).name == "Rosa Palacios"
    assert db.session.get(Attendance, second.id).voided_at is not None and queries.count(event.id) == 1
    log = {
        e.action: e.details
        for e in db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action.in_(("event_attendance_corrected", "event_attendance_voided"))
            )
        )
    }
    assert log["event_attendance_corrected"] == {
        "row": first.id,
        "fields": ["name"],
        "reason": "Error al digitar el apellido",
    }
    assert log["event_attendance_voided"]["reason"] == "Fila repetida en la hoja 2 de la planilla"
    assert "Palaciso" not in str(log)  # the log keeps which fields and why, not the personal data
    # The voided document can sign again; the list keeps the voided row, marked.
    assert _paper(client, event, name="Otra persona", doc_number="32555667").status_code == 303
    client.post("/gestion/salir", data={"csrf_token": client.csrf("/gestion/")})
    login_as("steward", email="custodia@prueba.gov.co")
    page = client.get(f"/gestion/eventos/{event.id}/asistencia").get_data(as_text=True)
    assert "Anulada</strong>: Fila repetida en la hoja 2" in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/gestion/eventos/{event.id}/asistencia.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    assert [r[-1] for r in rows[1:]] == [
        "Válida",
        "Anulada: Fila repetida en la hoja 2 de la planilla",
        "Válida",
    ]
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/gestion/eventos/{event.id}/asistencia.xlsx").data)
    ).active
    assert [r[-1] for r in sheet.iter_rows(min_row=2, values_only=True)][1].startswith("Anulada")
    pdf = client.get(f"/gestion/eventos/{event.id}/asistencia.pdf").data
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode()
    assert (
        "Firmas registradas: 2" in text and "Anulada" in text and "1 fila anulada sigue en el listado" in text
    )
