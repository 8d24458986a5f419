"""Admins manage users and roles; other roles cannot."""

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.core.audit import AuditEntry
from tests.conftest import PASSWORD, Client

NEW_PASSWORD = "clave inicial segura 2026"


def _user(db, email):
    return db.session.scalar(select(User).where(User.email == email))


def test_admin_creates_an_editor_with_offices(client, login_as, db):
    login_as("admin")
    response = client.submit(
        "/gestion/usuarios/nuevo",
        {
            "email": "Nueva@Medellin.gov.co",
            "name": "Ana Pérez",
            "role": "editor",
            "offices": ["DAP", "SPC"],
            "password": NEW_PASSWORD,
            "active": "y",
        },
    )
    assert response.status_code == 302
    user = _user(db, "nueva@medellin.gov.co")
    assert user.role == "editor" and user.office_codes == {"DAP", "SPC"}
    listing = client.get("/gestion/usuarios").get_data(as_text=True)
    assert "nueva@medellin.gov.co" in listing and "Edición de contenidos" in listing
    created = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "user_created", AuditEntry.target == user.email)
    )
    assert created.details == {"role": "editor"} and created.actor == "admin@prueba.gov.co"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "no-es-un-correo"}, "email", "correo electrónico válido"),
        ({"email": "admin@prueba.gov.co"}, "email", "Ya existe una cuenta con ese correo."),
        ({"password": "corta"}, "password", "al menos 12 caracteres"),
        ({"name": "<script>x</script>"}, "name", "sin etiquetas HTML"),
    ],
)
def test_bad_new_user_input_is_refused_next_to_its_field(client, login_as, db, data, field, message):
    login_as("admin")
    form = {
        "email": "otra@medellin.gov.co",
        "name": "Otra",
        "role": "analyst",
        "password": NEW_PASSWORD,
        **data,
    }
    response = client.submit("/gestion/usuarios/nuevo", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert len(list(db.session.scalars(select(User)))) == 1  # only the admin


def test_admin_changes_role_and_it_is_audited(client, login_as, make_user, db):
    login_as("admin")
    analyst = make_user("analyst")
    response = client.submit(
        f"/gestion/usuarios/{analyst.id}",
        {"email": analyst.email, "name": "A", "role": "steward", "active": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert _user(db, analyst.email).role == "steward"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "role_changed"))
    assert entry.target == analyst.email
    assert entry.details == {"from": "analyst", "to": "steward"}
    assert entry.actor == "admin@prueba.gov.co"


def test_admin_deactivates_a_user_who_then_cannot_log_in(client, login_as, make_user, db, app):
    login_as("admin")
    editor = make_user("editor")
    editor_browser = Client(app.test_client())
    editor_browser.login(editor)
    response = client.submit(
        f"/gestion/usuarios/{editor.id}", {"email": editor.email, "name": "E", "role": "editor"}
    )
    assert response.status_code == 302  # "active" unticked
    db.session.expire_all()
    assert _user(db, editor.email).active is False
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user_deactivated")).target
        == editor.email
    )
    # the open session ends, and a new login is refused
    assert editor_browser.get("/gestion/").status_code == 302
    assert (
        editor_browser.submit("/gestion/ingresar", {"email": editor.email, "password": PASSWORD}).status_code
        == 422
    )


def test_admin_cannot_demote_or_deactivate_themself(client, login_as, db):
    admin = login_as("admin")
    response = client.submit(
        f"/gestion/usuarios/{admin.id}", {"email": admin.email, "name": "A", "role": "editor", "active": "y"}
    )
    assert response.status_code == 422
    assert "No puedes quitarte tu propio rol" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _user(db, admin.email).role == "admin"


def test_bad_new_password_on_edit_changes_nothing(client, login_as, make_user, db):
    login_as("admin")
    analyst = make_user("analyst")
    response = client.submit(
        f"/gestion/usuarios/{analyst.id}",
        {"email": analyst.email, "name": "A", "role": "steward", "active": "y", "password": "corta"},
    )
    assert response.status_code == 422
    assert "al menos 12 caracteres" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _user(db, analyst.email).role == "analyst"  # the role change was not half-saved
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "role_changed")) is None


@pytest.mark.parametrize(
    "role, url",
    [
        (r, u)
        for r in ("editor", "analyst", "steward")
        for u in ("/gestion/usuarios", "/gestion/usuarios/nuevo")
    ]
    # issue 15: the data steward reads the audit log too (oversight); others do not
    + [("editor", "/gestion/auditoria"), ("analyst", "/gestion/auditoria")],
)
def test_non_admins_get_403_on_user_admin(client, login_as, role, url):
    login_as(role)
    response = client.get(url)
    assert response.status_code == 403
    assert "No tienes permiso para ver esta página" in response.get_data(as_text=True)


def test_non_admin_cannot_create_users_by_posting(client, login_as, db):
    login_as("editor")
    response = client.submit(
        "/gestion/usuarios/nuevo",
        {"email": "x@medellin.gov.co", "role": "admin", "password": NEW_PASSWORD},
        form_url="/gestion/",
    )
    assert response.status_code == 403
    assert _user(db, "x@medellin.gov.co") is None


def test_staff_home_lists_only_what_the_role_may_use(client, login_as):
    login_as("analyst")
    html = client.get("/gestion/").get_data(as_text=True)
    assert "Análisis" in html
    assert "Usuarios y roles" not in html and "Catálogos" not in html


def test_audit_log_is_readable_by_admin(client, login_as):
    login_as("admin")
    html = client.get("/gestion/auditoria?accion=login").get_data(as_text=True)
    assert "admin@prueba.gov.co" in html
