"""Retention and data-subject requests for attendance lists (see app/core/retention.py).

An attendance row whose period ended is anonymised, not deleted: it keeps the fact that someone
signed (event, channel, time), so the official list's count stays exact, and loses the name,
the document (number, type and keyed hash), the contact and the link to the consent proof.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from app.core import time
from app.core.retention import DataSubject, DataSubjectSource, HeldRecord, RetentionRule
from app.core.text import document_digits
from app.extensions import db

from .models import Attendance, Event

ANONYMISED = {
    "name": "",
    "doc_type": "",
    "doc_number": "",
    "doc_hash": None,
    "contact": "",
    "consent_id": None,
    "identity_erased": True,
}
_HOLDS_IDENTITY = or_(
    Attendance.name != "",
    Attendance.doc_number != "",
    Attendance.doc_hash.is_not(None),
    Attendance.contact != "",
    Attendance.consent_id.is_not(None),
)
CHUNK = 500


def purge(cutoff: datetime, now: datetime) -> int:
    """Anonymise the attendance rows of events that ended before `cutoff`."""
    ended = select(Event.id).where(Event.ends_at < cutoff)
    stmt = (
        update(Attendance)
        .where(Attendance.event_id.in_(ended), _HOLDS_IDENTITY)
        .values(**ANONYMISED)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount or 0


def _matching(subject: DataSubject) -> list[tuple[Attendance, Event]]:
    """Attendance rows with the subject's document: the keyed hash of each event's purpose."""
    if not document_digits(subject.doc_number):
        return []
    events = db.session.execute(select(Event.id)).scalars().all()
    hashes = [subject.document_hash(f"event:{event_id}") for event_id in events]
    rows: list[tuple[Attendance, Event]] = []
    for start in range(0, len(hashes), CHUNK):
        rows.extend(
            db.session.execute(
                select(Attendance, Event)
                .join(Event, Event.id == Attendance.event_id)
                .where(Attendance.doc_hash.in_(hashes[start : start + CHUNK]))
            )
            .tuples()
            .all()
        )
    return sorted(rows, key=lambda r: r[1].starts_at)


def find(subject: DataSubject) -> list[HeldRecord]:
    out = []
    for attendance, event in _matching(subject):
        day = format_date(time.to_local(event.starts_at).date(), "medium")
        out.append(
            HeldRecord(
                id=str(attendance.id),
                what=_(
                    "Firma en el listado de asistencia de «%(event)s» (%(date)s)", event=event.title, date=day
                ),
                fields={
                    _("Nombre"): attendance.name,
                    _("Documento"): f"{attendance.doc_type} {attendance.doc_number}".strip(),
                    _("Contacto"): attendance.contact or "—",
                    _("Autorización de tratamiento"): _("Sí") if attendance.consent_id else _("No consta"),
                },
                note=_(
                    "Al suprimirla, la firma sigue contando en el total del listado, sin nombre, documento "
                    "ni "
                    "contacto."
                ),
            )
        )
    return out


def erase(subject: DataSubject, ids: list[str]) -> int:
    allowed = [a.id for a, _e in _matching(subject) if str(a.id) in set(ids)]
    if not allowed:
        return 0
    stmt = (
        update(Attendance)
        .where(Attendance.id.in_(allowed))
        .values(**ANONYMISED)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount or 0


RULE = RetentionRule(
    kind="attendance_identity",
    label=lambda: _l("Identidad en los listados de asistencia"),
    description=lambda: _l(
        "Nombre, documento y contacto de quien firmó. Se cuentan desde el final del evento; "
        "al cumplirse el plazo se borran y la firma sigue contando en el total del listado."
    ),
    default_days=2 * 365,
    min_days=180,
    purge=purge,
    order=10,
)

SOURCE = DataSubjectSource(
    name="events", label=lambda: _l("Listados de asistencia a eventos"), find=find, erase=erase, order=10
)


def register(reg) -> None:
    reg.retention.append(RULE)
    reg.data_subjects.append(SOURCE)
