"""Account changes: creating and editing staff users, signing in (with throttling), ending
sessions and changing passwords. Plain values in, one transaction each, audited; a refusal raises
AccountError with the form field it is about."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts import queries, throttle
from app.accounts.models import LoginThrottle, User
from app.accounts.rules import (
    AccountError,
    check_password_strength,
    hash_password,
    normalise_email,
    valid_email,
)
from app.catalogs.models import Office
from app.core import audit, time
from app.core.auth import ROLES
from app.extensions import db

# A valid hash to compare against when the e-mail is unknown, so timing does not reveal it.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def _offices(office_codes) -> list[Office]:
    return (
        list(db.session.scalars(select(Office).where(Office.code.in_(list(office_codes)))))
        if office_codes
        else []
    )


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
    user.offices = _offices(office_codes)
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", target=email, details={"role": role}, actor=actor, commit=False)
    db.session.commit()
    return user


# ---------------------------------------------------------------------------- signing in


def authenticate(email: str, password: str, ip: str = "") -> User:
    """Return the active user for these credentials or raise AccountError with a clear message.

    Per account and address (`ip`): after PARTICIPA_LOGIN_MAX_FAILURES failures that pair is
    locked with exponential backoff (`throttle.lock_minutes`); the same account from another
    address is not. Per account: past a higher ceiling, unknown addresses are slowed
    (`queries.slowed_seconds`), never locked. Rows exist whether or not the account does, so the
    messages never reveal which addresses have accounts. A deactivated account fails like a
    wrong password.
    """
    email = normalise_email(email)
    minutes = queries.locked_minutes(email, ip)
    if minutes:
        audit.record("login_locked", target=email, actor=email)
        raise AccountError(throttle.lock_message(minutes), "password")
    seconds = queries.slowed_seconds(email, ip)
    if seconds:
        audit.record("login_slowed", target=email, actor=email)
        raise AccountError(throttle.slow_message(seconds), "password")
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not ok or user is None or not user.active:
        failures, minutes = _record_failure(email, ip)
        if minutes:
            raise AccountError(throttle.lock_message(minutes), "password")
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
            pair = throttle.row(throttle.PAIR, email, ip, create=True)
            account = throttle.row(throttle.ACCOUNT, email, create=True)
            if pair.last_failure_at is None or now - pair.last_failure_at > throttle.PAIR_FORGET_AFTER:
                pair.failures, pair.first_failure_at, pair.locked_until = 0, now, None
            if account.first_failure_at is None or now - account.first_failure_at > window:
                account.failures, account.first_failure_at = 0, now
            pair.failures += 1
            account.failures += 1
            pair.last_failure_at = account.last_failure_at = now
            minutes = throttle.lock_minutes(pair.failures)
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
    """Clear this pair's failures, remember the address as known, forget the account's failures
    and delete throttle rows quiet for longer than THROTTLE_KEPT_FOR (committed by the caller)."""
    now = time.now()
    pair = throttle.row(throttle.PAIR, email, ip, create=True)
    pair.failures, pair.first_failure_at, pair.last_failure_at, pair.locked_until = 0, None, None, None
    pair.last_success_at = now
    account = throttle.row(throttle.ACCOUNT, email)
    if account is not None:
        db.session.delete(account)
    db.session.execute(
        delete(LoginThrottle).where(
            func.coalesce(LoginThrottle.last_failure_at, LoginThrottle.last_success_at)
            < now - throttle.THROTTLE_KEPT_FOR
        )
    )


# ---------------------------------------------------------------------------- sessions and passwords


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
    user.offices = _offices(office_codes)
    db.session.commit()
