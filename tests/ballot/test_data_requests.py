"""Data-subject requests (Ley 1581 de 2012, arts. 14 y 15) filed into the urna virtual, end to end:
the citizen's form, radicado and legal deadline; the data steward's lookup, bound to the document
given at filing; erasure on a reclamo, audited; role checks; the answer through the urna's workflow.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.ballot import commands as urna
from app.ballot import rules
from app.ballot.habeas import commands
from app.ballot.habeas.models import BallotDataRequest
from app.ballot.models import BallotActivity, BallotNotice, BallotQuestion
from app.consultations.models import Consultation, ConsultationRoll
from app.core import time
from app.core.audit import AuditEntry
from app.core.hashing import document_hash
from app.events.models import Attendance, Event

from .conftest import form_data

URL = "/urna/datos-personales"
DOC = "1.036.222.333"
# Friday 20 March 2026, 10:00 in Bogotá. Monday 23 March (San José) and 2-3 April (Holy Thursday
# and Friday) are Colombian holidays, so 10 business days from the next day end on 8 April and
# 15 end on 15 April.
FILED = datetime(2026, 3, 20, 15, 0)


def _request_form(**overrides) -> dict:
    data = {
        "kind": "data_consultation",
        "name": "Luz Marina Gómez",
        "doc_type": "CC",
        "doc_number": DOC,
        "email": "luz@example.co",
        "phone": "",
        "details": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _file(client, **overrides):
    return client.submit(URL, _request_form(**overrides))


def _only_request() -> BallotQuestion:
    return BallotQuestion.query.filter(BallotQuestion.kind.in_(rules.DATA_KINDS)).one()


@pytest.mark.parametrize(
    ("kind", "rights", "days", "due"),
    [
        ("data_consultation", [], 10, date(2026, 4, 8)),
        ("data_claim", ["delete", "revoke"], 15, date(2026, 4, 15)),
    ],
)
def test_citizen_files_a_request_with_radicado_and_legal_deadline(
    app, client, catalogs, db, kind, rights, days, due
):
    with time.freeze(FILED):
        client.submit("/urna/", form_data())  # an ordinary question first: same numbering
        response = _file(client, kind=kind, rights=rights)
        receipt = client.get("/urna/radicado").get_data(as_text=True)  # the receipt is kept for 30 minutes
    assert response.status_code == 302 and response.headers["Location"].endswith("/urna/radicado")
    q = _only_request()
    assert q.radicado == "UV-2026-000002" and q.radicado in receipt
    assert (q.term_days, q.filed_on, q.due_on) == (days, date(2026, 3, 20), due)
    req = db.session.get(BallotDataRequest, q.id)
    assert req.rights == (["know"] if kind == "data_consultation" else rights)
    assert req.doc_hash == document_hash("data-request", "CC", DOC)
    # The document number is stored nowhere in clear.
    digits = "1036222333"
    for value in (q.text, q.name, q.email, q.phone or "", req.doc_type, req.doc_hash):
        assert digits not in (value or "")
    notice = db.session.scalar(select(BallotNotice).where(BallotNotice.question_id == q.id))
    assert notice.to_address == "luz@example.co" and q.radicado in notice.subject
    assert str(days) in notice.body and due.strftime("%d/%m/%Y") in notice.body


def test_deadline_counts_from_the_bogota_filing_day(app, client, catalogs, db):
    # 23:30 on Friday 20 March in Bogotá is already Saturday in UTC: the term still starts Monday.
    with time.freeze(datetime(2026, 3, 21, 4, 30)):
        assert _file(client).status_code == 302
    q = _only_request()
    assert (q.filed_on, q.due_on) == (date(2026, 3, 20), date(2026, 4, 8))


def test_extension_is_bounded_by_ley_1581(app, client, catalogs, db, make_user):
    with time.freeze(FILED):
        _file(client)
        _file(client, kind="data_claim", rights=["rectify"], email="otra@example.co")
    consulta, reclamo = BallotQuestion.query.order_by(BallotQuestion.id).all()
    assert rules.max_extension_date(consulta) == date(2026, 4, 15)  # 10 + 5 business days
    assert rules.max_extension_date(reclamo) == date(2026, 4, 27)  # 15 + 8 business days
    editor = make_user("editor")
    with time.freeze(FILED + timedelta(days=3)), pytest.raises(urna.WorkflowError):
        urna.extend(consulta, editor, date(2026, 4, 16), "Hay que revisar los archivos en papel.")


def test_form_errors_are_next_to_the_field_and_keep_the_input(client, catalogs, db):
    response = _file(client, kind="data_claim", rights=[], email="", doc_number="12")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Elige qué quieres que hagamos con tus datos." in html
    assert "Escribe un correo o un teléfono para responderte." in html
    assert "entre 3 y 20 letras o números" in html
    assert 'value="Luz Marina Gómez"' in html
    assert BallotQuestion.query.count() == 0


def test_general_deposit_form_does_not_offer_data_kinds(client, catalogs, db):
    html = client.get("/urna/").get_data(as_text=True)
    assert 'value="data_claim"' not in html and 'value="data_consultation"' not in html
    refused = client.submit("/urna/", form_data(kind="data_claim"))
    assert refused.status_code == 422 and BallotQuestion.query.count() == 0


def test_rights_page_is_linked_from_the_privacy_policy(client, catalogs):
    assert f'href="{URL}"' in client.get("/privacidad").get_data(as_text=True)
    page = client.get(URL).get_data(as_text=True)
    assert "10 días hábiles" in page and "15 días hábiles" in page and "caracterización" in page


# ---------------------------------------------------------------------------- the data steward


def _event(db, title: str) -> Event:
    start = datetime(2026, 2, 10, 14)
    event = Event(
        kind="AUD",
        title=title,
        status="closed",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        token=secrets.token_urlsafe(12),
        secret=secrets.token_urlsafe(24),
        short_code=secrets.token_hex(4),
    )
    db.session.add(event)
    db.session.flush()
    return event


def _sign(db, event: Event, name: str, number: str) -> Attendance:
    row = Attendance(
        event_id=event.id,
        nonce=secrets.token_hex(8),
        name=name,
        doc_type="CC",
        doc_number=number,
        doc_hash=document_hash(f"event:{event.id}", "CC", number),
        contact="300 555 0101",
        signed_at=event.starts_at,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def holdings(db, catalogs, client):
    """Luz signed two lists and asked a named question; Pedro signed one; a closed consultation
    with Luz's document on its register."""
    a, b = _event(db, "Audiencia de rendición de cuentas 2026"), _event(db, "Escuchadero de Palmitas")
    rows = {
        "luz_a": _sign(db, a, "Luz Marina Gómez", "1036222333"),
        "luz_b": _sign(db, b, "Luz M. Gómez", "1036222333"),
        "pedro": _sign(db, a, "Pedro Pérez", "71222333"),
    }
    c = Consultation(
        slug="c",
        title="Consulta de presupuesto",
        opens_at=datetime(2026, 1, 1),
        closes_at=datetime(2026, 2, 1),
        rule="document",
    )
    db.session.add(c)
    db.session.flush()
    db.session.add(
        ConsultationRoll(consultation_id=c.id, doc_hash=document_hash(f"consultation:{c.id}", "CC", DOC))
    )
    db.session.commit()
    with time.freeze(FILED - timedelta(days=30)):
        client.submit(
            "/urna/",
            form_data(
                identity="named", name="Luz Marina", email="LUZ@example.co", **{"profile-consent": "y"}
            ),
        )
    other = BallotQuestion.query.one()
    assert other.email == "luz@example.co"
    rows["question"] = other
    rows["consultation"] = c
    return rows


def _steward_files(client, **overrides) -> BallotQuestion:
    with time.freeze(FILED):
        assert _file(client, **overrides).status_code == 302
    client.get("/gestion/salir")
    return _only_request()


def test_steward_lookup_lists_the_persons_records_and_is_audited(app, client, db, holdings, login_as):
    q = _steward_files(client)
    login_as("steward")
    url = f"/gestion/urna/datos-personales/{q.id}"
    assert q.radicado in client.get("/gestion/urna/datos-personales/").get_data(as_text=True)

    wrong = client.submit(url, {"doc_type": "CC", "doc_number": "71222333"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert "El documento no coincide" in html and "Pedro" not in html

    found = client.submit(url, {"doc_type": "CC", "doc_number": "1036222333"})
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert "Audiencia de rendición de cuentas 2026" in html and "Escuchadero de Palmitas" in html
    assert "Luz M. Gómez" in html and "Pedro" not in html
    assert holdings["question"].radicado in html
    assert "Consulta de presupuesto" in html
    assert "no se pueden asociar a ti" in html and "sin ningún dato que permita unirlas" in html
    assert "Borrar los registros elegidos" not in html  # a consulta does not erase

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "data_subject_lookup"))
    assert entry.target == q.radicado and entry.details["found"] == {
        "events": 2,
        "consultations": 1,
        "ballot": 1,
        "surveys": 0,
        "characterization": 0,
    }
    assert "1036222333" not in str(entry.details)
    note = db.session.scalar(select(BallotActivity).where(BallotActivity.kind == "data_lookup"))
    assert "Escuchadero de Palmitas" in note.body


@pytest.mark.parametrize("role", ["editor", "admin", "analyst"])
def test_other_roles_cannot_see_the_lookup(client, db, holdings, login_as, role):
    q = _steward_files(client)
    login_as(role)
    assert client.get("/gestion/urna/datos-personales/").status_code == 403
    assert client.get(f"/gestion/urna/datos-personales/{q.id}").status_code == 403
    response = client.submit(
        f"/gestion/urna/datos-personales/{q.id}/borrar",
        form_url="/urna/",
        data={
            "doc_type": "CC",
            "doc_number": "1036222333",
            "records": [f"events:{holdings['luz_a'].id}"],
            "reason": "Intento sin permiso de borrar.",
        },
    )
    assert response.status_code == 403
    assert db.session.get(Attendance, holdings["luz_a"].id).name == "Luz Marina Gómez"


def test_acting_on_a_reclamo_erases_the_chosen_records_and_audits_the_reason(
    app, client, db, holdings, login_as
):
    q = _steward_files(client, kind="data_claim", rights=["delete"])
    login_as("steward")
    url = f"/gestion/urna/datos-personales/{q.id}"
    page = client.submit(url, {"doc_type": "CC", "doc_number": "1036222333"}).get_data(as_text=True)
    choices = re.findall(r'name="records"[^>]*value="([^"]+)"', page)
    luz_a, luz_b, pedro = holdings["luz_a"].id, holdings["luz_b"].id, holdings["pedro"].id
    assert sorted(choices) == sorted(
        [
            f"events:{luz_a}",
            f"events:{luz_b}",
            f"ballot:{holdings['question'].id}",
            f"consultations:{holdings['consultation'].id}",
        ]
    )

    no_reason = client.submit(
        f"{url}/borrar",
        {"doc_type": "CC", "doc_number": "1036222333", "records": [f"events:{luz_a}"], "reason": ""},
        form_url=url,
    )
    assert no_reason.status_code == 422
    assert db.session.get(Attendance, luz_a).name == "Luz Marina Gómez"

    # A forged choice for somebody else's row is refused as a whole: nothing changes.
    forged = client.submit(
        f"{url}/borrar",
        {
            "doc_type": "CC",
            "doc_number": "1036222333",
            "records": [f"events:{luz_a}", f"events:{pedro}"],
            "reason": "Reclamo de supresión de la titular.",
        },
        form_url=url,
    )
    assert forged.status_code == 422
    assert db.session.get(Attendance, luz_a).name == "Luz Marina Gómez"

    done = client.submit(
        f"{url}/borrar",
        {
            "doc_type": "CC",
            "doc_number": "1036222333",
            "records": [f"events:{luz_a}", f"events:{luz_b}", f"ballot:{holdings['question'].id}"],
            "reason": "Reclamo de supresión: la titular pidió borrar sus datos.",
        },
        form_url=url,
    )
    assert done.status_code == 302
    assert "Borramos 3 registros" in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    for row_id in (luz_a, luz_b):
        row = db.session.get(Attendance, row_id)
        assert (row.name, row.doc_number, row.doc_hash, row.contact, row.identity_erased) == (
            "",
            "",
            None,
            "",
            True,
        )
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 3  # the lists keep their counts
    assert db.session.get(Attendance, pedro).name == "Pedro Pérez"
    asked = db.session.get(BallotQuestion, holdings["question"].id)
    assert (asked.name, asked.email) == (None, None) and asked.text
    assert (
        db.session.get(BallotQuestion, q.id).email == "luz@example.co"
    )  # the request itself is kept to answer it
    assert db.session.scalar(select(func.count()).select_from(ConsultationRoll)) == 1  # not chosen: kept

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "data_subject_erase"))
    assert entry.target == q.radicado
    assert entry.details == {
        "counts": {"events": 2, "ballot": 1},
        "reason": "Reclamo de supresión: la titular pidió borrar sus datos.",
    }
    assert db.session.get(BallotDataRequest, q.id).acted_at is not None
    assert db.session.scalar(select(BallotActivity).where(BallotActivity.kind == "data_erased")) is not None


def test_erasure_never_touches_rows_that_are_not_the_persons(app, client, db, holdings, login_as):
    q = _steward_files(client, kind="data_claim", rights=["delete"])
    steward = login_as("steward")
    req = db.session.get(BallotDataRequest, q.id)
    subject = commands.verify(req, "CC", DOC)
    counts = commands.erase(
        req,
        subject,
        {"events": [str(holdings["pedro"].id), str(holdings["luz_a"].id)]},
        "Reclamo de supresión de la titular.",
        steward,
    )
    assert counts == {"events": 1}
    assert db.session.get(Attendance, holdings["pedro"].id).name == "Pedro Pérez"
    assert db.session.get(Attendance, holdings["luz_a"].id).name == ""


def test_a_consulta_cannot_erase(app, client, db, holdings, login_as):
    q = _steward_files(client)
    steward = login_as("steward")
    req = db.session.get(BallotDataRequest, q.id)
    subject = commands.verify(req, "CC", DOC)
    with pytest.raises(commands.RequestError):
        commands.erase(
            req, subject, {"events": [str(holdings["luz_a"].id)]}, "Borrar por favor ahora.", steward
        )
    assert db.session.get(Attendance, holdings["luz_a"].id).name == "Luz Marina Gómez"
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "data_subject_erase")
        )
        == 0
    )


def test_the_answer_goes_through_the_urna_workflow(app, client, db, catalogs, make_user):
    with time.freeze(FILED):
        _file(client)
    q = _only_request()
    first, second = (
        make_user("editor", email="uno@entidad.gov.co"),
        make_user("editor", email="dos@entidad.gov.co"),
    )
    with pytest.raises(urna.WorkflowError):
        urna.route(q, first, office_code=None, kind="question")
    with time.freeze(datetime(2026, 4, 1, 15)):
        urna.save_draft(q, first, "Tenemos tu firma en dos listados de asistencia de 2026.")
        urna.approve(q, second)
        urna.publish_answer(q, second)
    assert q.status == "answered" and q.answered_on_time is True
    assert BallotNotice.query.filter_by(question_id=q.id, kind="answered").count() == 1


def test_an_open_consultation_register_cannot_be_erased(app, client, db, holdings, login_as):
    q = _steward_files(client, kind="data_claim", rights=["delete"])
    steward = login_as("steward")
    c = holdings["consultation"]
    c.closes_at = datetime(2026, 12, 31)
    db.session.commit()
    req = db.session.get(BallotDataRequest, q.id)
    subject = commands.verify(req, "CC", DOC)
    with time.freeze(FILED):
        records = dict(commands.lookup(req, subject, steward))
        roll = [r for source, rs in records.items() if source.name == "consultations" for r in rs]
        assert len(roll) == 1 and roll[0].erasable is False
        counts = commands.erase(
            req, subject, {"consultations": [str(c.id)]}, "Reclamo de supresión.", steward
        )
    assert counts == {"consultations": 0}
    assert db.session.scalar(select(func.count()).select_from(ConsultationRoll)) == 1


def test_a_request_past_its_retention_can_no_longer_be_looked_up(app, client, db, holdings, login_as):
    q = _steward_files(client)
    req = db.session.get(BallotDataRequest, q.id)
    req.doc_hash = None  # what the purge leaves, a year after the answer
    db.session.commit()
    login_as("steward")
    response = client.submit(f"/gestion/urna/datos-personales/{q.id}", {"doc_type": "CC", "doc_number": DOC})
    assert response.status_code == 422
    assert "ya no guarda el documento" in response.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "data_subject_lookup")
        )
        == 0
    )
