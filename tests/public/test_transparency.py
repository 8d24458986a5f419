"""The transparency menu's section 6 "Participa" (Resolución MinTIC 1519 de 2020)."""

import pytest

from app.core import registry

SUBSECTIONS = (
    "Diagnóstico e identificación de problemas",
    "Planeación y presupuesto participativo",
    "Consulta ciudadana",
    "Colaboración e innovación abierta",
    "Rendición de cuentas",
    "Control social",
)


@pytest.fixture
def hook(app):
    """Temporarily add a transparency_items hook; yields the list it registered into."""
    added = []

    def add(fn):
        registry.get(app).add_hook("transparency_items", fn)
        added.append(fn)

    yield add
    for fn in added:
        registry.get(app).hooks["transparency_items"].remove(fn)


def test_page_lists_the_six_subsections_in_order(client, catalogs):
    response = client.get("/transparencia/participa")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    positions = [html.index(f'">{title}</h2>') for title in SUBSECTIONS]
    assert positions == sorted(positions)
    assert "Resolución 1519 de 2020" in html
    for key in ("diagnostico", "planeacion", "consulta", "colaboracion", "rendicion", "control"):
        assert f'id="{key}"' in html and f'href="#{key}"' in html


def test_items_from_capabilities_appear_in_their_subsection(client, hook, catalogs):
    hook(
        lambda section: (
            [{"title": "Audiencia pública 2026", "url": "/eventos/1", "text": "120 asistentes"}]
            if section == "rendicion"
            else []
        )
    )
    hook(
        lambda section: (
            [{"title": "Plan de mejoramiento", "url": "/planes/1", "text": ""}]
            if section == "control"
            else []
        )
    )
    html = client.get("/transparencia/participa").get_data(as_text=True)
    rendicion = html.split('id="rendicion"')[1].split("</section>")[0]
    assert '<a href="/eventos/1">Audiencia pública 2026</a>' in rendicion and "120 asistentes" in rendicion
    control = html.split('id="control"')[1].split("</section>")[0]
    assert "Plan de mejoramiento" in control
    consulta = html.split('id="consulta"')[1].split("</section>")[0]
    assert "Todavía no hay publicaciones en esta sección" in consulta


def test_empty_subsections_say_so_honestly(client, app, catalogs, monkeypatch):
    monkeypatch.setitem(registry.get(app).hooks, "transparency_items", [])
    html = client.get("/transparencia/participa").get_data(as_text=True)
    assert html.count("Todavía no hay publicaciones en esta sección") == 6


def test_a_failing_capability_does_not_hide_the_others(client, hook, catalogs):
    def broken(section):
        raise RuntimeError("boom")

    hook(broken)
    hook(
        lambda section: (
            [{"title": "Consulta de temas 2026", "url": "/consultas/x", "text": ""}]
            if section == "consulta"
            else []
        )
    )
    response = client.get("/transparencia/participa")
    assert response.status_code == 200
    assert "Consulta de temas 2026" in response.get_data(as_text=True)


def test_item_text_is_escaped(client, hook, catalogs):
    hook(
        lambda section: (
            [{"title": "<script>x</script>", "url": "/a", "text": "<b>b</b>"}]
            if section == "diagnostico"
            else []
        )
    )
    html = client.get("/transparencia/participa").get_data(as_text=True)
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_public_navigation_links_to_it(client, catalogs):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/transparencia/participa"' in html
    assert "Transparencia: Participa" in client.get("/mapa-del-sitio").get_data(as_text=True)


def test_english_page(client, catalogs):
    response = client.get("/transparencia/participa?lang=en")
    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)
