"""Rules of the events capability: the event life cycle, the sign-in window, fixed and rotating
sign-in tokens, signing in (web and paper), counts, and what other capabilities read.

Every function that changes data commits the whole change or nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app.characterization import commands as characterization
from app.characterization.forms import answers_of
from app.characterization.models import ConsentRecord
from app.characterization.rules import what_may_be_kept
from app.core import audit, registry, time
from app.core.auth import may
from app.core.cache import SharedCache, columns, snapshot
from app.core.db import RowBatch
from app.core.hashing import document_hash
from app.core.text import document_digits
from app.events.models import (
    CANCELLED,
    CLOSED,
    DRAFT,
    PAPER,
    PUBLISHED,
    Attendance,
    Event,
    EventOffice,
    EventTarget,
)
from app.extensions import db

ROTATION_SECONDS = 60  # the projected QR changes every minute; the previous one stays valid
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read and type
CODE_LENGTH = 7


class EventError(ValueError):
    """A change that cannot be made; the message is shown to the person."""


# ---------------------------------------------------------------------------- defaults & tokens


def default_window() -> tuple[int, int]:
    """(minutes before start, minutes after end) the sign-in is open by default; configurable
    with EVENTS_OPEN_BEFORE_MINUTES / EVENTS_CLOSE_AFTER_MINUTES."""
    cfg = current_app.config
    return int(cfg.get("EVENTS_OPEN_BEFORE_MINUTES", 60)), int(cfg.get("EVENTS_CLOSE_AFTER_MINUTES", 60))


def _new_short_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not db.session.scalar(select(Event.id).where(Event.short_code == code)):
            return code


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


ROTATING_PART = 3  # characters added to the typed code on the projection screen, changing each minute


def rotating_code(event: Event, at: datetime | None = None) -> str:
    """The typed code shown on the projection screen: the event's code plus a part that changes
    with the projected QR (same minute, same grace), so a photo of the screen stops working."""
    return event.short_code + _code_part(event, _window_index(at or time.now()))


def _code_part(event: Event, index: int) -> str:
    digest = bytes.fromhex(_mac(event, f"code:{index}", 2 * ROTATING_PART))
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest)


def sign_in_url(event: Event) -> str:
    """The fixed, absolute sign-in link printed on the poster."""
    return current_app.config["PARTICIPA_BASE_URL"] + url_for("events.sign_in", token=event.token)


def code_url() -> str:
    return current_app.config["PARTICIPA_BASE_URL"] + url_for("events.by_code")


def _window_index(at: datetime) -> int:
    return int((at - datetime(1970, 1, 1)).total_seconds()) // ROTATION_SECONDS


def _mac(event: Event, message: str, length: int = 16) -> str:
    return hmac.new(event.secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:length]


def rotating_token(event: Event, at: datetime | None = None) -> str:
    """The token of the projected QR for the minute containing `at` (default now)."""
    return f"{event.id}.{_mac(event, f'rot:{_window_index(at or time.now())}', 12)}"


def rotating_url(event: Event, at: datetime | None = None) -> str:
    return current_app.config["PARTICIPA_BASE_URL"] + url_for(
        "events.sign_in", token=rotating_token(event, at)
    )


def rotation_seconds_left(at: datetime | None = None) -> int:
    at = at or time.now()
    return ROTATION_SECONDS - int((at - datetime(1970, 1, 1)).total_seconds()) % ROTATION_SECONDS


@dataclass(frozen=True)
class Resolved:
    event: Event
    rotating: bool  # reached through the projected QR (valid for about two minutes)


TOKEN_RE = re.compile(r"[A-Za-z0-9_\-.]{1,60}")


def clean_token(value: str | None) -> str:
    """A token, nonce or ticket as sent by a browser, or "" when it is not one (hostile input,
    NUL bytes, non-ASCII): such values never reach a query or a comparison."""
    value = value or ""
    return value if TOKEN_RE.fullmatch(value) else ""


# The sign-in pages read their event from a per-process cache (a few seconds old at most; a
# change made in this process is seen at once): at a venue hundreds of phones open the same link.
_SIGN_IN_EVENTS = SharedCache("events.sign_in", (Event,), ttl=5.0)


def sign_in_event(event_id: int) -> Event | None:
    """The event of a sign-in page by id (see `_SIGN_IN_EVENTS`), a read-only snapshot of its
    columns (no session, no query); staff pages use `get()`."""
    values = _SIGN_IN_EVENTS.get(("id", event_id), lambda: _columns_of(db.session.get(Event, event_id)))
    return snapshot(Event, values) if values else None


def _event_by_token(token: str) -> Event | None:
    values = _SIGN_IN_EVENTS.get(
        ("token", token), lambda: _columns_of(db.session.scalar(select(Event).where(Event.token == token)))
    )
    return snapshot(Event, values) if values else None


def _columns_of(event: Event | None) -> dict | None:
    return columns(event) if event is not None else None


def resolve_token(token: str) -> Resolved | None:
    """The event a sign-in token belongs to, or None (unknown, disabled or expired).

    A fixed token works while the event allows it. A rotating token `<id>.<mac>` works during
    its minute and the next one (a short grace, so a QR scanned as it changes still works).
    """
    token = clean_token(token)
    if not token:
        return None
    if "." in token:
        event_id, _, mac = token.partition(".")
        event = sign_in_event(int(event_id)) if event_id.isdigit() and len(event_id) < 10 else None
        if event is None:
            return None
        now_index = _window_index(time.now())
        for index in (now_index, now_index - 1):
            if hmac.compare_digest(mac, _mac(event, f"rot:{index}", 12)):
                return Resolved(event, True)
        return None
    event = _event_by_token(token)
    if event is None or not event.fixed_link_enabled:
        return None
    return Resolved(event, False)


def ticket(event: Event, nonce: str) -> str:
    """Proof, carried by the form, that it was opened through a valid link: the person can take
    as long as they need to fill it even after the projected QR has changed."""
    return _mac(event, f"ticket:{nonce}", 32)


def ticket_ok(event: Event, nonce: str, value: str) -> bool:
    nonce, value = clean_token(nonce), clean_token(value)
    return bool(nonce and value) and hmac.compare_digest(value, ticket(event, nonce))


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def find_by_code(code: str) -> Resolved | None:
    """The event of a typed code: the poster's fixed code (only while the event allows its fixed
    link), or the projection screen's rotating code (during its minute and the next one)."""
    code = normalise_code(code)
    if len(code) not in (CODE_LENGTH, CODE_LENGTH + ROTATING_PART):
        return None
    event = db.session.scalar(select(Event).where(Event.short_code == code[:CODE_LENGTH]))
    if event is None:
        return None
    if len(code) == CODE_LENGTH:
        return Resolved(event, False) if event.fixed_link_enabled else None
    now_index = _window_index(time.now())
    if any(hmac.compare_digest(code[CODE_LENGTH:], _code_part(event, i)) for i in (now_index, now_index - 1)):
        return Resolved(event, True)
    return None


# ---------------------------------------------------------------------------- the sign-in window


def window(event: Event) -> tuple[datetime, datetime]:
    """(opens_at, closes_at) of the sign-in, naive UTC."""
    return (
        event.starts_at - timedelta(minutes=event.opens_before_min),
        event.ends_at + timedelta(minutes=event.closes_after_min),
    )


def sign_in_state(event: Event, at: datetime | None = None) -> str:
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


# ---------------------------------------------------------------------------- event life cycle

EDITABLE = (
    "title",
    "kind",
    "description",
    "title_en",
    "description_en",
    "place",
    "territory",
    "objective",
    "methodology",
    "agenda",
    "topics",
    "expected_attendance",
    "logistics",
    "channels",
    "channels_other",
    "opens_before_min",
    "closes_after_min",
    "fixed_link_enabled",
)


def _apply(event: Event, data: dict) -> None:
    for name in EDITABLE:
        if name in data:
            setattr(event, name, data[name])
    event.territory = data.get("territory") or None
    event.channels = list(data.get("channels") or [])
    event.starts_at = time.from_local(datetime.combine(data["day"], data["start"]))
    event.ends_at = time.from_local(datetime.combine(data["day"], data["end"]))
    if event.ends_at <= event.starts_at:
        raise EventError(_("La hora de finalización debe ser posterior a la de inicio."))
    offices = sorted(set(data.get("offices") or []))
    targets = sorted(set(data.get("targets") or []))
    if offices != event.office_codes:
        event.offices = [EventOffice(office_code=c) for c in offices]
    if targets != event.target_codes:
        event.targets = [EventTarget(value_group=c) for c in targets]


def can_manage(user, event: Event | None = None, office_codes=None) -> bool:
    """May `user` edit this event (or an event of these offices)? Admins always; editors when
    the event belongs to one of their offices (an editor with no office manages all)."""
    codes = office_codes if office_codes is not None else (event.office_codes if event else [])
    return may(user, "content.edit", codes)


def create_event(data: dict, user) -> Event:
    """A new draft event with fresh, unguessable sign-in tokens."""
    if not can_manage(user, office_codes=data.get("offices") or []):
        raise EventError(_("Elige al menos una dependencia que tú gestionas."))
    event = Event(
        token=secrets.token_urlsafe(16),
        secret=secrets.token_urlsafe(32),
        short_code=_new_short_code(),
        status=DRAFT,
        created_by=getattr(user, "id", None),
    )
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    audit.record(
        "event_created", target=f"event:{event.id}", details={"title": event.title}, actor=user, commit=False
    )
    db.session.commit()
    return event


def update_event(event: Event, data: dict, user) -> Event:
    if not can_manage(user, office_codes=data.get("offices") or []):
        raise EventError(_("Elige al menos una dependencia que tú gestionas."))
    if event.status in (CANCELLED, CLOSED):
        raise EventError(_("Un evento cancelado o cerrado ya no se puede editar."))
    _apply(event, data)
    audit.record("event_changed", target=f"event:{event.id}", actor=user, commit=False)
    db.session.commit()
    return event


def publish(event: Event, user) -> None:
    if event.status != DRAFT:
        raise EventError(_("Solo se publica un evento en borrador."))
    event.status = PUBLISHED
    audit.record("event_published", target=f"event:{event.id}", actor=user, commit=False)
    db.session.commit()


def cancel(event: Event, reason: str, user) -> None:
    if event.status not in (DRAFT, PUBLISHED):
        raise EventError(_("Este evento ya está cancelado o cerrado."))
    event.status, event.cancel_reason = CANCELLED, reason
    audit.record(
        "event_cancelled", target=f"event:{event.id}", details={"reason": reason}, actor=user, commit=False
    )
    db.session.commit()


def close(event: Event, total: int, summary: str, commitments: str, user) -> None:
    """Close a held event: the attendance list becomes final (no more sign-ins, web or paper)."""
    if event.status != PUBLISHED:
        raise EventError(_("Solo se cierra un evento publicado."))
    if time.now() < event.starts_at:
        raise EventError(_("El evento aún no ha empezado; no se puede cerrar."))
    event.status, event.attendance_total = CLOSED, total
    # a field a script leaves out arrives as None: the record keeps empty text, never a 500
    event.summary, event.commitments, event.closed_at = summary or "", commitments or "", time.now()
    audit.record(
        "event_closed",
        target=f"event:{event.id}",
        details={"total": total, "signatures": count(event.id)},
        actor=user,
        commit=False,
    )
    db.session.commit()


def set_fixed_link(event: Event, enabled: bool, user) -> None:
    event.fixed_link_enabled = enabled
    audit.record(
        "event_link", target=f"event:{event.id}", details={"fixed_link": enabled}, actor=user, commit=False
    )
    db.session.commit()


def renew_link(event: Event, user) -> None:
    """New fixed token and typed code (printed posters stop working): for a leaked link."""
    event.token, event.short_code = secrets.token_urlsafe(16), _new_short_code()
    audit.record(
        "event_link", target=f"event:{event.id}", details={"renewed": True}, actor=user, commit=False
    )
    db.session.commit()


# ---------------------------------------------------------------------------- signing in


@dataclass
class SignInResult:
    status: (
        str  # "signed", "again" (same form sent twice), "duplicate" (document already signed), "no_consent"
    )
    attendance: Attendance | None = None
    links: list[dict] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)


def _doc_hash(event: Event, doc_type: str, number: str) -> str | None:
    if not document_digits(number):
        return None
    return document_hash(f"event:{event.id}", doc_type, number)


def _existing(event_id: int, nonce: str, doc_hash: str | None) -> SignInResult | None:
    """A row already sent with this form nonce ("again") or this document ("duplicate"), if any."""
    match = Attendance.nonce == nonce
    if doc_hash:
        match = or_(match, Attendance.doc_hash == doc_hash)
    rows = list(db.session.scalars(select(Attendance).where(Attendance.event_id == event_id, match).limit(2)))
    for row in rows:
        if row.nonce == nonce:
            return SignInResult("again", row)
    return SignInResult("duplicate", rows[0]) if rows else None


def _commit_once(event_id: int, nonce: str, doc_hash: str | None, write: Callable[[], list]) -> SignInResult:
    """Run `write()`: it stores and commits this signature's rows and returns the `after_sign_in`
    links. When an earlier or concurrent request stored the same form nonce or document, the
    unique constraints refuse this one and that earlier outcome ("again" or "duplicate") is
    returned instead; nothing of this one is kept."""
    try:
        links = write()
    except IntegrityError:
        db.session.rollback()
        found = _existing(event_id, nonce, doc_hash)
        if found:
            return found
        raise
    return SignInResult("signed", links=[{"text": str(x["text"]), "url": x["url"]} for x in links])


MINOR_DOCUMENTS = ("TI", "RC")  # tarjeta de identidad, registro civil: documents of people under 18


def sign_in(event: Event, form, channel: str = "web") -> SignInResult:
    """Record one signature from the attendee's form (identity and consent), exactly once.

    Without consent nothing is stored and nothing is looked up: the answer is the same whether
    or not the document is on the list (no membership oracle). With consent, the same form nonce
    again (double tap, back button, retry) returns "again" without a new row; the same document
    (keyed hash) returns "duplicate". No characterisation is written here: the optional second
    step buffers it apart (`record_profile`). `after_sign_in` hooks add their rows to the same
    batch: all are stored or none.

    The busiest write of the portal: no query looks for an earlier row first (the unique
    constraints refuse a repeated nonce or document, and that earlier outcome is reported then),
    and the rows go in as one `RowBatch`: one round trip to PostgreSQL.
    """
    if not form.consent.data:
        return SignInResult("no_consent")
    nonce = clean_token(form.nonce.data)[:40] or new_nonce()
    doc_hash = _doc_hash(event, form.doc_type.data, form.doc_number.data)
    consent = characterization.consent_values("events", channel, minor=form.doc_type.data in MINOR_DOCUMENTS)
    row = {
        "event_id": event.id,
        "nonce": nonce,
        "name": form.name.data,
        "doc_type": form.doc_type.data,
        "doc_number": document_digits(form.doc_number.data) if doc_hash else "",
        "doc_hash": doc_hash,
        "contact": form.contact.data or "",
        "channel": channel,
        "signed_at": time.now(),
        "consent_id": consent["id"],
        "entered_by": None,
    }

    def write():
        batch = RowBatch()
        batch.add(ConsentRecord, consent)
        batch.add(Attendance, row)
        links = registry.get().call("after_sign_in", row["event_id"], batch)
        batch.store()  # all or none, committed: a resent form or a known document fails here
        return links

    return _commit_once(event.id, nonce, doc_hash, write)


def record_profile(event: Event, section, *, minor: bool, channel: str = "web") -> bool:
    """The optional second step: the attendee's characterisation goes to the profile buffer (no
    identity, no consent id, nothing of the signature). Returns whether the minors rule dropped
    sensitive answers."""
    on_date = time.to_local(event.starts_at).date()
    return characterization.record_answers(
        answers_of(section), characterization.Context("events", event.id, on_date, channel), minor=minor
    )


def paper_entry(event: Event, form, user) -> SignInResult:
    """Type one row of a paper attendance list (channel "paper"): identity and consent only.

    With the list's authorisation ticked: identity and consent proof (channel paper) are stored
    like a web signature, and a document already on the list is flagged and refused. Without it:
    an anonymous row that only counts toward the attendance (no name, only the keyed document
    hash, so the person is not counted twice). No characterisation: it comes on the anonymous
    slips, typed apart (`enter_slips`).
    """
    if event.status != PUBLISHED:
        raise EventError(_("La planilla solo se digita mientras el evento está publicado y sin cerrar."))
    nonce = clean_token(form.nonce.data)[:40] or new_nonce()
    consented = bool(form.consent.data)
    # Every row is checked against the list, with or without the authorisation tick.
    doc_hash = _doc_hash(event, form.doc_type.data or "", form.doc_number.data or "")
    found = _existing(event.id, nonce, doc_hash)
    if found:
        return found
    row = Attendance(
        event_id=event.id,
        nonce=nonce,
        channel=PAPER,
        signed_at=time.now(),
        entered_by=user.id,
        doc_hash=doc_hash,
    )
    if consented:
        minor = (form.doc_type.data or "") in MINOR_DOCUMENTS
        consent = ConsentRecord(**characterization.consent_values("events", PAPER, minor=minor))
        db.session.add(consent)
        row.consent_id, row.name, row.doc_type = consent.id, form.name.data, form.doc_type.data or ""
        row.contact = form.contact.data or ""
        row.doc_hash, row.doc_number = doc_hash, document_digits(form.doc_number.data) if doc_hash else ""

    def write():
        db.session.add(row)
        db.session.commit()
        return []

    return _commit_once(event.id, nonce, doc_hash, write)


# ---------------------------------------------------------------------------- anonymous slips

SLIPS_ENTERED = "event_slips_entered"  # audit action: how many slips one page stored, never what


@dataclass
class SlipsResult:
    status: str  # "stored", or "again" (the same page sent twice: nothing stored the second time)
    stored: int = 0
    sensitive_dropped: int = 0  # slips of minors whose sensitive answers were not kept


def _form_mark(nonce: str) -> str:
    """What the audit entry keeps of a page's one-time mark (so a resent page stores nothing)."""
    return hashlib.sha256(f"slips:{nonce}".encode()).hexdigest()[:16]


def enter_slips(event: Event, slips: list[dict], nonce: str, user) -> SlipsResult:
    """Store a page of anonymous characterisation slips typed from paper (channel "paper").

    Each slip becomes a profile that goes to the profile buffer once this transaction commits,
    exactly like the web second step: no identity, no consent id, nothing that points to the
    attendance list; the buffer writes it later in a shuffled batch of at least k profiles of this
    event, day and channel, never in the transaction or the order of an attendance row. The slips
    of one page are buffered in random order. The only row this transaction writes is one audit
    entry with how many slips were stored (not their answers) and the page's one-time mark: the
    same page sent again (double click, back button) stores nothing more. A minor's sensitive
    answers are not kept (a slip carries no legal representative's authorisation).
    """
    if event.status != PUBLISHED:
        raise EventError(_("Las fichas solo se digitan mientras el evento está publicado y sin cerrar."))
    mark = _form_mark(clean_token(nonce)[:40] or new_nonce())
    # One page at a time per event: the lock makes "was this page stored already?" and the entry
    # that says so one step (FOR NO KEY UPDATE on PostgreSQL: sign-ins are not held up).
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update(key_share=True))
    earlier = db.session.scalars(
        select(audit.AuditEntry.details).where(
            audit.AuditEntry.action == SLIPS_ENTERED, audit.AuditEntry.target == f"event:{event.id}"
        )
    )
    if any((details or {}).get("page") == mark for details in earlier):
        db.session.rollback()
        return SlipsResult("again")
    on_date = time.to_local(event.starts_at).date()
    context = characterization.Context("events", event.id, on_date, PAPER)
    dropped = 0
    order = list(slips)
    _shuffle(order)
    for answers in order:
        # Only slips with their own consent mark are typed in (the form refuses the others); a slip
        # carries no legal representative's authorisation.
        kept = what_may_be_kept(answers, consent=True)
        dropped += kept.sensitive_dropped
        # Written by the profile buffer after this commit, never in this transaction.
        characterization.buffer_after_commit(characterization.build_profile(kept.answers, context))
    audit.record(
        SLIPS_ENTERED,
        target=f"event:{event.id}",
        details={"slips": len(order), "page": mark},
        actor=user,
        commit=False,
    )
    db.session.commit()
    return SlipsResult("stored", len(order), dropped)


def slips_entered(event_id: int) -> int:
    """How many slips were typed for this event (from the audit entries; a count, no answers)."""
    details = db.session.scalars(
        select(audit.AuditEntry.details).where(
            audit.AuditEntry.action == SLIPS_ENTERED, audit.AuditEntry.target == f"event:{event_id}"
        )
    )
    return sum(int((d or {}).get("slips") or 0) for d in details)


def _shuffle(items: list) -> None:
    for i in range(len(items) - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        items[i], items[j] = items[j], items[i]


# ---------------------------------------------------------------------------- reading


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


CORRECTABLE = ("name", "doc_type", "doc_number", "contact")


def correct_row(event: Event, row: Attendance, data: dict, reason: str, user) -> list[str]:
    """Correct a row of the official list (a typing error on a paper row, a misspelt name): the
    changed fields and the reason go to the audit log (not the values: the log is read more widely
    than the list). Returns the changed field names; nothing changes without a reason."""
    if row.event_id != event.id or row.voided_at is not None:
        raise EventError(_("Esa fila no se puede corregir."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise EventError(_("Explica el motivo de la corrección (al menos 10 caracteres)."))
    if not row.consent_id and any(data.get(k) for k in ("name", "contact", "doc_number")):
        raise EventError(_("Esta fila no tiene autorización de datos: no se guardan nombre ni contacto."))
    changed = []
    data = {**{k: getattr(row, k) for k in CORRECTABLE}, **{k: v for k, v in data.items() if v is not None}}
    for key in CORRECTABLE:
        value = (data.get(key) or "").strip()
        if key == "doc_number":
            value = document_digits(value)
        if value != (getattr(row, key) or ""):
            changed.append(key)
    if not changed:
        return []
    doc_type = data.get("doc_type") or ""
    new_hash = _doc_hash(event, doc_type, data.get("doc_number") or "")
    if "doc_type" in changed or "doc_number" in changed:
        clash = _existing(event.id, "\x00", new_hash) if new_hash else None
        if clash and clash.attendance.id != row.id:
            raise EventError(_("Ese documento ya está en el listado en otra fila."))
        row.doc_hash = new_hash
    for key in changed:
        if key == "doc_number":
            row.doc_number = document_digits(data.get(key) or "") if row.consent_id else ""
        elif key in ("name", "contact") and not row.consent_id:
            continue
        else:
            setattr(row, key, (data.get(key) or "").strip())
    audit.record(
        "event_attendance_corrected",
        target=f"event:{event.id}",
        details={"row": row.id, "fields": changed, "reason": reason},
        actor=user,
        commit=False,
    )
    db.session.commit()
    return changed


def void_row(event: Event, row: Attendance, reason: str, user) -> None:
    """Void a row (signed by mistake, a duplicate on paper): it stays on the official list marked
    as voided and stops counting; its document can sign again. The reason stays in the audit log."""
    if row.event_id != event.id or row.voided_at is not None:
        raise EventError(_("Esa fila ya está anulada."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise EventError(_("Explica el motivo de la anulación (al menos 10 caracteres)."))
    row.voided_at, row.void_reason, row.voided_by, row.doc_hash = time.now(), reason[:300], user.id, None
    audit.record(
        "event_attendance_voided",
        target=f"event:{event.id}",
        details={"row": row.id, "reason": reason},
        actor=user,
        commit=False,
    )
    db.session.commit()


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


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


def format_local(dt: datetime) -> str:
    """'lunes, 5 de marzo de 2026, 3:00 p. m.' (naive UTC in, Bogotá time out)."""
    return _("%(date)s, %(time)s", date=time.format_date(dt, "full"), time=time.format_time(dt, "short"))


def format_span(event: Event) -> str:
    """'lunes, 5 de marzo de 2026, 3:00 p. m. a 5:00 p. m.'"""
    return _(
        "%(date)s, de %(start)s a %(end)s",
        date=time.format_date(event.starts_at, "full"),
        start=time.format_time(event.starts_at, "short"),
        end=time.format_time(event.ends_at, "short"),
    )
