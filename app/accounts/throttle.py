"""Sign-in throttling rules: how failed logins are counted and keyed, how long a lock lasts, and
the messages a locked or slowed person reads. The reads (`queries.locked_minutes`,
`queries.slowed_seconds`) and the counting (`commands.authenticate`) use these.

Failures are counted per (account, address), "pair", and per account, "account", under a keyed
hash (see `LoginThrottle`)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import ngettext

from app.accounts.models import LoginThrottle
from app.core import time
from app.core.hashing import keyed_hash
from app.extensions import db

PAIR, ACCOUNT = "pair", "account"
PAIR_FORGET_AFTER = timedelta(hours=24)  # a pair's failures count again from zero after a quiet day
KNOWN_ADDRESS_FOR = timedelta(days=90)  # an address the account signed in from is exempt from slowing
THROTTLE_KEPT_FOR = timedelta(days=90)  # throttle rows without activity for this long are deleted


def key(scope: str, email: str, ip: str = "") -> str:
    """Keyed hash of the account (and address): the throttle table keeps neither in the clear."""
    return keyed_hash(f"login-{scope}", f"{email}\x1f{ip}" if scope == PAIR else email)[:48]


def row(scope: str, email: str, ip: str = "", *, create: bool = False) -> LoginThrottle | None:
    """The throttle row of this account (and address); a new one added to the session if `create`."""
    hashed = key(scope, email, ip)
    found = db.session.get(LoginThrottle, hashed)
    if found is None and create:
        found = LoginThrottle(key=hashed, scope=scope, failures=0)
        db.session.add(found)
    return found


def lock_message(minutes: int) -> str:
    return ngettext(
        "Demasiados intentos fallidos con esta cuenta desde tu conexión. Por seguridad quedó bloqueada aquí; "
        "inténtalo de nuevo en %(num)s minuto.",
        "Demasiados intentos fallidos con esta cuenta desde tu conexión. Por seguridad quedó bloqueada aquí; "
        "inténtalo de nuevo en %(num)s minutos.",
        minutes,
    )


def slow_message(seconds: int) -> str:
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


def minutes_left(until) -> int:
    return max(1, int((until - time.now()).total_seconds() + 59) // 60)
