"""The home page is kept for a few seconds for anonymous visitors, never for staff or messages."""

import pytest

from app.core import cache, registry


@pytest.fixture
def offers(app, monkeypatch):
    """A home provider whose items the test changes; the cache is on (15 s) for these tests."""
    items: list[dict] = []
    monkeypatch.setitem(registry.get(app).__dict__, "home", [lambda: list(items)])
    monkeypatch.setitem(app.config, "PARTICIPA_HOME_CACHE_SECONDS", 15)
    cache.clear_all()
    yield items
    cache.clear_all()


def _offer(title):
    return {"title": title, "text": "", "url": "/x", "action": ""}


def test_anonymous_visitors_get_the_kept_page_per_language(client, catalogs, offers):
    offers.append(_offer("Consulta A"))
    assert "Consulta A" in client.get("/").get_data(as_text=True)
    offers[:] = [_offer("Consulta B")]
    assert "Consulta A" in client.get("/").get_data(as_text=True)  # within the 15 s
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Consulta B" in english and '<html lang="en">' in english  # each language kept apart


def test_cache_expires(client, catalogs, offers, monkeypatch):
    offers.append(_offer("Consulta A"))
    client.get("/")
    offers[:] = [_offer("Consulta B")]
    now = cache.monotonic()
    monkeypatch.setattr(cache, "monotonic", lambda: now + 16)
    assert "Consulta B" in client.get("/").get_data(as_text=True)


def test_staff_always_get_a_fresh_page(client, login_as, offers):
    offers.append(_offer("Consulta A"))
    client.get("/")
    login_as("editor")
    offers[:] = [_offer("Consulta B")]
    html = client.get("/").get_data(as_text=True)
    assert "Consulta B" in html and "Cerrar sesión" in html


def test_pending_messages_are_never_cached_away(client, login_as, offers):
    login_as("editor")
    response = client.submit("/gestion/salir", {}, form_url="/gestion/")
    assert "Cerraste la sesión." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cerraste la sesión." not in client.get("/").get_data(as_text=True)


def test_off_under_testing_by_default(app, client, catalogs, monkeypatch):
    monkeypatch.setitem(registry.get(app).__dict__, "home", [])
    app.config.pop("PARTICIPA_HOME_CACHE_SECONDS", None)
    assert "no hay consultas" in client.get("/").get_data(as_text=True)
    monkeypatch.setitem(registry.get(app).__dict__, "home", [lambda: [_offer("Nueva")]])
    assert "Nueva" in client.get("/").get_data(as_text=True)


def test_junk_query_strings_share_one_render_and_never_reach_the_page(client, catalogs, offers, monkeypatch):
    """`/` takes no query but `lang`: a crowd (or an attacker) adding `?x=N` must not force a new
    render per address, and what it typed must not be shown to the next visitor."""
    from app.public import public

    renders = []
    real = public._home_page
    monkeypatch.setattr(public, "_home_page", lambda: renders.append(1) or real())
    offers.append(_offer("Consulta A"))
    for n in range(5):
        html = client.get(f"/?junk{n}=zq{n}&q=%3Cscript%3Ealert({n})%3C/script%3E").get_data(as_text=True)
        assert f"zq{n}" not in html and f"junk{n}" not in html and f"alert({n})" not in html
    assert len(renders) == 1
