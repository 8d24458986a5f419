"""Sessions end on the server: a copied session cookie stops working at logout, password change,
deactivation and role change; the CSRF token changes at login."""

from __future__ import annotations

from flask import g

from tests.conftest import PASSWORD, Client

NEW_PASSWORD = "otra-frase-bastante-larga-77"


def _copy_of(app, client) -> Client:
    """A second browser holding a copy of `client`'s session cookie (a stolen or shared cookie)."""
    thief = Client(app.test_client())
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _in(browser) -> bool:
    g.pop("_login_user", None)
    return browser.get("/gestion/").status_code == 200


def test_a_copied_cookie_stops_working_at_logout(app, client, login_as):
    login_as("editor")
    thief = _copy_of(app, client)
    assert _in(thief)
    client.submit("/gestion/salir", {}, form_url="/gestion/")
    assert not _in(thief)


def test_changing_ones_password_ends_other_sessions_but_keeps_this_one(app, client, login_as):
    login_as("editor")
    thief = _copy_of(app, client)
    response = client.submit(
        "/gestion/cuenta/clave", {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert not _in(thief)
    assert _in(client)


def test_deactivation_role_change_and_password_reset_end_the_users_sessions(app, db, make_user, client):
    from app.accounts import commands

    admin = make_user("admin")
    for change in ("role", "deactivate", "password"):
        editor = make_user("editor", email=f"editor-{change}@prueba.gov.co")
        browser = Client(app.test_client())
        g.pop("csrf_token", None)
        browser.login(editor)
        assert _in(browser)
        role, active, password = "editor", True, None
        if change == "role":
            role = "analyst"
        elif change == "deactivate":
            active = False
        else:
            password = NEW_PASSWORD
        commands.update_user(
            editor,
            role=role,
            active=active,
            office_codes=[],
            name=editor.name,
            actor=admin,
            password=password,
        )
        assert not _in(browser), change


def test_an_unrelated_edit_keeps_the_session(app, db, make_user):
    from app.accounts import commands

    admin, editor = make_user("admin"), make_user("editor")
    browser = Client(app.test_client())
    browser.login(editor)
    commands.update_user(
        editor, role="editor", active=True, office_codes=[], name="Nuevo nombre", actor=admin
    )
    assert _in(browser)


def test_the_csrf_token_changes_at_login(client, make_user):
    user = make_user("editor")
    g.pop("csrf_token", None)
    before = client.csrf("/gestion/ingresar")
    g.pop("csrf_token", None)
    assert (
        client.post(
            "/gestion/ingresar", data={"csrf_token": before, "email": user.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    g.pop("csrf_token", None)
    after = client.csrf("/gestion/")
    assert after != before
    g.pop("csrf_token", None)
    # A token seen before signing in (a planted form) no longer works afterwards.
    refused = client.post("/gestion/salir", data={"csrf_token": before})
    assert refused.status_code == 400
    assert client.post("/gestion/salir", data={"csrf_token": after}).status_code == 302
