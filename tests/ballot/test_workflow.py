"""Staff inbox: roles and office scope, routing, notes, draft → approved → published, closing."""

import pytest
from sqlalchemy import select

from app.ballot import commands
from app.ballot.models import BallotActivity, BallotNotice
from app.core.audit import AuditEntry
from app.extensions import db


@pytest.mark.parametrize("role", ["analyst", "steward"])
def test_roles_without_content_edit_get_403(client, login_as, role):
    login_as(role)
    assert client.get("/gestion/urna/").status_code == 403


def test_visitors_are_sent_to_login(client, catalogs):
    response = client.get("/gestion/urna/")
    assert response.status_code == 302 and "/gestion/ingresar" in response.headers["Location"]


def test_editor_sees_only_questions_of_their_offices(client, file_question, login_as, catalogs):
    offices = [code for code, _name in catalogs.office_choices()]
    mine = file_question(
        office_code=offices[0], text="Pregunta para mi dependencia sobre el presupuesto."
    ).question
    other = file_question(
        office_code=offices[1], text="Pregunta de otra dependencia sobre movilidad."
    ).question
    unrouted = file_question(text="Pregunta que todavía nadie ha enrutado a ninguna parte.").question
    login_as("editor", offices=[offices[0]])
    html = client.get("/gestion/urna/").get_data(as_text=True)
    assert mine.radicado in html and other.radicado not in html and unrouted.radicado not in html
    assert client.get(f"/gestion/urna/{other.id}").status_code == 403
    assert client.get(f"/gestion/urna/{mine.id}").status_code == 200


def test_admin_triages_everything_and_routing_moves_the_question(client, file_question, login_as, catalogs):
    offices = [code for code, _name in catalogs.office_choices()]
    q = file_question().question
    login_as("admin")
    assert q.radicado in client.get("/gestion/urna/?dependencia=none").get_data(as_text=True)
    response = client.submit(
        f"/gestion/urna/{q.id}/enrutar",
        {"office": offices[2], "kind": "information", "event": "", "topic": ""},
        form_url=f"/gestion/urna/{q.id}",
    )
    assert response.status_code == 302
    db.session.refresh(q)
    assert (
        q.office_code == offices[2]
        and q.status == "assigned"
        and q.kind == "information"
        and q.term_days == 10
    )
    kinds = set(db.session.scalars(select(BallotActivity.kind).where(BallotActivity.question_id == q.id)))
    assert {"assigned", "classified"} <= kinds
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ballot_assigned")) is not None


def test_draft_approve_publish_path_with_four_eyes(client, file_question, make_user, catalogs):
    office = catalogs.office_choices()[0][0]
    q = file_question(office_code=office, email="ana@example.org", name="Ana").question
    drafter = make_user("editor", email="redacta@prueba.gov.co", offices=[office])
    reviewer = make_user("editor", email="revisa@prueba.gov.co", offices=[office])
    client.login(drafter)
    url = f"/gestion/urna/{q.id}"
    assert client.submit(f"{url}/enviar", {}, form_url=url).status_code == 302  # nothing to send yet
    db.session.refresh(q)
    assert q.status == "received"
    client.submit(f"{url}/respuesta", {"body": "El alumbrado se repara la próxima semana."}, form_url=url)
    db.session.refresh(q)
    assert q.status == "in_progress" and q.answer.state == "draft"
    client.submit(f"{url}/aprobar", {}, form_url=url)
    db.session.refresh(q.answer)
    assert q.answer.state == "draft"  # the drafter cannot approve their own answer
    assert "Otra persona debe aprobar" in client.get(url).get_data(as_text=True)

    client.post("/gestion/salir", data={"csrf_token": client.csrf(url)})
    client.login(reviewer)
    client.submit(f"{url}/aprobar", {}, form_url=url)
    db.session.refresh(q.answer)
    assert q.answer.state == "approved" and q.answer.approved_by_id == reviewer.id
    client.submit(f"{url}/enviar", {}, form_url=url)
    db.session.refresh(q)
    assert q.status == "answered" and q.answer.state == "published" and q.answered_on_time is True
    assert q.business_days_to_answer == 0
    notice = db.session.scalar(select(BallotNotice).where(BallotNotice.kind == "answered"))
    assert "El alumbrado se repara" in notice.body
    client.submit(f"{url}/cerrar", {}, form_url=url)
    db.session.refresh(q)
    assert q.status == "closed"


def test_editing_an_approved_draft_needs_new_approval(file_question, make_user):
    q = file_question().question
    a, b = make_user("editor", email="a@prueba.gov.co"), make_user("admin")
    commands.save_draft(q, a, "Primera versión de la respuesta.")
    commands.approve(q, b)
    commands.save_draft(q, a, "Segunda versión, con un cambio de fondo.")
    assert q.answer.state == "draft" and q.answer.approved_by_id is None
    with pytest.raises(commands.WorkflowError):
        commands.publish_answer(q, b)


def test_answered_question_cannot_be_rewritten(file_question, make_user):
    q = file_question().question
    a, b = make_user("editor"), make_user("admin")
    commands.save_draft(q, a, "Respuesta definitiva de la entidad.")
    commands.approve(q, b)
    commands.publish_answer(q, b)
    with pytest.raises(commands.WorkflowError):
        commands.save_draft(q, a, "Intento de cambiar la respuesta ya enviada.")


def test_notes_are_internal(client, file_question, login_as):
    receipt = file_question()
    q = receipt.question
    login_as("admin")
    url = f"/gestion/urna/{q.id}"
    client.submit(f"{url}/nota", {"body": "Llamar a la secretaría de infraestructura."}, form_url=url)
    assert "Llamar a la secretaría" in client.get(url).get_data(as_text=True)
    client.submit("/urna/seguimiento", {"radicado": q.radicado, "code": receipt.code})
    assert "Llamar a la secretaría" not in client.get(f"/urna/seguimiento/{q.radicado}").get_data(
        as_text=True
    )
    empty = client.submit(f"{url}/nota", {"body": "   "}, form_url=url)
    assert empty.status_code == 422


def test_inbox_filters_flags_and_counts(client, file_question, login_as):
    from datetime import datetime, timedelta

    from app.core import time

    with time.freeze(datetime(2026, 1, 5, 15, 0)):
        old = file_question(kind="information").question  # due 2026-01-20
    with time.freeze(datetime(2026, 1, 27, 15, 0)):
        soon = file_question(kind="information").question  # due 2026-02-10
        fresh = file_question(kind="consultation").question
    login_as("admin")
    with time.freeze(datetime(2026, 2, 6, 15, 0)):
        html = client.get("/gestion/urna/?alerta=overdue").get_data(as_text=True)
        assert old.radicado in html and soon.radicado not in html and fresh.radicado not in html
        html = client.get("/gestion/urna/?alerta=due_soon").get_data(as_text=True)
        assert soon.radicado in html and old.radicado not in html
        html = client.get("/gestion/urna/?tipo=consultation").get_data(as_text=True)
        assert fresh.radicado in html and old.radicado not in html
        assert (
            client.get(f"/gestion/urna/?q={soon.radicado}").get_data(as_text=True).count(soon.radicado) >= 1
        )
        assert client.get("/gestion/urna/?estado=bogus&pagina=-4&alerta=<x>").status_code == 200
    del timedelta
