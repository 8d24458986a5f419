"""Staff add documents and links to the transparency section's subsections (issue 15)."""

from __future__ import annotations

from sqlalchemy import select

from app.core.audit import AuditEntry
from app.transparency.models import TransparencyItem


def test_editor_publishes_a_document_in_an_empty_subsection(client, login_as, db, catalogs):
    before = client.get("/transparencia/participa").get_data(as_text=True)
    assert "Diagnóstico participativo 2026" not in before
    login_as("editor")
    bad = client.submit(
        "/gestion/transparencia/",
        {"section": "diagnostico", "title": "Diagnóstico", "url": "javascript:alert(1)", "text": ""},
    )
    assert bad.status_code == 422 and "Escribe un enlace web" in bad.get_data(as_text=True)
    assert db.session.scalar(select(TransparencyItem)) is None
    ok = client.submit(
        "/gestion/transparencia/",
        {
            "section": "diagnostico",
            "title": "Diagnóstico participativo 2026",
            "url": "https://www.medellin.gov.co/diagnostico.pdf",
            "text": "Resultados de los talleres.",
        },
    )
    assert ok.status_code == 302
    page = client.get("/transparencia/participa").get_data(as_text=True)
    diag = page[page.index('id="diagnostico"') : page.index('id="planeacion"')]
    assert (
        'href="https://www.medellin.gov.co/diagnostico.pdf"' in diag and "Resultados de los talleres." in diag
    )
    item = db.session.scalar(select(TransparencyItem))
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "transparency_item_saved"))
        is not None
    )
    assert (
        client.submit(
            f"/gestion/transparencia/{item.id}/borrar", {}, form_url="/gestion/transparencia/"
        ).status_code
        == 302
    )
    assert "diagnostico.pdf" not in client.get("/transparencia/participa").get_data(as_text=True)


def test_analysts_cannot_edit(client, login_as):
    login_as("analyst")
    assert client.get("/gestion/transparencia/").status_code == 403


def test_a_portal_link_cannot_point_to_another_site_without_its_scheme():
    from app.transparency.rules import URL_RE

    for ok in ("/transparencia/participa", "/", "https://www.medellin.gov.co/x.pdf"):
        assert URL_RE.match(ok), ok
    for bad in ("//malo.example/x", "/\\malo.example", "javascript:alert(1)", "data:text/html,x"):
        assert not URL_RE.match(bad), bad
