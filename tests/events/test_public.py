"""Public agenda, event page, and what events give other capabilities (hooks, home, search,
transparency, catalog usage)."""

from datetime import timedelta

import pytest

from app.catalogs import commands as catalogs
from app.catalogs import usage as catalog_usage
from app.catalogs.models import CatalogEntry
from app.core import registry
from app.events import hooks
from app.events.models import CANCELLED, CLOSED, DRAFT


def test_agenda_lists_upcoming_and_past_with_filters(client, make_event):
    make_event(title="Escuchadero Popular", kind="ESC", territory="01")
    make_event(title="Audiencia Manrique", kind="AUD", territory="03")
    make_event(title="Borrador oculto", status=DRAFT)
    make_event(title="Audiencia pasada", status=CLOSED, starts_in=timedelta(days=-10), attendance_total=41)
    html = client.get("/eventos/").get_data(as_text=True)
    assert "Escuchadero Popular" in html and "Audiencia Manrique" in html
    assert "Borrador oculto" not in html and "Audiencia pasada" not in html
    filtered = client.get("/eventos/?territorio=03").get_data(as_text=True)
    assert "Audiencia Manrique" in filtered and "Escuchadero Popular" not in filtered
    by_kind = client.get("/eventos/?tipo=ESC").get_data(as_text=True)
    assert "Escuchadero Popular" in by_kind and "Audiencia Manrique" not in by_kind
    past = client.get("/eventos/?cuando=pasados").get_data(as_text=True)
    assert "Audiencia pasada" in past and "41 asistentes" in past and "Escuchadero Popular" not in past
    assert client.get("/eventos/?territorio=<script>&tipo=%27&pagina=-1").status_code == 200


def test_event_page_shows_planning_status_and_other_sections(client, app, make_event):
    event = make_event(objective="Rendir cuentas del plan de desarrollo", agenda="9:00 Saludo\n9:15 Informe")

    def hook(event_id):
        return [{"title": "Temas priorizados", "items": [{"text": "Movilidad", "url": "/consultas/1"}]}]

    registry.get(app).add_hook("event_page_sections", hook)
    try:
        html = client.get(f"/eventos/{event.id}").get_data(as_text=True)
    finally:
        registry.get(app).hooks["event_page_sections"].remove(hook)
    assert "Rendir cuentas del plan de desarrollo" in html and "9:15 Informe" in html
    assert "Temas priorizados" in html and "/consultas/1" in html
    assert "La firma de asistencia está abierta" in html
    assert event.token not in html  # the sign-in link is only at the venue
    assert f"/eventos/{event.id}.ics" in html


def test_hooks_for_other_capabilities(app, make_event):
    upcoming = make_event(title="Diálogo ciudadano")
    closed = make_event(
        title="Audiencia 2025", status=CLOSED, starts_in=timedelta(days=-30), attendance_total=57
    )
    make_event(title="Cancelado", status=CANCELLED)
    draft = make_event(title="Borrador", status=DRAFT)
    reg = registry.get(app)
    with app.test_request_context():
        options = dict(reg.call("event_options"))
        assert (
            upcoming.id in options and closed.id in options and "Cancelado" not in " ".join(options.values())
        )
        summary = reg.call("event_summary", upcoming.id)[0]
        assert summary["title"] == "Diálogo ciudadano" and summary["url"] == f"/eventos/{upcoming.id}"
        assert reg.call("event_summary", draft.id) == [] and reg.call("event_summary", 99999) == []
        objects = [o for o in reg.call("characterization_objects") if o["capability"] == "events"]
        assert {o["object_id"] for o in objects} == {str(upcoming.id), str(closed.id)}
        items = [i for i in reg.call("transparency_items", "rendicion") if i["url"].startswith("/eventos/")]
        assert [i["title"] for i in items] == ["Audiencia 2025"] and "57 asistentes" in items[0]["text"]
        assert not [i for i in reg.call("transparency_items", "consulta") if i["url"].startswith("/eventos/")]


def test_home_and_search(client, make_event):
    make_event(title="Espacio de diálogo en curso", starts_in=timedelta(minutes=-20))
    make_event(title="Nodo territorial próximo", starts_in=timedelta(days=3))
    home = client.get("/").get_data(as_text=True)
    assert (
        "Espacio de diálogo en curso" in home
        and "Está pasando ahora" in home
        and "Nodo territorial próximo" in home
    )
    results = client.get("/buscar?q=nodo").get_data(as_text=True)
    assert "Nodo territorial próximo" in results
    assert client.get("/buscar?q=%25%25_").status_code == 200


def test_catalog_entries_used_by_events_cannot_be_deleted(db, make_event):
    make_event(kind="ESC", territory="05", offices=("DAP",))
    kind = db.session.query(CatalogEntry).filter_by(list_key="event_kind", code="ESC").one()
    with pytest.raises(catalogs.CatalogError):
        catalogs.delete("option", kind.id)
    assert (
        catalog_usage.usage("territory", None, "05") == 1 and catalog_usage.usage("office", None, "DAP") == 1
    )
    assert hooks.catalog_usage("option", "event_kind", "NOD") == 0
