"""Security baseline: headers on every response, CSRF, hostile input never causes a 500."""

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.catalogs.models import CatalogEntry
from tests.conftest import PASSWORD


def _assert_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert response.headers.get("X-Frame-Options") == "DENY"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/privacidad", 200),
        ("/gestion/ingresar", 200),
        ("/healthz", 200),
        ("/static/css/participa.css", 200),
        ("/static/img/favicon.svg", 200),
        ("/no-existe", 404),
        ("/gestion/usuarios", 302),
        ("/gestion/salir", 405),
    ],
)
def test_every_response_carries_the_security_headers(client, catalogs, path, status):
    response = client.get(path)
    assert response.status_code == status
    _assert_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # plain http


def test_staff_and_forbidden_pages_carry_headers_and_are_not_cached(client, login_as):
    login_as("analyst")
    for path, status in (("/gestion/", 200), ("/gestion/usuarios", 403)):
        response = client.get(path)
        assert response.status_code == status
        _assert_headers(response)
        assert response.headers["Cache-Control"] == "no-store"


def test_error_pages_for_csrf_and_oversize_carry_headers(client, catalogs, app):
    _assert_headers(client.post("/gestion/ingresar", data={"email": "a@b.co"}))
    _assert_headers(
        client.post("/gestion/ingresar", data={"x": "y" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    )


def test_hsts_only_over_https(client, catalogs):
    secure = client.get("/", base_url="https://participa.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    _assert_headers(secure)
    assert "Strict-Transport-Security" not in client.get("/", base_url="http://participa.test").headers


def test_post_without_csrf_token_gets_friendly_400_and_stores_nothing(client, login_as, db):
    login_as("admin")
    before = db.session.scalar(select(func.count()).select_from(CatalogEntry))
    response = client.post(
        "/gestion/catalogos/lista/value_group", data={"code": "ASO", "label_es": "Asociación"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "no guardamos nada" in html and "Vuelve a abrir la página" in html
    response = client.post(
        "/gestion/usuarios/nuevo", data={"email": "x@medellin.gov.co", "role": "admin", "password": PASSWORD}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CatalogEntry)) == before
    assert db.session.scalar(select(User).where(User.email == "x@medellin.gov.co")) is None


def test_token_from_another_session_is_refused(client, login_as, app, db):
    from tests.conftest import Client

    stranger = Client(app.test_client())
    token = stranger.csrf("/gestion/ingresar")
    login_as("admin")
    response = client.post(
        "/gestion/catalogos/lista/value_group",
        data={"code": "ASO", "label_es": "Asociación", "csrf_token": token},
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == "ASO")) is None


HOSTILE = [
    "<script>alert(1)</script>",
    "'; DROP TABLE staff_user; --",
    '" OR 1=1 --',
    "nul\x00byte",
    "ctrl\x01\x07\x1b[31m",
    "bidi\u202eevil",
    "é" * 300,
    "%00%27%22",
    "{{ 7*7 }}",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_never_causes_a_500(client, login_as, db, value):
    # Anonymous: login form, search, language switch, error pages.
    assert client.submit("/gestion/ingresar", {"email": value, "password": value}).status_code in (422, 429)
    assert client.get("/buscar", query_string={"q": value}).status_code == 200
    assert client.get("/idioma/en", query_string={"next": value}).status_code == 302
    assert client.get("/", query_string={"lang": value}).status_code == 200
    assert client.get("/gestion/ingresar", query_string={"next": value}).status_code == 200
    # An admin typing the same into every staff form and filter.
    login_as("admin")
    for url, form in (
        ("/gestion/usuarios/nuevo", {"email": value, "name": value, "role": value, "password": value}),
        ("/gestion/catalogos/lista/value_group", {"code": value, "label_es": value, "label_en": value}),
        (
            "/gestion/catalogos/territorios",
            {"code": value, "label_es": value, "kind": value, "parent": value},
        ),
        ("/gestion/catalogos/dependencias", {"code": value, "label_es": value, "acronym": value}),
        ("/gestion/cuenta/clave", {"current": value, "new": value, "confirm": value}),
    ):
        response = client.submit(url, form)
        assert response.status_code in (302, 422), (url, response.status_code)
    for query in ({"accion": value}, {"pagina": value}, {"pagina": "99999999999999999999"}, {"pagina": "-3"}):
        assert client.get("/gestion/auditoria", query_string=query).status_code == 200
    html = client.get("/gestion/catalogos/lista/value_group").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # only the admin


def test_markup_in_names_is_refused_not_stored(client, login_as, db):
    login_as("admin")
    response = client.submit(
        "/gestion/catalogos/dependencias", {"code": "X1", "label_es": "<img src=x onerror=alert(1)>"}
    )
    assert response.status_code == 422
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.get_data(as_text=True)  # kept, escaped


def test_control_characters_are_stripped_before_storing(client, login_as, db):
    login_as("admin")
    response = client.submit(
        "/gestion/catalogos/dependencias", {"code": "X2", "label_es": "Oficina\x00 de\u202e  Paz\x07"}
    )
    assert response.status_code == 302
    from app.catalogs.models import Office

    db.session.expire_all()
    assert db.session.scalar(select(Office.name).where(Office.code == "X2")) == "Oficina de Paz"


@pytest.mark.parametrize(
    "path", ["/gestion/ingresar", "/healthz", "/", "/gestion/catalogos/lista/value_group"]
)
def test_five_megabyte_body_is_refused_cleanly(client, catalogs, path):
    body = b"a=" + b"x" * (5 * 1024 * 1024)
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (405, 413)
    if response.status_code == 413:
        assert "demasiado grande" in response.get_data(as_text=True)
    _assert_headers(response)


def test_five_megabyte_file_upload_is_refused(client, catalogs):
    import io

    response = client.post(
        "/gestion/ingresar",
        data={"f": (io.BytesIO(b"0" * (5 * 1024 * 1024)), "big.bin")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_malformed_bodies_are_refused_without_500(client, catalogs):
    for body, ctype in (
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b"{not json", "application/json"),
    ):
        response = client.post("/gestion/ingresar", data=body, content_type=ctype)
        assert response.status_code in (400, 413), (ctype, response.status_code)


def test_json_clients_get_json_errors(client, catalogs):
    response = client.get("/no-existe", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {"error": 404, "message": "No encontramos esta página"}
