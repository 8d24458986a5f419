"""Account rules: creating users, authenticating with throttling, roles, passwords."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from app.accounts.models import LoginThrottle, User
from app.catalogs.models import Office
from app.core import audit, time
from app.core.auth import ROLES
from app.core.hashing import keyed_hash
from app.extensions import db

MIN_PASSWORD = 12
# A valid hash to compare against when the e-mail is unknown, so timing does not reveal it.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class AccountError(ValueError):
    """A refused account operation; the message is shown to the person.

    `field` names the form field the message belongs next to ("email", "password", "current",
    "role"…), so the route can show it in the right place.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def hash_password(password: str) -> str:
    """scrypt (memory-hard), through Werkzeug."""
    return generate_password_hash(password, method="scrypt")


PRODUCT_NAME = "participa"
DEMO_PASSWORD = "demo-participa-2026"  # published in the README: never accepted for a real account
MIN_GUESSES_SCORE = 3  # zxcvbn score: 3 means about 10^8 guesses or more
# Words of an entity's name too general to refuse on their own.
_GENERIC_NAME_WORDS = {
    "alcaldia",
    "distrito",
    "municipio",
    "municipal",
    "gobernacion",
    "departamento",
    "especial",
    "turistico",
    "cultural",
    "portuario",
    "biodiverso",
    "ciencia",
    "tecnologia",
    "innovacion",
    "santa",
    "santiago",
    "san",
}


def _plain(value: str) -> str:
    """Lower case without accents: "Medellín" and "medellin" are the same word here."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _entity_words() -> list[str]:
    words = re.findall(r"[a-z0-9]+", _plain(current_app.config.get("ENTITY_NAME", "")))
    return [w for w in words if len(w) >= 4 and w not in _GENERIC_NAME_WORDS]


def check_password_strength(password: str, email: str = "", *, allow_demo: bool = False) -> None:
    """Refuse passwords shorter than MIN_PASSWORD, containing the e-mail's user part, too
    repetitive, containing the product's or the entity's name, the published demo password, or
    easy to guess: common and leaked passwords, words, names, keyboard patterns and dates, as
    scored by zxcvbn (its frequency lists ship with the package; nothing is looked up online).
    Raises AccountError(field="password") with a message in the visitor's language.
    `allow_demo`: the development demo's own users only."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            _("La contraseña debe tener al menos %(n)s caracteres.", n=MIN_PASSWORD), "password"
        )
    if len(password) > 512:
        raise AccountError(_("La contraseña puede tener como máximo %(n)s caracteres.", n=512), "password")
    if allow_demo and password == DEMO_PASSWORD and current_app.config["PARTICIPA_ENV"] != "production":
        return
    plain = _plain(password)
    user_part = _plain(email.split("@")[0]) if email else ""
    if len(user_part) >= 3 and user_part in plain:
        raise AccountError(_("La contraseña no puede contener el usuario del correo."), "password")
    if len(set(password)) < 5:
        raise AccountError(_("La contraseña es demasiado repetitiva; usa una frase más variada."), "password")
    if _plain(DEMO_PASSWORD) in plain:
        raise AccountError(_("Esa es la contraseña pública de la demostración; escoge otra."), "password")
    if PRODUCT_NAME in plain or any(word in plain for word in _entity_words()):
        raise AccountError(
            _("La contraseña no puede contener el nombre del portal ni el de la entidad."), "password"
        )
    inputs = [PRODUCT_NAME, DEMO_PASSWORD, *_entity_words(), *([user_part] if user_part else [])]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < MIN_GUESSES_SCORE:
        raise AccountError(
            _(
                "Esa contraseña es demasiado común o fácil de adivinar (aparece en listas de claves "
                "filtradas o sigue un patrón conocido). Usa una frase de varias palabras."
            ),
            "password",
        )


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


_EMAIL = re.compile(
    r"^[^@\s<>\"'(),;:]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)


def valid_email(email: str) -> bool:
    """A plausible e-mail address (one @, a domain with a dot, no spaces or markup)."""
    return 3 <= len(email) <= 255 and bool(_EMAIL.match(email))


def create_user(
    email: str,
    password: str,
    role: str,
    *,
    name: str = "",
    office_codes=(),
    actor=None,
    allow_demo: bool = False,
) -> User:
    """Create an active staff user and audit it (user_created). Raises AccountError with the
    field at fault (email, role, password); nothing is stored then."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(_("Rol desconocido: %(role)s.", role=role), "role")
    if not valid_email(email):
        raise AccountError(
            _("Escribe un correo electrónico válido, por ejemplo nombre@entidad.gov.co."), "email"
        )
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(_("Ya existe una cuenta con ese correo."), "email")
    check_password_strength(password, email, allow_demo=allow_demo)
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password),
        password_changed_at=time.now(),
    )
    user.offices = (
        list(db.session.scalars(select(Office).where(Office.code.in_(list(office_codes)))))
        if office_codes
        else []
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", target=email, details={"role": role}, actor=actor, commit=False)
    db.session.commit()
    return user


PAIR, ACCOUNT = "pair", "account"
PAIR_FORGET_AFTER = timedelta(hours=24)  # a pair's failures count again from zero after a quiet day
KNOWN_ADDRESS_FOR = timedelta(days=90)  # an address the account signed in from is exempt from slowing
THROTTLE_KEPT_FOR = timedelta(days=90)  # throttle rows without activity for this long are deleted


def _key(scope: str, email: str, ip: str = "") -> str:
    """Keyed hash of the account (and address): the throttle table keeps neither in the clear."""
    return keyed_hash(f"login-{scope}", f"{email}\x1f{ip}" if scope == PAIR else email)[:48]


def _row(scope: str, email: str, ip: str = "", *, create: bool = False) -> LoginThrottle | None:
    key = _key(scope, email, ip)
    row = db.session.get(LoginThrottle, key)
    if row is None and create:
        row = LoginThrottle(key=key, scope=scope, failures=0)
        db.session.add(row)
    return row


def _lock_message(minutes: int) -> str:
    return ngettext(
        "Demasiados intentos fallidos con esta cuenta desde tu conexión. Por seguridad quedó bloqueada aquí; "
        "inténtalo de nuevo en %(num)s minuto.",
        "Demasiados intentos fallidos con esta cuenta desde tu conexión. Por seguridad quedó bloqueada aquí; "
        "inténtalo de nuevo en %(num)s minutos.",
        minutes,
    )


def _slow_message(seconds: int) -> str:
    return ngettext(
        "Esta cuenta recibió muchos intentos fallidos. Por seguridad, espera %(num)s segundo entre un "
        "intento "
        "y otro.",
        "Esta cuenta recibió muchos intentos fallidos. Por seguridad, espera %(num)s segundos entre un "
        "intento "
        "y otro.",
        seconds,
    )


def lock_minutes(failures: int) -> int:
    """Exponential backoff for one (account, address): 1, 2, 4, 8… minutes from the
    PARTICIPA_LOGIN_MAX_FAILURES-th failure on, up to PARTICIPA_LOGIN_LOCK_MINUTES."""
    cfg = current_app.config
    over = failures - cfg["PARTICIPA_LOGIN_MAX_FAILURES"]
    return 0 if over < 0 else min(cfg["PARTICIPA_LOGIN_LOCK_MINUTES"], 2 ** min(over, 20))


def _minutes_left(until) -> int:
    return max(1, int((until - time.now()).total_seconds() + 59) // 60)


def locked_minutes(email: str, ip: str = "") -> int:
    """Minutes left on the lock of this account from this address (0 when not locked)."""
    row = _row(PAIR, normalise_email(email), ip)
    if row and row.locked_until and row.locked_until > time.now():
        return _minutes_left(row.locked_until)
    return 0


def slowed_seconds(email: str, ip: str = "") -> int:
    """Seconds this address must still wait before trying this account (0: it may try now).

    Only once the account passed PARTICIPA_LOGIN_ACCOUNT_SLOW_AFTER failures within
    PARTICIPA_LOGIN_ACCOUNT_WINDOW_MINUTES, and never for an address the account signed in from
    in the last 90 days: someone guessing from elsewhere slows the account down for strangers
    but cannot lock its owner out.
    """
    cfg, now = current_app.config, time.now()
    account = _row(ACCOUNT, email)
    if (
        account is None
        or account.last_failure_at is None
        or account.failures < cfg["PARTICIPA_LOGIN_ACCOUNT_SLOW_AFTER"]
    ):
        return 0
    if now - account.first_failure_at > timedelta(minutes=cfg["PARTICIPA_LOGIN_ACCOUNT_WINDOW_MINUTES"]):
        return 0
    pair = _row(PAIR, email, ip)
    if pair is not None and pair.last_success_at and now - pair.last_success_at < KNOWN_ADDRESS_FOR:
        return 0
    wait = cfg["PARTICIPA_LOGIN_ACCOUNT_SLOW_SECONDS"] - (now - account.last_failure_at).total_seconds()
    return max(0, int(wait + 0.999))


def _record_failure(email: str, ip: str) -> tuple[int, int]:
    """Count one failed login for this account from this address and for the account as a whole
    (locking the pair with backoff past the limit); return (pair failures, lock minutes).

    Two failures at the same moment may both try to insert a row: the loser retries once
    against the winner's rows instead of failing with a 500.
    """
    cfg = current_app.config
    window = timedelta(minutes=cfg["PARTICIPA_LOGIN_ACCOUNT_WINDOW_MINUTES"])
    for attempt in range(2):
        try:
            now = time.now()
            pair, account = _row(PAIR, email, ip, create=True), _row(ACCOUNT, email, create=True)
            if pair.last_failure_at is None or now - pair.last_failure_at > PAIR_FORGET_AFTER:
                pair.failures, pair.first_failure_at, pair.locked_until = 0, now, None
            if account.first_failure_at is None or now - account.first_failure_at > window:
                account.failures, account.first_failure_at = 0, now
            pair.failures += 1
            account.failures += 1
            pair.last_failure_at = account.last_failure_at = now
            minutes = lock_minutes(pair.failures)
            pair.locked_until = now + timedelta(minutes=minutes) if minutes else None
            audit.record(
                "login_failed",
                target=email,
                details={"failures": pair.failures, "account": account.failures, "locked_minutes": minutes},
                actor=email,
                commit=False,
            )
            db.session.commit()
            return pair.failures, minutes
        except IntegrityError:
            db.session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def _record_success(email: str, ip: str) -> None:
    now = time.now()
    pair = _row(PAIR, email, ip, create=True)
    pair.failures, pair.first_failure_at, pair.last_failure_at, pair.locked_until = 0, None, None, None
    pair.last_success_at = now
    account = _row(ACCOUNT, email)
    if account is not None:
        db.session.delete(account)
    db.session.execute(
        delete(LoginThrottle).where(
            func.coalesce(LoginThrottle.last_failure_at, LoginThrottle.last_success_at)
            < now - THROTTLE_KEPT_FOR
        )
    )


def authenticate(email: str, password: str, ip: str = "") -> User:
    """Return the active user for these credentials or raise AccountError with a clear message.

    Per account and address (`ip`): after PARTICIPA_LOGIN_MAX_FAILURES failures that pair is
    locked with exponential backoff (`lock_minutes`); the same account from another address is
    not. Per account: past a higher ceiling, unknown addresses are slowed (`slowed_seconds`),
    never locked. Rows exist whether or not the account does, so the messages never reveal which
    addresses have accounts. A deactivated account fails like a wrong password.
    """
    email = normalise_email(email)
    minutes = locked_minutes(email, ip)
    if minutes:
        audit.record("login_locked", target=email, actor=email)
        raise AccountError(_lock_message(minutes), "password")
    seconds = slowed_seconds(email, ip)
    if seconds:
        audit.record("login_slowed", target=email, actor=email)
        raise AccountError(_slow_message(seconds), "password")
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not ok or user is None or not user.active:
        failures, minutes = _record_failure(email, ip)
        if minutes:
            raise AccountError(_lock_message(minutes), "password")
        left = current_app.config["PARTICIPA_LOGIN_MAX_FAILURES"] - failures
        raise AccountError(
            ngettext(
                "El correo o la contraseña no coinciden. Te queda %(num)s intento antes de un bloqueo "
                "temporal.",
                "El correo o la contraseña no coinciden. Te quedan %(num)s intentos antes de un bloqueo "
                "temporal.",
                left,
            ),
            "password",
        )
    _record_success(email, ip)
    user.last_login_at = time.now()
    audit.record("login", target=email, actor=user, commit=False)
    db.session.commit()
    return user


def end_sessions(user: User, *, action: str = "logout", actor=None) -> None:
    """Log this user out everywhere (every browser and device holding one of their sessions),
    audited as `action`."""
    user.end_sessions()
    audit.record(action, target=user.email, actor=actor or user, commit=False)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password after checking the current one (audited: password_changed)."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError(_("La contraseña actual no es correcta."), "current")
    check_password_strength(new, user.email)
    if check_password_hash(user.password_hash, new):
        raise AccountError(_("La nueva contraseña debe ser distinta de la actual."), "password")
    user.password_hash, user.password_changed_at = hash_password(new), time.now()
    user.end_sessions()  # every other session ends; the route signs this browser in again
    audit.record("password_changed", target=user.email, actor=user, commit=False)
    db.session.commit()


def update_user(
    user: User, *, role: str, active: bool, office_codes, name: str, actor: User, password: str | None = None
) -> None:
    """Change a user's role, state, offices and name (and, if given, set a new password) in one
    commit. Role changes are audited as role_changed, (de)activation as user_(de)activated."""
    if role not in ROLES:
        raise AccountError(_("Rol desconocido: %(role)s.", role=role), "role")
    if user.id == actor.id and (role != "admin" or not active):
        raise AccountError(
            _("No puedes quitarte tu propio rol de administración ni desactivar tu cuenta."), "role"
        )
    if password:
        check_password_strength(password, user.email)
        user.password_hash, user.password_changed_at = hash_password(password), time.now()
        audit.record("password_reset", target=user.email, actor=actor, commit=False)
    if password or user.role != role or (user.active and not active):
        user.end_sessions()  # a copied cookie keeps neither the old password's nor the old role's access
    if user.role != role:
        audit.record(
            "role_changed",
            target=user.email,
            details={"from": user.role, "to": role},
            actor=actor,
            commit=False,
        )
    if user.active != active:
        audit.record(
            "user_activated" if active else "user_deactivated", target=user.email, actor=actor, commit=False
        )
    user.role, user.active, user.name = role, active, name
    user.offices = (
        list(db.session.scalars(select(Office).where(Office.code.in_(list(office_codes)))))
        if office_codes
        else []
    )
    db.session.commit()


def reset_password(user: User, new: str, *, actor: User) -> None:
    check_password_strength(new, user.email)
    user.password_hash, user.password_changed_at = hash_password(new), time.now()
    user.end_sessions()
    audit.record("password_reset", target=user.email, actor=actor, commit=False)
    db.session.commit()


def users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))
