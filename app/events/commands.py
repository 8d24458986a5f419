"""Changes of the events capability: the event life cycle, its sign-in link, signing in (web and
paper), the anonymous slips, and corrections to the official list.

Every function takes plain data (the dataclasses below, built by `app.events.forms` from a
validated form, or plain values) and commits the whole change or nothing; a refusal raises
`EventError` with a message for the person.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.characterization import commands as characterization
from app.characterization.models import ConsentRecord
from app.characterization.rules import what_may_be_kept
from app.core import audit, registry, time
from app.core.db import RowBatch
from app.core.text import document_digits
from app.events import queries, tokens
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
from app.events.rules import SLIPS_ENTERED, EventError, can_manage, declares_minor, doc_hash, profile_context
from app.extensions import db

# ---------------------------------------------------------------------------- event life cycle


@dataclass(frozen=True)
class EventData:
    """An event as staff write it (the planning format): what `create_event` and `update_event`
    take. Day and hours are Bogotá local time."""

    title: str
    kind: str
    day: date
    start: clock_time
    end: clock_time
    place: str = ""
    description: str = ""
    title_en: str = ""
    description_en: str = ""
    territory: str | None = None
    offices: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    objective: str = ""
    methodology: str = ""
    agenda: str = ""
    topics: str = ""
    expected_attendance: int | None = None
    logistics: str = ""
    channels: tuple[str, ...] = ()
    channels_other: str = ""
    opens_before_min: int = 60
    closes_after_min: int = 60
    fixed_link_enabled: bool = True


EDITABLE = (
    "title",
    "kind",
    "description",
    "title_en",
    "description_en",
    "place",
    "objective",
    "methodology",
    "agenda",
    "topics",
    "expected_attendance",
    "logistics",
    "channels_other",
    "opens_before_min",
    "closes_after_min",
    "fixed_link_enabled",
)


def new_short_code() -> str:
    """A typed code no event has."""
    while True:
        code = tokens.random_code()
        if not db.session.scalar(select(Event.id).where(Event.short_code == code)):
            return code


def _apply(event: Event, data: EventData) -> None:
    for name in EDITABLE:
        setattr(event, name, getattr(data, name))
    event.territory = data.territory or None
    event.channels = list(data.channels or [])
    event.starts_at = time.from_local(datetime.combine(data.day, data.start))
    event.ends_at = time.from_local(datetime.combine(data.day, data.end))
    if event.ends_at <= event.starts_at:
        raise EventError(_("La hora de finalización debe ser posterior a la de inicio."))
    offices = sorted(set(data.offices or []))
    targets = sorted(set(data.targets or []))
    if offices != event.office_codes:
        event.offices = [EventOffice(office_code=c) for c in offices]
    if targets != event.target_codes:
        event.targets = [EventTarget(value_group=c) for c in targets]


def create_event(data: EventData, user) -> Event:
    """A new draft event with fresh, unguessable sign-in tokens."""
    if not can_manage(user, office_codes=list(data.offices or [])):
        raise EventError(_("Elige al menos una dependencia que tú gestionas."))
    event = Event(
        token=secrets.token_urlsafe(16),
        secret=secrets.token_urlsafe(32),
        short_code=new_short_code(),
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


def update_event(event: Event, data: EventData, user) -> Event:
    if not can_manage(user, office_codes=list(data.offices or [])):
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
        details={"total": total, "signatures": queries.count(event.id)},
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
    event.token, event.short_code = secrets.token_urlsafe(16), new_short_code()
    audit.record(
        "event_link", target=f"event:{event.id}", details={"renewed": True}, actor=user, commit=False
    )
    db.session.commit()


# ---------------------------------------------------------------------------- signing in


@dataclass(frozen=True)
class Signature:
    """One row of the attendance list as the attendee (or staff, from paper) wrote it."""

    name: str
    doc_type: str
    doc_number: str
    contact: str = ""
    consent: bool = False
    nonce: str = ""  # the form's one-time mark: the same form sent twice is stored once


@dataclass
class SignInResult:
    # "signed", "again" (same form sent twice), "duplicate" (document already signed), "no_consent"
    status: str
    attendance: Attendance | None = None
    links: list[dict] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)


def _existing(event_id: int, nonce: str, digest: str | None) -> SignInResult | None:
    found = queries.signed_before(event_id, nonce, digest)
    return SignInResult(*found) if found else None


def _commit_once(event_id: int, nonce: str, digest: str | None, write: Callable[[], list]) -> SignInResult:
    """Run `write()`: it stores and commits this signature's rows and returns the `after_sign_in`
    links. When an earlier or concurrent request stored the same form nonce or document, the
    unique constraints refuse this one and that earlier outcome ("again" or "duplicate") is
    returned instead; nothing of this one is kept."""
    try:
        links = write()
    except IntegrityError:
        db.session.rollback()
        found = _existing(event_id, nonce, digest)
        if found:
            return found
        raise
    return SignInResult("signed", links=[{"text": str(x["text"]), "url": x["url"]} for x in links])


def sign_in(event, signature: Signature, channel: str = "web") -> SignInResult:
    """Record one signature from the attendee's form (identity and consent), exactly once.

    `event` is the sign-in page's `queries.SignInEvent` (or an `Event`: only its id is read).
    Without consent nothing is stored and nothing is looked up: the answer is the same whether
    or not the document is on the list (no membership oracle). With consent, the same form nonce
    again (double tap, back button, retry) returns "again" without a new row; the same document
    (keyed hash) returns "duplicate". No characterisation is written here: the optional second
    step buffers it apart (`characterization.record_answers`). `after_sign_in` hooks add their
    rows to the same batch: all are stored or none.

    The busiest write of the portal: no query looks for an earlier row first (the unique
    constraints refuse a repeated nonce or document, and that earlier outcome is reported then),
    and the rows go in as one `RowBatch`: one round trip to PostgreSQL.
    """
    if not signature.consent:
        return SignInResult("no_consent")
    nonce = tokens.clean_token(signature.nonce)[:40] or tokens.new_nonce()
    digest = doc_hash(event.id, signature.doc_type, signature.doc_number)
    consent = characterization.consent_values("events", channel, minor=declares_minor(signature.doc_type))
    row = {
        "event_id": event.id,
        "nonce": nonce,
        "name": signature.name,
        "doc_type": signature.doc_type,
        "doc_number": document_digits(signature.doc_number) if digest else "",
        "doc_hash": digest,
        "contact": signature.contact or "",
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

    return _commit_once(event.id, nonce, digest, write)


def paper_entry(event: Event, signature: Signature, user) -> SignInResult:
    """Type one row of a paper attendance list (channel "paper"): identity and consent only.

    With the list's authorisation ticked: identity and consent proof (channel paper) are stored
    like a web signature, and a document already on the list is flagged and refused. Without it:
    an anonymous row that only counts toward the attendance (no name, only the keyed document
    hash, so the person is not counted twice). No characterisation: it comes on the anonymous
    slips, typed apart (`enter_slips`).
    """
    if event.status != PUBLISHED:
        raise EventError(_("La planilla solo se digita mientras el evento está publicado y sin cerrar."))
    nonce = tokens.clean_token(signature.nonce)[:40] or tokens.new_nonce()
    # Every row is checked against the list, with or without the authorisation tick.
    digest = doc_hash(event.id, signature.doc_type or "", signature.doc_number or "")
    found = _existing(event.id, nonce, digest)
    if found:
        return found
    row = Attendance(
        event_id=event.id,
        nonce=nonce,
        channel=PAPER,
        signed_at=time.now(),
        entered_by=user.id,
        doc_hash=digest,
    )
    if signature.consent:
        minor = declares_minor(signature.doc_type)
        consent = ConsentRecord(**characterization.consent_values("events", PAPER, minor=minor))
        db.session.add(consent)
        row.consent_id, row.name, row.doc_type = consent.id, signature.name, signature.doc_type or ""
        row.contact = signature.contact or ""
        row.doc_hash, row.doc_number = digest, document_digits(signature.doc_number) if digest else ""

    def write():
        db.session.add(row)
        db.session.commit()
        return []

    return _commit_once(event.id, nonce, digest, write)


# ---------------------------------------------------------------------------- anonymous slips


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
    answers are not kept (a slip carries no legal representative's authorisation): the
    characterisation package's minors rule decides, as for every capability.
    """
    if event.status != PUBLISHED:
        raise EventError(_("Las fichas solo se digitan mientras el evento está publicado y sin cerrar."))
    mark = _form_mark(tokens.clean_token(nonce)[:40] or tokens.new_nonce())
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
    context = profile_context(event, PAPER)
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


def _shuffle(items: list) -> None:
    for i in range(len(items) - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        items[i], items[j] = items[j], items[i]


# ---------------------------------------------------------------------------- corrections


CORRECTABLE = ("name", "doc_type", "doc_number", "contact")


def correct_row(event: Event, row: Attendance, data: dict, reason: str, user) -> list[str]:
    """Correct a row of the official list (a typing error on a paper row, a misspelt name): the
    changed fields and the reason go to the audit log (not the values: the log is read more widely
    than the list). `data` holds new values of `CORRECTABLE` fields (None or absent: unchanged).
    Returns the changed field names; nothing changes without a reason."""
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
    new_hash = doc_hash(event.id, doc_type, data.get("doc_number") or "")
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
