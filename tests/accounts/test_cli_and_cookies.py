"""`flask participa create-user`, the demo command in production, and session cookie flags."""

from sqlalchemy import select

from app import create_app
from app.accounts.models import User
from tests.conftest import PASSWORD, Client, database_url


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["participa", *args])


def test_create_user_non_interactive(app, db, catalogs):
    result = _run(
        app,
        "create-user",
        "--email",
        "Jefa@Medellin.gov.co",
        "--password",
        PASSWORD,
        "--role",
        "steward",
        "--name",
        "Jefa de datos",
    )
    assert result.exit_code == 0, result.output
    assert "Created jefa@medellin.gov.co (steward)" in result.output
    user = db.session.scalar(select(User).where(User.email == "jefa@medellin.gov.co"))
    assert (
        user.role == "steward" and user.name == "Jefa de datos" and user.password_hash.startswith("scrypt:")
    )


def test_create_user_with_offices(app, db, catalogs):
    result = _run(
        app,
        "create-user",
        "--email",
        "ed@medellin.gov.co",
        "--password",
        PASSWORD,
        "--role",
        "editor",
        "--office",
        "DAP",
        "--office",
        "SPC",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).office_codes == {"DAP", "SPC"}


def test_create_user_rejects_bad_input(app, db, catalogs):
    bad_role = _run(
        app, "create-user", "--email", "a@medellin.gov.co", "--password", PASSWORD, "--role", "root"
    )
    assert bad_role.exit_code == 2 and "root" in bad_role.output
    short = _run(app, "create-user", "--email", "a@medellin.gov.co", "--password", "corta", "--role", "admin")
    assert short.exit_code == 1 and "12 caracteres" in short.output
    bad_email = _run(app, "create-user", "--email", "sin-arroba", "--password", PASSWORD, "--role", "admin")
    assert bad_email.exit_code == 1 and "correo" in bad_email.output
    missing = _run(app, "create-user", "--email", "a@medellin.gov.co", "--role", "admin")
    assert missing.exit_code == 2 and "--password" in missing.output  # never prompts
    assert db.session.scalar(select(User)) is None
    assert (
        _run(
            app, "create-user", "--email", "a@medellin.gov.co", "--password", PASSWORD, "--role", "admin"
        ).exit_code
        == 0
    )
    duplicate = _run(
        app, "create-user", "--email", "A@medellin.gov.co", "--password", PASSWORD, "--role", "admin"
    )
    assert duplicate.exit_code == 1 and "Ya existe" in duplicate.output


def _other_app(**config):
    return create_app({"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url(), **config})


def test_demo_refuses_in_production(app, db, monkeypatch):
    monkeypatch.setenv("PARTICIPA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("PARTICIPA_ENTITY_NAME", "Alcaldía de Prueba")
    monkeypatch.setenv("PARTICIPA_DPO_EMAIL", "datos@prueba.gov.co")
    monkeypatch.setenv("DATABASE_URL", database_url())
    prod = create_app()
    assert prod.config["PARTICIPA_ENV"] == "production"
    with prod.app_context():  # the command runs against this app, not the test session's
        result = prod.test_cli_runner().invoke(args=["participa", "demo"])
    assert result.exit_code == 1
    assert "development databases only" in result.output
    assert db.session.scalar(select(User)) is None  # no user with a known password was created


def test_session_cookie_is_httponly_and_lax(client, make_user):
    user = make_user("admin")
    response = client.submit("/gestion/ingresar", {"email": user.email, "password": PASSWORD})
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over plain http in tests


def test_session_cookie_is_secure_when_base_url_is_https(monkeypatch, db, catalogs):
    from app.accounts import commands

    monkeypatch.setenv("PARTICIPA_BASE_URL", "https://participa.medellin.gov.co")
    secure = _other_app()
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    with secure.app_context():
        commands.create_user("admin@prueba.gov.co", PASSWORD, "admin")
    browser = Client(secure.test_client())
    response = browser.submit("/gestion/ingresar", {"email": "admin@prueba.gov.co", "password": PASSWORD})
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
