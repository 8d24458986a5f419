"""Public pages, headers, language, health, error pages."""

import pytest

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")


@pytest.mark.parametrize(
    "path", ["/", "/privacidad", "/terminos", "/accesibilidad", "/mapa-del-sitio", "/buscar?q=plan"]
)
def test_public_pages_render_in_spanish_with_security_headers(client, catalogs, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="es-CO">' in html
    assert "Saltar al contenido" in html
    for header in HEADERS:
        assert header in response.headers
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_home_tells_citizen_what_to_do_and_shows_honest_empty_state(client, catalogs):
    html = client.get("/").get_data(as_text=True)
    assert "Lo que puedes hacer ahora" in html


def test_language_switch_by_query_is_remembered(client):
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/privacidad").get_data(as_text=True)
    assert '<html lang="es-CO">' in client.get("/?lang=es").get_data(as_text=True)


def test_language_switch_link_returns_to_the_page(client):
    response = client.get("/idioma/en?next=/terminos")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/terminos?lang=en")
    assert client.get("/idioma/en?next=//evil.example").headers["Location"] == "/?lang=en"


def test_privacy_policy_names_controller_contact_and_rights(client, app):
    html = client.get("/privacidad").get_data(as_text=True)
    assert app.config["ENTITY_NAME"] in html
    assert app.config["ENTITY_DPO_EMAIL"] in html
    for word in ("conocer", "actualizar", "rectificar", "supriman"):
        assert word in html


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not configured",
        "queue": "not configured",
    }


def test_healthz_503_when_database_down(app):
    from app import create_app

    broken = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite:////nonexistent/dir/db.sqlite"}
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "error",
        "database": "down",
        "redis": "not configured",
        "queue": "not configured",
    }


def test_404_page_in_visitor_language(client):
    response = client.get("/no-existe")
    assert response.status_code == 404
    assert "No encontramos esta página" in response.get_data(as_text=True)
    response = client.get("/no-existe?lang=en")
    assert response.status_code == 404
    assert "We could not find this page" in response.get_data(as_text=True)


def test_post_without_csrf_token_gets_friendly_400(client, catalogs):
    response = client.post("/gestion/ingresar", data={"email": "a@b.co", "password": "x"})
    assert response.status_code == 400
    assert "no guardamos nada" in response.get_data(as_text=True)


def test_oversized_body_gets_413(client, app):
    response = client.post("/gestion/ingresar", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413
    assert "demasiado grande" in response.get_data(as_text=True)


def test_hostile_query_string_is_harmless(client, catalogs):
    response = client.get("/buscar?q=%3Cscript%3Ealert(1)%3C/script%3E%27%20OR%201=1--%00")
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_device_cookie_is_set_once(client):
    response = client.get("/")
    cookie = response.headers.get("Set-Cookie", "")
    assert "participa_device=" in cookie and "HttpOnly" in cookie
