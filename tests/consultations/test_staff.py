"""Staff: creating consultations and topics, roles, moderation, publishing results."""

from sqlalchemy import select

from app.consultations.models import Consultation, ConsultationProposal
from app.core.audit import AuditEntry
from tests.consultations.conftest import answer, fresh_g

FORM = {
    "title": "Temas para la rendición de cuentas 2026",
    "introduction": "Elige los temas.",
    "office_code": "SMOV",
    "opens_at": "2026-03-01T08:00",
    "closes_at": "2026-03-31T18:00",
    "max_choices": "3",
    "allow_proposals": "y",
    "group_by": "office",
    "rule": "device",
    "variables": ["life_course", "sex"],
    "is_public": "y",
}


def test_editor_creates_consultation_with_bogota_times(login_as, client, db):
    login_as("editor", offices=("SMOV",))
    response = client.submit("/gestion/consultas/nueva", FORM)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    c = db.session.scalar(select(Consultation))
    assert c.slug == "temas-para-la-rendicion-de-cuentas-2026"
    assert c.opens_at.hour == 13 and c.closes_at.hour == 23  # 08:00 and 18:00 in Bogotá, stored UTC
    assert c.variables == ["life_course", "sex"] and c.rule == "device"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "consultation_created"))


def test_consultation_form_errors_keep_input(login_as, client, db):
    login_as("editor")
    bad = dict(FORM, closes_at="2026-02-01T08:00", max_choices="0", title="<b>Hola</b>")
    response = client.submit("/gestion/consultas/nueva", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "El cierre debe ser después de la apertura." in html and "entre 1 y 20" in html
    assert "Elige los temas." in html
    assert db.session.scalar(select(Consultation)) is None


def test_roles(login_as, client, make_consultation, make_user):
    c = make_consultation(office="SMOV")
    assert client.get("/gestion/consultas/").status_code == 302  # not logged in: to the login page
    login_as("analyst")
    assert client.get("/gestion/consultas/").status_code == 200
    assert client.get("/gestion/consultas/nueva").status_code == 403
    assert client.get(f"/gestion/consultas/{c.id}/resultados").status_code == 200
    assert client.get(f"/gestion/consultas/{c.id}/propuestas").status_code == 403


def test_editor_only_edits_own_offices(client, make_consultation, make_user):
    c = make_consultation(office="SMOV")
    other = make_user("editor", email="salud@prueba.gov.co", offices=("SSAL",))
    client.login(other)
    assert client.get(f"/gestion/consultas/{c.id}/editar").status_code == 403
    assert client.get(f"/gestion/consultas/{c.id}/temas/nuevo").status_code == 403
    assert client.get(f"/gestion/consultas/{c.id}/resultados").status_code == 403
    client.post("/gestion/salir")


def test_editor_adds_topic_linked_to_events(app, login_as, client, make_consultation, db):
    from app.core import registry

    reg = registry.get(app)
    reg.add_hook("event_options", lambda: [(7, "Audiencia pública 2026")])
    reg.add_hook(
        "event_summary",
        lambda eid: (
            {
                "id": 7,
                "title": "Audiencia pública 2026",
                "url": "/eventos/7",
                "starts_at": None,
                "kind": "AUD",
            }
            if eid == 7
            else None
        ),
    )
    try:
        c = make_consultation(office="SMOV")
        login_as("editor", offices=("SMOV",))
        response = client.submit(
            f"/gestion/consultas/{c.id}/temas/nuevo",
            {
                "title": "Ciclorrutas",
                "description": "Red de ciclorrutas.",
                "office_code": "SMOV",
                "events": ["7"],
            },
        )
        assert response.status_code == 302
        topic = c.topics[-1]
        assert topic.title == "Ciclorrutas" and topic.event_ids == [7]
        page = client.get(f"/consultas/{c.slug}/temas/{topic.id}").get_data(as_text=True)
        assert "Audiencia pública 2026" in page and "/eventos/7" in page
        with app.test_request_context():
            sections = reg.call("event_page_sections", 7)
        assert sections and sections[0]["items"][0]["text"].startswith("Ciclorrutas")
    finally:
        for name in ("event_options", "event_summary"):
            reg.hooks[name].pop()


def test_moderation_approve_merge_reject(app, login_as, client, make_consultation, db):
    from tests.conftest import Client

    c = make_consultation(office="SMOV")
    for title in ("Alumbrado en senderos", "Andenes rotos", "Otra cosa"):
        answer(Client(app.test_client()), c, [0], extra={"proposal_title": title})
    approve, merge, reject = db.session.scalars(
        select(ConsultationProposal).order_by(ConsultationProposal.id)
    ).all()
    fresh_g()
    login_as("editor", offices=("SMOV",))
    base = f"/gestion/consultas/{c.id}/propuestas"
    assert "Alumbrado en senderos" in client.get(base).get_data(as_text=True)

    assert (
        client.submit(
            f"{base}/{approve.id}", {"decision": "approve", "title": "Alumbrado en los senderos"}
        ).status_code
        == 302
    )
    public = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    assert "Alumbrado en los senderos" in public and "Propuesto por la ciudadanía" in public

    target = c.topics[0]
    response = client.submit(f"{base}/{merge.id}", {"decision": "merge", "merge_into": ""})
    assert response.status_code == 422 and "Elige el tema al que se une" in response.get_data(as_text=True)
    assert (
        client.submit(f"{base}/{merge.id}", {"decision": "merge", "merge_into": str(target.id)}).status_code
        == 302
    )
    topic_page = client.get(f"/consultas/{c.slug}/temas/{target.id}").get_data(as_text=True)
    assert "1 propuesta de la ciudadanía quedó incluida" in topic_page

    response = client.submit(f"{base}/{reject.id}", {"decision": "reject"})
    assert response.status_code == 422 and "Escribe el motivo del rechazo." in response.get_data(as_text=True)
    assert (
        client.submit(
            f"{base}/{reject.id}", {"decision": "reject", "reason": "No es de la Alcaldía."}
        ).status_code
        == 302
    )
    client.get(base)  # shows (and consumes) the confirmation message
    public = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    choices, decided = public.split('id="propuestas-revisadas"', 1)
    assert "Otra cosa" not in choices  # not a topic anyone can choose
    assert (
        "Otra cosa" in decided and "Motivo: No es de la Alcaldía." in decided
    )  # the reason the form promised
    assert "Andenes rotos" in decided and "se unió al tema" in decided
    db.session.expire_all()
    assert [p.status for p in (approve, merge, reject)] == ["approved", "merged", "rejected"]
    assert reject.reason == "No es de la Alcaldía."
    # Decided proposals cannot be decided again.
    again = client.submit(f"{base}/{reject.id}", {"decision": "approve"})
    assert again.status_code == 422 and "ya fue moderada" in again.get_data(as_text=True)


def test_publishing_results(login_as, client, make_consultation):
    c = make_consultation(office="SMOV", state="closed")
    assert client.get(f"/consultas/{c.slug}/resultados").status_code == 404
    login_as("editor", offices=("SMOV",))
    assert (
        client.submit(
            f"/gestion/consultas/{c.id}/resultados/publicar", {}, form_url=f"/gestion/consultas/{c.id}"
        ).status_code
        == 302
    )
    assert client.get(f"/consultas/{c.slug}/resultados").status_code == 200
    assert (
        client.submit(
            f"/gestion/consultas/{c.id}/resultados/retirar", {}, form_url=f"/gestion/consultas/{c.id}"
        ).status_code
        == 302
    )
    assert client.get(f"/consultas/{c.slug}/resultados").status_code == 404


def test_rule_cannot_change_after_responses(login_as, client, make_consultation, db):
    c = make_consultation(office="SMOV")
    answer(client, c, [0])
    fresh_g()
    login_as("editor", offices=("SMOV",))
    data = dict(FORM, office_code="SMOV", rule="document", title=c.title, slug=c.slug)
    response = client.submit(f"/gestion/consultas/{c.id}/editar", data)
    assert response.status_code == 422 and "no se puede cambiar la regla" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Consultation, c.id).rule == "device"


def test_staff_overview_counts_responses_and_pending_proposals(app, make_consultation, db):
    from app.consultations import queries
    from tests.conftest import Client

    busy = make_consultation(slug="con-respuestas")
    make_consultation(slug="sin-respuestas")
    for title in ("Alumbrado en senderos", ""):
        answer(Client(app.test_client()), busy, [0], extra={"proposal_title": title} if title else None)
    counts = {c.slug: (responses, pending) for c, responses, pending in queries.staff_overview()}
    assert counts == {"con-respuestas": (2, 1), "sin-respuestas": (0, 0)}


def test_an_approved_topic_reaches_the_shared_public_form_at_once(
    app, login_as, client, make_consultation, db
):
    """Anonymous visitors get a blank form rendered once and shared: a topic an editor approves
    appears in it, and can be chosen, on the very next visit."""
    from tests.conftest import Client

    c = make_consultation(office="SMOV")
    visitor = Client(app.test_client())
    assert "Iluminación del parque lineal" not in visitor.get(f"/consultas/{c.slug}").get_data(as_text=True)
    answer(Client(app.test_client()), c, [0], extra={"proposal_title": "Luces parque lineal"})
    proposal = db.session.scalar(select(ConsultationProposal))
    fresh_g()
    login_as("editor", offices=("SMOV",))
    decided = client.submit(
        f"/gestion/consultas/{c.id}/propuestas/{proposal.id}",
        {"decision": "approve", "title": "Iluminación del parque lineal"},
    )
    assert decided.status_code == 302
    fresh_g()
    assert "Iluminación del parque lineal" in Client(app.test_client()).get(f"/consultas/{c.slug}").get_data(
        as_text=True
    )
    db.session.expire_all()
    new_topic = next(t for t in c.topics if t.title == "Iluminación del parque lineal")
    assert answer(Client(app.test_client()), c, [c.topics.index(new_topic)]).status_code == 302
