"""Staff login: good and bad passwords, per-account-and-address lock with backoff, per-account
slowing, per-IP throttle, logout, redirects."""

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import LoginThrottle
from app.core import time
from app.core.audit import AuditEntry
from app.extensions import limiter
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


def slowed_now(email, ip):
    from app.accounts.queries import slowed_seconds

    return slowed_seconds(email, ip) > 0


def _throttle(db, scope):
    return list(db.session.scalars(select(LoginThrottle).where(LoginThrottle.scope == scope)))


def test_account_locks_from_one_address_with_backoff_even_with_the_right_password(
    client, make_user, app, monkeypatch, db
):
    monkeypatch.setitem(app.config, "PARTICIPA_LOGIN_MAX_FAILURES", 3)
    monkeypatch.setitem(app.config, "PARTICIPA_LOGIN_LOCK_MINUTES", 15)
    user = make_user("analyst")
    assert "Te queda 1 intento antes" in _fail(client, user.email, 2).get_data(as_text=True)
    locked = _fail(client, user.email, 1)
    assert locked.status_code == 422
    assert "quedó bloqueada aquí; inténtalo de nuevo en 1 minuto." in locked.get_data(as_text=True)

    right = client.submit(LOGIN, {"email": user.email, "password": PASSWORD})
    assert right.status_code == 422
    assert "quedó bloqueada aquí" in right.get_data(as_text=True)
    assert _audit(db, "login_locked")

    # Each further failure from this address doubles the wait: 2, 4, 8 minutes, then at most 15.
    waits, start = [], time.now()
    for minutes in (2, 5, 10, 19, 35, 51):  # each just after the previous lock ended
        with time.freeze(start + timedelta(minutes=minutes)):
            html = _fail(client, user.email, 1).get_data(as_text=True)
            waits.append(html.split("inténtalo de nuevo en ")[1].split(" ")[0])
    assert waits == ["2", "4", "8", "15", "15", "15"]

    # Once the lock has passed, the right password works and this address's counter is cleared.
    limiter.reset()  # the per-address request limit runs on the real clock, not the frozen one
    with time.freeze(start + timedelta(minutes=67)):
        assert client.submit(LOGIN, {"email": user.email, "password": PASSWORD}).status_code == 302
    db.session.expire_all()
    [pair] = _throttle(db, "pair")
    assert pair.failures == 0 and pair.locked_until is None and pair.last_success_at is not None


def test_a_lock_from_one_address_does_not_lock_the_owner_elsewhere(client, make_user, app, monkeypatch):
    """Five wrong passwords from anywhere no longer lock the account for everybody."""
    user = make_user("admin")
    attacker = {"REMOTE_ADDR": "198.51.100.66"}
    for _ in range(app.config["PARTICIPA_LOGIN_MAX_FAILURES"] + 2):
        html = client.submit(
            LOGIN, {"email": user.email, "password": "adivinando-123"}, environ_base=attacker
        ).get_data(as_text=True)
    assert "quedó bloqueada aquí" in html
    assert client.submit(LOGIN, {"email": user.email, "password": PASSWORD}).status_code == 302


def test_many_failures_from_many_addresses_slow_the_account_but_never_lock_it(
    client, make_user, app, monkeypatch, db
):
    monkeypatch.setitem(app.config, "PARTICIPA_LOGIN_ACCOUNT_SLOW_AFTER", 6)
    monkeypatch.setitem(app.config, "PARTICIPA_LOGIN_ACCOUNT_SLOW_SECONDS", 30)
    user = make_user("admin")
    client.login(user)  # the owner signed in from this address once: it is known
    client.submit("/gestion/salir", {}, form_url="/gestion/")

    def guess(ip, password="adivinando-123"):
        return client.submit(
            LOGIN, {"email": user.email, "password": password}, environ_base={"REMOTE_ADDR": ip}
        )

    for n in range(6):  # six addresses, one try each: no address reaches its own limit
        assert "no coinciden" in guess(f"198.51.100.{n}").get_data(as_text=True)
    slowed = guess("198.51.100.99")
    assert slowed.status_code == 422
    assert "espera 30 segundos entre un intento y otro" in slowed.get_data(as_text=True)
    assert "espera" in guess("198.51.100.99", PASSWORD).get_data(
        as_text=True
    )  # not even the password is tried
    assert _audit(db, "login_slowed")
    with time.freeze(time.now() + timedelta(seconds=31)):  # slowed, not locked: a try each 30 s
        assert "no coinciden" in guess("198.51.100.99").get_data(as_text=True)
    # The owner, from the address they signed in from before (the test client's), is never slowed.
    assert slowed_now(user.email, "198.51.100.98") and not slowed_now(user.email, "127.0.0.1")
    assert guess("127.0.0.1", PASSWORD).status_code == 302


def test_unknown_email_locks_the_same_way_so_nothing_is_revealed(client, make_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "PARTICIPA_LOGIN_MAX_FAILURES", 3)
    user = make_user("analyst")

    def messages(email):
        out = []
        for _ in range(4):
            html = client.submit(LOGIN, {"email": email, "password": "equivocada-123456"}).get_data(
                as_text=True
            )
            out.append(html.split('id="password-error"')[1].split("</p>")[0])
        return out

    known, unknown = messages(user.email), messages("nadie@prueba.gov.co")
    assert known == unknown
    assert "quedó bloqueada aquí" in unknown[-1]


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
        statuses.append(
            client.submit(LOGIN, {"email": f"p{i}@prueba.gov.co", "password": "x" * 12}).status_code
        )
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
    pairs, accounts = _throttle(db, "pair"), _throttle(db, "account")
    assert len(pairs) == len(accounts) == 1
    assert pairs[0].failures == accounts[0].failures == 2
    # The table keeps keyed hashes only: neither the e-mail nor the address in the clear.
    assert user.email not in pairs[0].key + accounts[0].key and "127.0.0.1" not in pairs[0].key
