"""Lookup with radicado and code: no information leaked, rate limited."""

import re

from app.ballot import commands


def _strip(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)


def test_right_code_shows_status_due_date_and_text(client, file_question):
    receipt = file_question()
    q = receipt.question
    response = client.submit(
        "/urna/seguimiento", {"radicado": q.radicado.lower(), "code": receipt.code.lower().replace("-", " ")}
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert q.radicado in html and "Recibida" in html and "Fecha límite de respuesta" in html
    assert "Todavía no hay respuesta" in html


def test_wrong_code_and_unknown_radicado_look_the_same(client, file_question):
    receipt = file_question()
    q = receipt.question
    wrong = client.submit("/urna/seguimiento", {"radicado": q.radicado, "code": "AAAAA-AAAAA"})
    unknown = client.submit("/urna/seguimiento", {"radicado": "UV-2026-999999", "code": "AAAAA-AAAAA"})
    assert wrong.status_code == unknown.status_code == 422
    w, u = _strip(wrong.get_data(as_text=True)), _strip(unknown.get_data(as_text=True))
    assert "No encontramos una solicitud con esos datos" in w
    assert w.replace(q.radicado, "X") == u.replace("UV-2026-999999", "X")
    assert q.text not in w and "Recibida" not in w


def test_status_page_needs_the_code_first(client, file_question):
    q = file_question().question
    response = client.get(f"/urna/seguimiento/{q.radicado}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/urna/seguimiento")


def test_lookup_attempts_are_rate_limited(client, file_question):
    q = file_question().question
    codes = [
        client.submit("/urna/seguimiento", {"radicado": q.radicado, "code": f"WRONG{i:05d}"}).status_code
        for i in range(11)
    ]
    assert codes[:10] == [422] * 10 and codes[10] == 429


def test_answer_appears_only_after_publication(client, file_question, make_user):
    receipt = file_question()
    q = receipt.question
    editor, admin = make_user("editor"), make_user("admin")
    commands.save_draft(q, editor, "Borrador: el alumbrado se repara el próximo mes.")
    client.submit("/urna/seguimiento", {"radicado": q.radicado, "code": receipt.code})
    assert "el alumbrado se repara" not in client.get(f"/urna/seguimiento/{q.radicado}").get_data(
        as_text=True
    )
    commands.approve(q, admin)
    commands.publish_answer(q, admin)
    html = client.get(f"/urna/seguimiento/{q.radicado}").get_data(as_text=True)
    assert "el alumbrado se repara" in html and "Respondida" in html
