"""Changing one's password, and how passwords are stored."""

from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.accounts.models import User
from app.core.audit import AuditEntry
from tests.conftest import PASSWORD

URL = "/gestion/cuenta/clave"
NEW = "una frase nueva y larga 2026"


def _change(client, current, new, confirm=None):
    return client.submit(URL, {"current": current, "new": new, "confirm": new if confirm is None else confirm})


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
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "password_changed")).target == user.email
    # the new password is the one that works from now on
    client.submit("/gestion/salir", {}, form_url="/gestion/")
    assert client.submit("/gestion/ingresar", {"email": user.email, "password": NEW}).status_code == 302


def test_change_password_needs_login(client, catalogs):
    assert client.get(URL).headers["Location"].startswith("/gestion/ingresar?next=")
