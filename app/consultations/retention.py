"""Retention and data-subject requests for the one-response register of consultations that
check a document (see app/core/retention.py). A `ConsultationRoll` row is a keyed hash of a
document, kept apart from the anonymous ballot; it is deleted once the retention period has
passed after the consultation closed. While a consultation is open it cannot be erased (the
person could vote twice)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select

from app.core import time
from app.core.retention import DataSubject, DataSubjectSource, HeldRecord, RetentionRule
from app.core.text import document_digits
from app.extensions import db

from .models import Consultation, ConsultationRoll


def purge(cutoff: datetime, now: datetime) -> int:
    closed = select(Consultation.id).where(Consultation.closes_at < cutoff)
    stmt = (
        delete(ConsultationRoll)
        .where(ConsultationRoll.consultation_id.in_(closed))
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount or 0


def _matching(subject: DataSubject) -> list[tuple[ConsultationRoll, Consultation]]:
    if not document_digits(subject.doc_number):
        return []
    pairs = [
        (c.id, subject.document_hash(f"consultation:{c.id}"))
        for c in db.session.execute(select(Consultation.id)).all()
    ]
    if not pairs:
        return []
    rows = []
    for start in range(0, len(pairs), 300):
        part = pairs[start : start + 300]
        match = or_(
            *[
                and_(ConsultationRoll.consultation_id == cid, ConsultationRoll.doc_hash == digest)
                for cid, digest in part
            ]
        )
        rows.extend(
            db.session.execute(
                select(ConsultationRoll, Consultation)
                .join(Consultation, Consultation.id == ConsultationRoll.consultation_id)
                .where(match)
            )
            .tuples()
            .all()
        )
    return rows


def find(subject: DataSubject) -> list[HeldRecord]:
    now = time.now()
    out = []
    for roll, consultation in _matching(subject):
        still_open = consultation.closes_at >= now
        out.append(
            HeldRecord(
                id=f"{roll.consultation_id}",
                erasable=not still_open,
                what=_(
                    "Registro de participación en la consulta «%(title)s» (cierra %(date)s)",
                    title=consultation.title,
                    date=format_date(time.to_local(consultation.closes_at).date(), "medium"),
                ),
                fields={_("Documento"): _("solo una huella cifrada, para que nadie participe dos veces")},
                note=_("No se puede borrar mientras la consulta está abierta.") if still_open else "",
            )
        )
    return out


def erase(subject: DataSubject, ids: list[str]) -> int:
    now = time.now()
    removed = 0
    for roll, consultation in _matching(subject):
        if str(roll.consultation_id) in set(ids) and consultation.closes_at < now:
            removed += (
                db.session.execute(
                    delete(ConsultationRoll)
                    .where(
                        ConsultationRoll.consultation_id == roll.consultation_id,
                        ConsultationRoll.doc_hash == roll.doc_hash,
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount
                or 0
            )
    return removed


RULE = RetentionRule(
    kind="consultation_roll",
    label=lambda: _l("Registro de participación en consultas"),
    description=lambda: _l(
        "Huella cifrada del documento de quien participó en una consulta que pide documento, "
        "para que nadie participe dos veces. Se cuenta desde el cierre de la consulta; al "
        "cumplirse el plazo se borra. Las respuestas son anónimas y se conservan."
    ),
    default_days=365,
    min_days=30,
    purge=purge,
    order=25,
)

SOURCE = DataSubjectSource(
    name="consultations", label=lambda: _l("Consultas de priorización"), find=find, erase=erase, order=20
)


def register(reg) -> None:
    reg.retention.append(RULE)
    reg.data_subjects.append(SOURCE)
