"""Changing one's password, and how passwords are stored."""

from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.accounts.models import User
from app.core.audit import AuditEntry
from tests.conftest import PASSWORD

URL = "/gestion/cuenta/clave"
NEW = "una frase nueva y larga 2026"


def _change(client, current, new, confirm=None):
    return client.submit(
        URL, {"current": current, "new": new, "confirm": new if confirm is None else confirm}
    )


def _stored(db, user) -> str:
    """The password hash in the database now (requests ran in their own sessions)."""
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash


def _error(html, field):
    return html.split(f'id="{field}-error"')[1].split("</p>")[0]


def test_passwords_are_stored_as_scrypt_hashes(make_user, db):
    user = make_user("editor")
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored
    assert check_password_hash(stored, PASSWORD)


def test_wrong_current_password_is_shown_next_to_that_field(client, login_as, db):
    user = login_as("editor")
    response = _change(client, "no-es-esta-clave", NEW)
    assert response.status_code == 422
    assert "La contraseña actual no es correcta." in _error(response.get_data(as_text=True), "current")
    assert check_password_hash(_stored(db, user), PASSWORD)


def test_too_short_new_password_is_refused(client, login_as, db):
    user = login_as("editor")
    response = _change(client, PASSWORD, "corta1")
    assert response.status_code == 422
    assert "al menos 12 caracteres" in _error(response.get_data(as_text=True), "new")
    assert check_password_hash(_stored(db, user), PASSWORD)


def test_mismatched_confirmation_is_refused(client, login_as, db):
    user = login_as("editor")
    response = _change(client, PASSWORD, NEW, confirm=NEW + "x")
    assert response.status_code == 422
    assert "Las dos contraseñas no coinciden." in _error(response.get_data(as_text=True), "confirm")
    assert check_password_hash(_stored(db, user), PASSWORD)


def test_change_password_succeeds_and_is_audited(client, login_as, db):
    user = login_as("editor")
    response = _change(client, PASSWORD, NEW)
    assert response.status_code == 302
    assert "Tu contraseña quedó cambiada." in client.get("/gestion/").get_data(as_text=True)
    stored = _stored(db, user)
    assert check_password_hash(stored, NEW) and not check_password_hash(stored, PASSWORD)
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "password_changed")).target
        == user.email
    )
    # the new password is the one that works from now on
    client.submit("/gestion/salir", {}, form_url="/gestion/")
    assert client.submit("/gestion/ingresar", {"email": user.email, "password": NEW}).status_code == 302


def test_change_password_needs_login(client, catalogs):
    assert client.get(URL).headers["Location"].startswith("/gestion/ingresar?next=")


# ---------------------------------------------------------------------------- guessable passwords

REFUSED = {
    "password1234": "demasiado común o fácil de adivinar",
    "qwertyuiop123": "demasiado común o fácil de adivinar",
    "colombia12345": "demasiado común o fácil de adivinar",
    "demo-participa-2026": "contraseña pública de la demostración",
    "Participa-2026!": "nombre del portal ni el de la entidad",
    "mi clave de Medellín 2026": "nombre del portal ni el de la entidad",
    "MEDELLIN.segura.2026": "nombre del portal ni el de la entidad",
}


def test_common_leaked_and_local_passwords_are_refused_in_spanish(client, login_as, db):
    user = login_as("editor")
    for password, message in REFUSED.items():
        response = _change(client, PASSWORD, password)
        assert response.status_code == 422, password
        assert message in _error(response.get_data(as_text=True), "new"), password
    assert check_password_hash(_stored(db, user), PASSWORD)


def test_guessable_password_message_in_english(client, login_as):
    login_as("editor")
    client.get("/gestion/?lang=en")
    html = _change(client, PASSWORD, "password1234").get_data(as_text=True)
    assert "too common or easy to guess" in _error(html, "new")


def test_an_admin_cannot_create_an_account_with_a_guessable_password(client, login_as, db):
    login_as("admin")
    response = client.submit(
        "/gestion/usuarios/nuevo",
        {
            "email": "nueva@prueba.gov.co",
            "name": "Nueva",
            "role": "editor",
            "password": "password1234",
            "active": "y",
        },
    )
    assert response.status_code == 422
    assert "demasiado común" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "nueva@prueba.gov.co")) is None


def test_a_passphrase_is_accepted(client, login_as):
    login_as("editor")
    assert _change(client, PASSWORD, "tres gatos comen arepa al sol").status_code == 302


def test_the_demo_password_is_refused_for_demo_users_in_production(app, catalogs, monkeypatch):
    from app.accounts import commands, rules

    monkeypatch.setitem(app.config, "PARTICIPA_ENV", "production")
    try:
        commands.create_user("ana@prueba.gov.co", rules.DEMO_PASSWORD, "editor", allow_demo=True)
    except rules.AccountError as exc:
        assert "demostración" in str(exc)
    else:
        raise AssertionError("the demo password was accepted in production")
