"""Account rules: creating users, authenticating with throttling, roles, passwords."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import LoginThrottle, User
from app.accounts.roles import ROLES
from app.catalogs.models import Office
from app.core import audit, time
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


def check_password_strength(password: str, email: str = "") -> None:
    """Refuse passwords shorter than MIN_PASSWORD, containing the e-mail's user part, or too
    repetitive. Raises AccountError(field="password")."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("La contraseña debe tener al menos %(n)s caracteres.", n=MIN_PASSWORD), "password")
    if len(password) > 512:
        raise AccountError(_("La contraseña puede tener como máximo %(n)s caracteres.", n=512), "password")
    user_part = email.split("@")[0].lower() if email else ""
    if len(user_part) >= 3 and user_part in password.lower():
        raise AccountError(_("La contraseña no puede contener el usuario del correo."), "password")
    if len(set(password)) < 5:
        raise AccountError(_("La contraseña es demasiado repetitiva; usa una frase más variada."), "password")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


_EMAIL = re.compile(r"^[^@\s<>\"'(),;:]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


def valid_email(email: str) -> bool:
    """A plausible e-mail address (one @, a domain with a dot, no spaces or markup)."""
    return 3 <= len(email) <= 255 and bool(_EMAIL.match(email))


def create_user(email: str, password: str, role: str, *, name: str = "", office_codes=(), actor=None) -> User:
    """Create an active staff user and audit it (user_created). Raises AccountError with the
    field at fault (email, role, password); nothing is stored then."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(_("Rol desconocido: %(role)s.", role=role), "role")
    if not valid_email(email):
        raise AccountError(_("Escribe un correo electrónico válido, por ejemplo nombre@entidad.gov.co."), "email")
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(_("Ya existe una cuenta con ese correo."), "email")
    check_password_strength(password, email)
    user = User(email=email, name=name, role=role, password_hash=hash_password(password), password_changed_at=time.now())
    user.offices = list(db.session.scalars(select(Office).where(Office.code.in_(list(office_codes))))) if office_codes else []
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", target=email, details={"role": role}, actor=actor, commit=False)
    db.session.commit()
    return user


def _throttle(email: str) -> LoginThrottle:
    row = db.session.get(LoginThrottle, email)
    if row is None:
        row = LoginThrottle(email=email, failures=0)
        db.session.add(row)
    return row


def locked_minutes(email: str) -> int:
    """Minutes left on this address's lock (0 when not locked)."""
    row = db.session.get(LoginThrottle, normalise_email(email))
    if row and row.locked_until and row.locked_until > time.now():
        return max(1, int((row.locked_until - time.now()).total_seconds() // 60) + 1)
    return 0


def _lock_message(minutes: int) -> str:
    return ngettext(
        "Demasiados intentos fallidos con esta cuenta. Por seguridad quedó bloqueada; inténtalo de nuevo en %(num)s minuto.",
        "Demasiados intentos fallidos con esta cuenta. Por seguridad quedó bloqueada; inténtalo de nuevo en %(num)s minutos.",
        minutes,
    )


def _record_failure(email: str) -> int:
    """Count one failed login for this address (locking it at the limit); return the count.

    Two failures for a new address at the same moment may both try to insert its row: the
    loser retries once against the winner's row instead of failing with a 500.
    """
    cfg = current_app.config
    window = timedelta(minutes=cfg["PARTICIPA_LOGIN_LOCK_MINUTES"])
    for attempt in range(2):
        try:
            row = _throttle(email)
            if row.first_failure_at is None or time.now() - row.first_failure_at > window:
                row.failures, row.first_failure_at, row.locked_until = 0, time.now(), None
            row.failures += 1
            if row.failures >= cfg["PARTICIPA_LOGIN_MAX_FAILURES"]:
                row.locked_until = time.now() + window
            audit.record("login_failed", target=email, details={"failures": row.failures}, actor=email, commit=False)
            db.session.commit()
            return row.failures
        except IntegrityError:
            db.session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def authenticate(email: str, password: str) -> User:
    """Return the active user for these credentials or raise AccountError with a clear message.

    After PARTICIPA_LOGIN_MAX_FAILURES failures within the lock window the address is locked
    for PARTICIPA_LOGIN_LOCK_MINUTES, whether or not the account exists (so the messages never
    reveal which addresses have accounts). A deactivated account fails like a wrong password.
    """
    email = normalise_email(email)
    minutes = locked_minutes(email)
    if minutes:
        audit.record("login_locked", target=email, actor=email)
        raise AccountError(_lock_message(minutes), "password")
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not ok or user is None or not user.active:
        failures = _record_failure(email)
        left = current_app.config["PARTICIPA_LOGIN_MAX_FAILURES"] - failures
        if left <= 0:
            raise AccountError(_lock_message(current_app.config["PARTICIPA_LOGIN_LOCK_MINUTES"]), "password")
        raise AccountError(
            ngettext(
                "El correo o la contraseña no coinciden. Te queda %(num)s intento antes de un bloqueo temporal.",
                "El correo o la contraseña no coinciden. Te quedan %(num)s intentos antes de un bloqueo temporal.",
                left,
            ),
            "password",
        )
    row = db.session.get(LoginThrottle, email)
    if row is not None:
        db.session.delete(row)
    user.last_login_at = time.now()
    audit.record("login", target=email, actor=user, commit=False)
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change one's own password after checking the current one (audited: password_changed)."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError(_("La contraseña actual no es correcta."), "current")
    check_password_strength(new, user.email)
    if check_password_hash(user.password_hash, new):
        raise AccountError(_("La nueva contraseña debe ser distinta de la actual."), "password")
    user.password_hash, user.password_changed_at = hash_password(new), time.now()
    audit.record("password_changed", target=user.email, actor=user, commit=False)
    db.session.commit()


def update_user(user: User, *, role: str, active: bool, office_codes, name: str, actor: User,
                password: str | None = None) -> None:
    """Change a user's role, state, offices and name (and, if given, set a new password) in one
    commit. Role changes are audited as role_changed, (de)activation as user_(de)activated."""
    if role not in ROLES:
        raise AccountError(_("Rol desconocido: %(role)s.", role=role), "role")
    if user.id == actor.id and (role != "admin" or not active):
        raise AccountError(_("No puedes quitarte tu propio rol de administración ni desactivar tu cuenta."), "role")
    if password:
        check_password_strength(password, user.email)
        user.password_hash, user.password_changed_at = hash_password(password), time.now()
        audit.record("password_reset", target=user.email, actor=actor, commit=False)
    if user.role != role:
        audit.record("role_changed", target=user.email, details={"from": user.role, "to": role}, actor=actor, commit=False)
    if user.active != active:
        audit.record("user_activated" if active else "user_deactivated", target=user.email, actor=actor, commit=False)
    user.role, user.active, user.name = role, active, name
    user.offices = list(db.session.scalars(select(Office).where(Office.code.in_(list(office_codes))))) if office_codes else []
    db.session.commit()


def reset_password(user: User, new: str, *, actor: User) -> None:
    check_password_strength(new, user.email)
    user.password_hash, user.password_changed_at = hash_password(new), time.now()
    audit.record("password_reset", target=user.email, actor=actor, commit=False)
    db.session.commit()


def users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))
