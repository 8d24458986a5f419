"""Staff login: good and bad passwords, per-account lock, per-IP throttle, logout, redirects."""

from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.models import LoginThrottle
from app.core import time
from app.core.audit import AuditEntry
from tests.conftest import PASSWORD

LOGIN = "/gestion/ingresar"


def _audit(db, action):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_good_password_logs_in_and_is_audited(client, make_user, db):
    user = make_user("editor")
    response = client.submit(LOGIN, {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/gestion/")
    page = client.get("/gestion/")
    assert page.status_code == 200
    assert "Ingresaste correctamente" in page.get_data(as_text=True)
    assert [e.target for e in _audit(db, "login")] == [user.email]


def test_email_is_matched_without_case_or_spaces(client, make_user):
    user = make_user("editor")
    response = client.submit(LOGIN, {"email": f"  {user.email.upper()} ", "password": PASSWORD})
    assert response.status_code == 302


def test_bad_password_keeps_email_and_says_how_many_tries_are_left(client, make_user, app, db):
    user = make_user("editor")
    response = client.submit(LOGIN, {"email": user.email, "password": "no-es-la-clave-123"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    left = app.config["PARTICIPA_LOGIN_MAX_FAILURES"] - 1
    assert f"El correo o la contraseña no coinciden. Te quedan {left} intentos" in html
    assert f'value="{user.email}"' in html  # the e-mail typed is kept
    assert "no-es-la-clave-123" not in html  # the password is never echoed back
    assert client.get("/gestion/").status_code == 302  # still not logged in
    assert [e.target for e in _audit(db, "login_failed")] == [user.email]


def _fail(client, email, times):
    response = None
    for _ in range(times):
        response = client.submit(LOGIN, {"email": email, "password": "equivocada-123456"})
    return response


def test_account_locks_after_max_failures_even_with_the_right_password(client, make_user, app, monkeypatch, db):
    monkeypatch.setitem(app.config, "PARTICIPA_LOGIN_MAX_FAILURES", 3)
    monkeypatch.setitem(app.config, "PARTICIPA_LOGIN_LOCK_MINUTES", 15)
    user = make_user("analyst")
    assert "Te queda 1 intento antes" in _fail(client, user.email, 2).get_data(as_text=True)
    locked = _fail(client, user.email, 1)
    assert locked.status_code == 422
    assert "Por seguridad quedó bloqueada; inténtalo de nuevo en 15 minutos" in locked.get_data(as_text=True)

    right = client.submit(LOGIN, {"email": user.email, "password": PASSWORD})
    assert right.status_code == 422
    assert "quedó bloqueada" in right.get_data(as_text=True)
    assert _audit(db, "login_locked")

    # Once the lock window has passed, the right password works again and the counter is cleared.
    with time.freeze(time.now() + timedelta(minutes=16)):
        assert client.submit(LOGIN, {"email": user.email, "password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert db.session.get(LoginThrottle, user.email) is None


def test_unknown_email_locks_the_same_way_so_nothing_is_revealed(client, make_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "PARTICIPA_LOGIN_MAX_FAILURES", 3)
    user = make_user("analyst")

    def messages(email):
        out = []
        for _ in range(4):
            html = client.submit(LOGIN, {"email": email, "password": "equivocada-123456"}).get_data(as_text=True)
            out.append(html.split('id="password-error"')[1].split("</p>")[0])
        return out

    known, unknown = messages(user.email), messages("nadie@prueba.gov.co")
    assert known == unknown
    assert "quedó bloqueada" in unknown[-1]


def test_deactivated_user_cannot_log_in(client, make_user, db):
    user = make_user("editor")
    user.active = False
    db.session.commit()
    response = client.submit(LOGIN, {"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert "no coinciden" in response.get_data(as_text=True)


def test_login_post_is_throttled_per_ip_with_friendly_page(client, catalogs):
    statuses = []
    for i in range(11):  # different addresses, so the per-account lock is not what stops them
        statuses.append(client.submit(LOGIN, {"email": f"p{i}@prueba.gov.co", "password": "x" * 12}).status_code)
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    response = client.submit(LOGIN, {"email": "otra@prueba.gov.co", "password": "x" * 12})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Demasiadas solicitudes seguidas" in html and "Espera unos minutos" in html
    assert client.get(LOGIN).status_code == 200  # the form itself stays reachable


def test_logout_is_a_post_and_ends_the_session(client, login_as, db):
    login_as("editor")
    assert client.get("/gestion/salir").status_code == 405
    response = client.submit("/gestion/salir", {}, form_url="/gestion/")
    assert response.status_code == 302
    assert client.get("/gestion/").status_code == 302
    assert _audit(db, "logout")


def test_staff_url_without_login_redirects_to_login_with_next(client, make_user):
    user = make_user("admin")
    response = client.get("/gestion/usuarios?pagina=2")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/gestion/ingresar?next=")
    assert "%2Fgestion%2Fusuarios" in location
    # after logging in, the person lands on the page they asked for
    after = client.submit(location, {"email": user.email, "password": PASSWORD}, form_url=location)
    assert after.status_code == 302
    assert after.headers["Location"] == "/gestion/usuarios?pagina=2"


def test_next_parameter_cannot_send_people_off_site(client, make_user):
    user = make_user("admin")
    url = "/gestion/ingresar?next=//evil.example/gestion"
    response = client.submit(url, {"email": user.email, "password": PASSWORD}, form_url=url)
    assert response.headers["Location"] == "/gestion/"


def test_logged_in_user_visiting_login_goes_to_staff_home(client, login_as):
    login_as("steward")
    assert client.get(LOGIN).headers["Location"].endswith("/gestion/")


def test_failed_logins_for_one_address_never_duplicate_its_counter(client, make_user, db):
    user = make_user("editor")
    _fail(client, user.email, 2)
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 1
    assert db.session.get(LoginThrottle, user.email).failures == 2
