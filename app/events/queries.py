"""Reads of the events capability: the sign-in pages' event (cached, plain data), the events a token
or typed code leads to, counts, the attendance list, and the lists of the agenda, the feed and the
staff pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from app.core import audit, time
from app.core.cache import cached_query
from app.events import tokens
from app.events.models import CANCELLED, CLOSED, DRAFT, PAPER, PUBLISHED, Attendance, Event
from app.events.rules import SLIPS_ENTERED, escape_like, sign_in_state
from app.extensions import db

# ---------------------------------------------------------------------------- the sign-in pages' event


@dataclass(frozen=True)
class SignInEvent:
    """What the sign-in pages (form, refusal pages, thanks, second step) read of an event: plain
    values, cached per process (see `sign_in_event`). Staff pages use the ORM row (`get`)."""

    id: int
    title: str
    title_en: str
    place: str
    status: str
    starts_at: datetime
    ends_at: datetime
    opens_before_min: int
    closes_after_min: int
    fixed_link_enabled: bool
    cancel_reason: str
    token: str
    secret: str
    short_code: str
    updated_at: datetime | None

    @classmethod
    def of(cls, event: Event) -> SignInEvent:
        return cls(
            id=event.id,
            title=event.title,
            title_en=event.title_en or "",
            place=event.place or "",
            status=event.status,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            opens_before_min=event.opens_before_min,
            closes_after_min=event.closes_after_min,
            fixed_link_enabled=bool(event.fixed_link_enabled),
            cancel_reason=event.cancel_reason or "",
            token=event.token,
            secret=event.secret,
            short_code=event.short_code,
            updated_at=event.updated_at,
        )


# At a venue hundreds of phones open the same link within minutes: the sign-in pages read their
# event from these caches (a few seconds old at most; a change committed anywhere is seen at once
# with Redis, and in this process without it).
@cached_query(Event, ttl=5.0, name="events.sign_in")
def sign_in_event(event_id: int) -> SignInEvent | None:
    """The event of a sign-in page by id, as plain values (no query once cached)."""
    event = db.session.get(Event, event_id)
    return SignInEvent.of(event) if event is not None else None


@cached_query(Event, ttl=5.0, name="events.sign_in_token")
def sign_in_event_by_token(token: str) -> SignInEvent | None:
    """The event of a fixed sign-in token (any token: `resolve_token` checks it is enabled)."""
    event = db.session.scalar(select(Event).where(Event.token == token))
    return SignInEvent.of(event) if event is not None else None


@dataclass(frozen=True)
class Resolved:
    event: SignInEvent
    rotating: bool  # reached through the projected QR (valid for about two minutes)


def resolve_token(token: str) -> Resolved | None:
    """The event a sign-in token belongs to, or None (unknown, disabled or expired).

    A fixed token works while the event allows it. A rotating token `<id>.<mac>` works during
    its minute and the next one (a short grace, so a QR scanned as it changes still works).
    """
    token = tokens.clean_token(token)
    if not token:
        return None
    if "." in token:
        event_id, _, mac = token.partition(".")
        event = sign_in_event(int(event_id)) if event_id.isdigit() and len(event_id) < 10 else None
        if event is None or not tokens.rotating_token_ok(event, mac):
            return None
        return Resolved(event, True)
    event = sign_in_event_by_token(token)
    if event is None or not event.fixed_link_enabled:
        return None
    return Resolved(event, False)


def find_by_code(code: str) -> Resolved | None:
    """The event of a typed code: the poster's fixed code (only while the event allows its fixed
    link), or the projection screen's rotating code (during its minute and the next one)."""
    code = tokens.normalise_code(code)
    if len(code) not in (tokens.CODE_LENGTH, tokens.CODE_LENGTH + tokens.ROTATING_PART):
        return None
    event = db.session.scalar(select(Event).where(Event.short_code == code[: tokens.CODE_LENGTH]))
    if event is None:
        return None
    if len(code) == tokens.CODE_LENGTH:
        return Resolved(SignInEvent.of(event), False) if event.fixed_link_enabled else None
    if tokens.rotating_code_ok(event, code[tokens.CODE_LENGTH :]):
        return Resolved(SignInEvent.of(event), True)
    return None


# ---------------------------------------------------------------------------- one event, its list


def get(event_id: int) -> Event | None:
    return db.session.get(Event, event_id)


def count(event_id: int) -> int:
    """Signatures that count (voided rows stay on the list but do not count)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Attendance)
            .where(Attendance.event_id == event_id, Attendance.voided_at.is_(None))
        )
        or 0
    )


def counts_by_channel(event_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Attendance.channel, func.count())
        .where(Attendance.event_id == event_id, Attendance.voided_at.is_(None))
        .group_by(Attendance.channel)
    )
    return {channel: n for channel, n in rows}


def counts_for(event_ids) -> dict[int, int]:
    ids = list(event_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Attendance.event_id, func.count())
        .where(Attendance.event_id.in_(ids), Attendance.voided_at.is_(None))
        .group_by(Attendance.event_id)
    )
    return {event_id: n for event_id, n in rows}


def attendance_rows(event_id: int):
    """The official list, in signing order (a stream, for exports)."""
    stmt = (
        select(Attendance)
        .where(Attendance.event_id == event_id)
        .order_by(Attendance.signed_at, Attendance.id)
        .execution_options(yield_per=1000)
    )
    return db.session.scalars(stmt)


def signed_before(event_id: int, nonce: str, doc_hash: str | None) -> tuple[str, Attendance] | None:
    """A row already sent with this form nonce ("again", row) or this document ("duplicate", row)."""
    match = Attendance.nonce == nonce
    if doc_hash:
        match = or_(match, Attendance.doc_hash == doc_hash)
    rows = list(db.session.scalars(select(Attendance).where(Attendance.event_id == event_id, match).limit(2)))
    for row in rows:
        if row.nonce == nonce:
            return "again", row
    return ("duplicate", rows[0]) if rows else None


def recent_paper_rows(event_id: int, limit: int = 5) -> list[Attendance]:
    """The last rows typed from paper (to check the sheet as you go)."""
    return list(
        db.session.scalars(
            select(Attendance)
            .where(Attendance.event_id == event_id, Attendance.channel == PAPER)
            .order_by(Attendance.id.desc())
            .limit(limit)
        )
    )


def slips_entered(event_id: int) -> int:
    """How many slips were typed for this event (from the audit entries; a count, no answers)."""
    details = db.session.scalars(
        select(audit.AuditEntry.details).where(
            audit.AuditEntry.action == SLIPS_ENTERED, audit.AuditEntry.target == f"event:{event_id}"
        )
    )
    return sum(int((d or {}).get("slips") or 0) for d in details)


# ---------------------------------------------------------------------------- lists of events


def public_events(
    *, when: str = "upcoming", territory: str = "", kind: str = "", page: int = 1, per_page: int = 20
):
    """Published, closed and cancelled events for the public agenda; (events, has_more)."""
    now = time.now()
    stmt = select(Event).where(Event.status != DRAFT)
    if when == "past":
        stmt = stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc())
    else:
        stmt = stmt.where(Event.ends_at >= now, Event.status != CLOSED).order_by(Event.starts_at)
    if territory:
        stmt = stmt.where(Event.territory == territory)
    if kind:
        stmt = stmt.where(Event.kind == kind)
    rows = list(db.session.scalars(stmt.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def feed_events(limit: int = 200) -> list[Event]:
    """Events for the iCalendar feed: upcoming ones and those of the last 90 days."""
    since = time.now() - timedelta(days=90)
    stmt = (
        select(Event)
        .where(Event.status.in_((PUBLISHED, CLOSED, CANCELLED)), Event.ends_at >= since)
        .order_by(Event.starts_at)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def staff_events(*, status: str = "", query: str = "", page: int = 1, per_page: int = 30):
    stmt = select(Event)
    if status in (DRAFT, PUBLISHED, CANCELLED, CLOSED):
        stmt = stmt.where(Event.status == status)
    if query:
        stmt = stmt.where(Event.title.ilike(f"%{escape_like(query)}%", escape="\\"))
    rows = list(
        db.session.scalars(
            stmt.order_by(Event.starts_at.desc()).offset((page - 1) * per_page).limit(per_page + 1)
        )
    )
    return rows[:per_page], len(rows) > per_page


def signing_now(limit: int = 10) -> list[Event]:
    """Published events whose sign-in window is open right now."""
    now = time.now()
    candidates = db.session.scalars(
        select(Event)
        .where(
            Event.status == PUBLISHED,
            Event.starts_at <= now + timedelta(days=1),
            Event.ends_at >= now - timedelta(days=1),
        )
        .order_by(Event.starts_at)
    )
    return [e for e in candidates if sign_in_state(e, now) == "open"][:limit]


def upcoming(limit: int = 3) -> list[Event]:
    now = time.now()
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.status == PUBLISHED, Event.starts_at > now)
            .order_by(Event.starts_at)
            .limit(limit)
        )
    )
