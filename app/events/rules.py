"""Rules of the events capability that commands, queries and views share: the sign-in window and
state, who may manage an event, the keyed document hash, the characterisation context of an
event's answers, and how dates are shown. No function here writes; none queries the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from app.characterization.rules import Context
from app.core import time
from app.core.auth import may
from app.core.hashing import document_hash
from app.core.text import document_digits
from app.events.models import CANCELLED, CLOSED, DRAFT

SLIPS_ENTERED = "event_slips_entered"  # audit action: how many slips one page stored, never what
# Tarjeta de identidad, registro civil: documents of people under 18. A signature with one of them
# declares a minor (`declared_minor`) to the characterisation package's consent and minors rule.
MINOR_DOCUMENTS = ("TI", "RC")


class EventError(ValueError):
    """A change that cannot be made; the message is shown to the person."""


def default_window() -> tuple[int, int]:
    """(minutes before start, minutes after end) the sign-in is open by default; configurable
    with EVENTS_OPEN_BEFORE_MINUTES / EVENTS_CLOSE_AFTER_MINUTES."""
    cfg = current_app.config
    return int(cfg.get("EVENTS_OPEN_BEFORE_MINUTES", 60)), int(cfg.get("EVENTS_CLOSE_AFTER_MINUTES", 60))


def window(event) -> tuple[datetime, datetime]:
    """(opens_at, closes_at) of the sign-in, naive UTC."""
    return (
        event.starts_at - timedelta(minutes=event.opens_before_min),
        event.ends_at + timedelta(minutes=event.closes_after_min),
    )


def sign_in_state(event, at: datetime | None = None) -> str:
    """'open', 'not_yet', 'closed' (window passed or event closed), 'cancelled' or 'draft'."""
    if event.status == DRAFT:
        return "draft"
    if event.status == CANCELLED:
        return "cancelled"
    if event.status == CLOSED:
        return "closed"
    at = at or time.now()
    opens, closes = window(event)
    if at < opens:
        return "not_yet"
    if at > closes:
        return "closed"
    return "open"


def can_manage(user, event=None, office_codes=None) -> bool:
    """May `user` edit this event (or an event of these offices)? Admins always; editors when
    the event belongs to one of their offices (an editor with no office manages all)."""
    codes = office_codes if office_codes is not None else (event.office_codes if event else [])
    return may(user, "content.edit", codes)


def declares_minor(doc_type: str | None) -> bool:
    """Whether a signature's document is a minor's (`MINOR_DOCUMENTS`)."""
    return (doc_type or "") in MINOR_DOCUMENTS


def doc_hash(event_id: int, doc_type: str, number: str) -> str | None:
    """The keyed hash that finds a document on this event's list (None without a number)."""
    if not document_digits(number):
        return None
    return document_hash(f"event:{event_id}", doc_type, number)


def profile_context(event, channel: str) -> Context:
    """Where an attendee's characterisation answers come from: this event, its local date, the
    channel (web second step or paper slips)."""
    return Context("events", event.id, time.to_local(event.starts_at).date(), channel)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def format_local(dt: datetime) -> str:
    """'lunes, 5 de marzo de 2026, 3:00 p. m.' (naive UTC in, Bogotá time out)."""
    return _("%(date)s, %(time)s", date=time.format_date(dt, "full"), time=time.format_time(dt, "short"))


def format_span(event) -> str:
    """'lunes, 5 de marzo de 2026, 3:00 p. m. a 5:00 p. m.'"""
    return _(
        "%(date)s, de %(start)s a %(end)s",
        date=time.format_date(event.starts_at, "full"),
        start=time.format_time(event.starts_at, "short"),
        end=time.format_time(event.ends_at, "short"),
    )
