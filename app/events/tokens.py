"""Sign-in links and codes: the fixed token of the poster, the rotating token of the projected QR,
the typed codes (fixed and rotating), the form's ticket and nonce, and their URLs.

Pure functions of an event's columns (`id`, `token`, `secret`, `short_code`): they take an ORM
`Event` on staff pages and the cached `queries.SignInEvent` on the sign-in pages alike, and never
query the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from flask import current_app, url_for

from app.core import time

ROTATION_SECONDS = 60  # the projected QR changes every minute; the previous one stays valid
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read and type
CODE_LENGTH = 7
ROTATING_PART = 3  # characters added to the typed code on the projection screen, changing each minute
TOKEN_RE = re.compile(r"[A-Za-z0-9_\-.]{1,60}")


def random_code() -> str:
    """A candidate typed code (`commands.new_short_code` makes sure no event has it)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    """'abc-d 234' -> 'ABCD234' (what a person types from the poster)."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:20]


def display_code(code: str) -> str:
    """'ABCD234' -> 'ABCD-234', easier to read aloud and type; with the projection's rotating
    part: 'ABCD234K7P' -> 'ABCD-234-K7P'."""
    if not code:
        return ""
    shown = f"{code[:4]}-{code[4:CODE_LENGTH]}"
    return f"{shown}-{code[CODE_LENGTH:]}" if len(code) > CODE_LENGTH else shown


def rotating_code(event, at: datetime | None = None) -> str:
    """The typed code shown on the projection screen: the event's code plus a part that changes
    with the projected QR (same minute, same grace), so a photo of the screen stops working."""
    return event.short_code + code_part(event, window_index(at or time.now()))


def code_part(event, index: int) -> str:
    digest = bytes.fromhex(mac(event, f"code:{index}", 2 * ROTATING_PART))
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest)


def sign_in_url(event) -> str:
    """The fixed, absolute sign-in link printed on the poster."""
    return current_app.config["PARTICIPA_BASE_URL"] + url_for("events.sign_in", token=event.token)


def code_url() -> str:
    return current_app.config["PARTICIPA_BASE_URL"] + url_for("events.by_code")


def window_index(at: datetime) -> int:
    return int((at - datetime(1970, 1, 1)).total_seconds()) // ROTATION_SECONDS


def mac(event, message: str, length: int = 16) -> str:
    return hmac.new(event.secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:length]


def rotating_token(event, at: datetime | None = None) -> str:
    """The token of the projected QR for the minute containing `at` (default now)."""
    return f"{event.id}.{mac(event, f'rot:{window_index(at or time.now())}', 12)}"


def rotating_token_ok(event, value: str) -> bool:
    """Whether `value` is the event's rotating token (the `<mac>` part) of this minute or the last."""
    now_index = window_index(time.now())
    return any(hmac.compare_digest(value, mac(event, f"rot:{i}", 12)) for i in (now_index, now_index - 1))


def rotating_code_ok(event, value: str) -> bool:
    """Whether `value` is the rotating part of the typed code of this minute or the last."""
    now_index = window_index(time.now())
    return any(hmac.compare_digest(value, code_part(event, i)) for i in (now_index, now_index - 1))


def rotating_url(event, at: datetime | None = None) -> str:
    return current_app.config["PARTICIPA_BASE_URL"] + url_for(
        "events.sign_in", token=rotating_token(event, at)
    )


def rotation_seconds_left(at: datetime | None = None) -> int:
    at = at or time.now()
    return ROTATION_SECONDS - int((at - datetime(1970, 1, 1)).total_seconds()) % ROTATION_SECONDS


def clean_token(value: str | None) -> str:
    """A token, nonce or ticket as sent by a browser, or "" when it is not one (hostile input,
    NUL bytes, non-ASCII): such values never reach a query or a comparison."""
    value = value or ""
    return value if TOKEN_RE.fullmatch(value) else ""


def ticket(event, nonce: str) -> str:
    """Proof, carried by the form, that it was opened through a valid link: the person can take
    as long as they need to fill it even after the projected QR has changed."""
    return mac(event, f"ticket:{nonce}", 32)


def ticket_ok(event, nonce: str, value: str) -> bool:
    nonce, value = clean_token(nonce), clean_token(value)
    return bool(nonce and value) and hmac.compare_digest(value, ticket(event, nonce))


def new_nonce() -> str:
    return secrets.token_urlsafe(18)
