"""Public archive: personal data removed, listed and searchable, event sections, search hook."""

import pytest

from app.ballot import commands, hooks, queries, redaction
from app.core import registry


def test_redaction_removes_emails_phones_documents_and_the_name():
    text = (
        "Soy Ana María Pérez, cédula 1.036.222.333, escríbanme a ana.perez@correo.com o al 300 123 4567 "
        "o al (604) 444 1234. Mi vecina con CC 43123456 también pregunta."
    )
    out = redaction.redact(text, name="Ana María Pérez")
    for personal in (
        "Ana",
        "Pérez",
        "1.036.222.333",
        "ana.perez@correo.com",
        "300 123 4567",
        "444 1234",
        "43123456",
    ):
        assert personal not in out, personal
    assert "[correo eliminado]" in out and "[teléfono eliminado]" in out
    assert redaction.leftovers(out, name="Ana María Pérez") == []
    assert (
        redaction.redact("En 2026 se invirtieron 350 millones en 12 parques.")
        == "En 2026 se invirtieron 350 millones en 12 parques."
    )


def _answered(file_question, make_user, **kw):
    q = file_question(**kw).question
    a, b = make_user("editor"), make_user("admin")
    commands.save_draft(q, a, "Ana, la obra empieza en marzo; si necesitas más datos llama al 3001234567.")
    commands.approve(q, b)
    commands.publish_answer(q, b)
    return q, a


def test_public_version_removes_personal_data_and_asks_confirmation_for_leftovers(
    app, client, file_question, make_user
):
    q, editor = _answered(
        file_question,
        make_user,
        name="Ana Gómez",
        email="ana@example.org",
        text="Soy Ana Gómez, mi correo es ana@example.org. ¿Cuándo empieza la obra del parque?",
    )
    suggested = queries.suggested_public_version(q)
    assert "Ana" not in suggested["question"] and "ana@example.org" not in suggested["question"]
    assert "3001234567" not in suggested["answer"]
    with pytest.raises(commands.LeftoversError):
        commands.save_public_version(
            q, editor, title="Obra del parque", question_text=q.text, answer_text=suggested["answer"]
        )
    commands.save_public_version(
        q,
        editor,
        title="Obra del parque principal",
        question_text=suggested["question"],
        answer_text=suggested["answer"],
    )
    html = client.get("/urna/respuestas").get_data(as_text=True)
    assert "Obra del parque principal" in html and "Ana" not in html and "ana@example.org" not in html
    detail = client.get(f"/urna/respuestas/{q.id}").get_data(as_text=True)
    assert "la obra empieza en marzo" in detail and "3001234567" not in detail and "Gómez" not in detail
    assert "Obra del parque principal" in client.get("/urna/respuestas?q=PARQUE").get_data(as_text=True)
    assert "Todavía no hay" not in client.get("/urna/respuestas?q=parque").get_data(as_text=True)
    assert "No encontramos respuestas" in client.get("/urna/respuestas?q=%25_zzz").get_data(as_text=True)
    assert client.get("/urna/respuestas?q=parque%00%3Cscript%3E").status_code == 200
    with app.test_request_context():
        assert any(r["url"].endswith(f"/urna/respuestas/{q.id}") for r in hooks.search("parque"))


def test_staff_form_redacts_and_publishes(client, file_question, make_user, login_as):
    q, _editor = _answered(
        file_question,
        make_user,
        name="Luis Ramírez",
        email="luis@example.org",
        text="Mi teléfono es 3109876543. ¿Qué pasó con la cancha del barrio?",
    )
    login_as("admin", email="otro-admin@prueba.gov.co")
    url = f"/gestion/urna/{q.id}/archivo"
    form = client.get(url).get_data(as_text=True)
    assert "3109876543" not in form and "[teléfono eliminado]" in form
    refused = client.submit(
        url, {"title": "Cancha", "question": "Llamen al 3109876543", "answer": "Respuesta"}
    )
    assert refused.status_code == 422 and "3109876543" in refused.get_data(as_text=True)
    redacted = client.submit(
        url,
        {"title": "Cancha", "question": "Llamen al 3109876543", "answer": "Respuesta", "action": "redact"},
    )
    assert "3109876543" not in redacted.get_data(as_text=True).split("<form", 1)[1]
    ok = client.submit(
        url,
        {
            "title": "Cancha del barrio",
            "question": "¿Qué pasó con la cancha?",
            "answer": "Se arregla en abril.",
        },
    )
    assert ok.status_code == 302
    assert "Cancha del barrio" in client.get("/urna/respuestas").get_data(as_text=True)
    client.submit(f"/gestion/urna/{q.id}/archivo/retirar", {}, form_url=f"/gestion/urna/{q.id}")
    assert client.get(f"/urna/respuestas/{q.id}").status_code == 404


def test_unanswered_questions_cannot_be_archived(file_question, make_user):
    q = file_question().question
    with pytest.raises(commands.WorkflowError):
        commands.save_public_version(
            q, make_user("admin"), title="Título", question_text="x", answer_text="y"
        )


def test_event_page_lists_its_questions_without_private_text(app, file_question, make_user):
    q1 = file_question(event_id=9, text="Texto privado de la persona que no debe salir en público.").question
    q2, editor = _answered(file_question, make_user, event_id=9)
    commands.save_public_version(
        q2,
        editor,
        title="Alumbrado del parque",
        question_text="¿Cuándo arreglan el alumbrado?",
        answer_text="En marzo.",
    )
    with app.test_request_context():
        sections = registry.get(app).call("event_page_sections", 9)
        assert registry.get(app).call("event_page_sections", 10) == []
    assert len(sections) == 1
    texts = [item["text"] for item in sections[0]["items"]]
    assert "Alumbrado del parque" in texts and any(q1.radicado in t for t in texts)
    assert not any("Texto privado" in t for t in texts)
