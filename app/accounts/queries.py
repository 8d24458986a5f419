"""Account reads: whether an account is locked or slowed from an address, and the staff list."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.accounts import throttle
from app.accounts.models import User
from app.accounts.rules import normalise_email
from app.core import time
from app.extensions import db


def locked_minutes(email: str, ip: str = "") -> int:
    """Minutes left on the lock of this account from this address (0 when not locked)."""
    row = throttle.row(throttle.PAIR, normalise_email(email), ip)
    if row and row.locked_until and row.locked_until > time.now():
        return throttle.minutes_left(row.locked_until)
    return 0


def slowed_seconds(email: str, ip: str = "") -> int:
    """Seconds this address must still wait before trying this account (0: it may try now).

    Only once the account passed PARTICIPA_LOGIN_ACCOUNT_SLOW_AFTER failures within
    PARTICIPA_LOGIN_ACCOUNT_WINDOW_MINUTES, and never for an address the account signed in from
    in the last 90 days: someone guessing from elsewhere slows the account down for strangers
    but cannot lock its owner out.
    """
    cfg, now = current_app.config, time.now()
    account = throttle.row(throttle.ACCOUNT, email)
    if (
        account is None
        or account.last_failure_at is None
        or account.failures < cfg["PARTICIPA_LOGIN_ACCOUNT_SLOW_AFTER"]
    ):
        return 0
    if now - account.first_failure_at > timedelta(minutes=cfg["PARTICIPA_LOGIN_ACCOUNT_WINDOW_MINUTES"]):
        return 0
    pair = throttle.row(throttle.PAIR, email, ip)
    if pair is not None and pair.last_success_at and now - pair.last_success_at < throttle.KNOWN_ADDRESS_FOR:
        return 0
    wait = cfg["PARTICIPA_LOGIN_ACCOUNT_SLOW_SECONDS"] - (now - account.last_failure_at).total_seconds()
    return max(0, int(wait + 0.999))


def users() -> list[User]:
    """Every staff user, by role then e-mail (the users admin page: ORM rows, nothing cached)."""
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))
