"""Retention and data-subject requests for the urna virtual (see app/core/retention.py).

A question's contact (name, e-mail, phone, consent link) is kept while it is being answered and
for the retention period after the answer; then it is erased, with the notices that carried the
e-mail, and the document hash of a data-subject request. The question, its radicado, its answer
and its dates stay: they are the entity's record of the petition (Ley 594 de 2000, archives).
"""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from app.core.retention import DataSubject, DataSubjectSource, HeldRecord, RetentionRule
from app.extensions import db

from .habeas.models import BallotDataRequest
from .models import BallotNotice, BallotQuestion
from .rules import DATA_KINDS, kind_label

ANONYMISED = {"name": None, "email": None, "phone": None, "consent_id": None, "anonymous": True}
_HOLDS_CONTACT = or_(
    BallotQuestion.name.is_not(None),
    BallotQuestion.email.is_not(None),
    BallotQuestion.phone.is_not(None),
    BallotQuestion.consent_id.is_not(None),
)


def purge(cutoff: datetime, now: datetime) -> int:
    """Erase the contact of questions answered before `cutoff` (open ones keep it)."""
    due = select(BallotQuestion.id).where(
        BallotQuestion.status.in_(("answered", "closed")), BallotQuestion.answered_at < cutoff
    )
    db.session.execute(
        delete(BallotNotice)
        .where(BallotNotice.question_id.in_(due))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(BallotDataRequest)
        .where(BallotDataRequest.question_id.in_(due), BallotDataRequest.doc_hash.is_not(None))
        .values(doc_hash=None, doc_type=None)
        .execution_options(synchronize_session=False)
    )
    stmt = (
        update(BallotQuestion)
        .where(BallotQuestion.id.in_(due), _HOLDS_CONTACT)
        .values(**ANONYMISED)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount or 0


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _matching(subject: DataSubject) -> list[BallotQuestion]:
    """Named questions with the subject's e-mail or phone (the urna keeps no document), except
    data-subject requests themselves (the record of the person exercising their rights)."""
    conditions = []
    email = (subject.email or "").strip().lower()
    phone = _digits(subject.phone)
    if email:
        conditions.append(BallotQuestion.email == email)
    if len(phone) >= 7:
        conditions.append(BallotQuestion.phone.like(f"%{phone[-4:]}%"))
    if not conditions:
        return []
    rows = db.session.scalars(
        select(BallotQuestion)
        .where(or_(*conditions), BallotQuestion.kind.not_in(DATA_KINDS))
        .order_by(BallotQuestion.received_at)
    )
    return [
        q for q in rows if (email and q.email == email) or (len(phone) >= 7 and _digits(q.phone) == phone)
    ]


def find(subject: DataSubject) -> list[HeldRecord]:
    out = []
    for q in _matching(subject):
        out.append(
            HeldRecord(
                id=str(q.id),
                what=_(
                    "Solicitud %(radicado)s en la urna virtual (%(kind)s, %(date)s)",
                    radicado=q.radicado,
                    kind=kind_label(q.kind),
                    date=format_date(q.filed_on, "medium"),
                ),
                fields={
                    _("Nombre"): q.name or "—",
                    _("Correo"): q.email or "—",
                    _("Teléfono"): q.phone or "—",
                },
                note=_(
                    "Al borrarla, la solicitud y su respuesta se conservan sin nombre ni datos de contacto."
                ),
            )
        )
    return out


def erase(subject: DataSubject, ids: list[str]) -> int:
    allowed = [q.id for q in _matching(subject) if str(q.id) in set(ids)]
    if not allowed:
        return 0
    db.session.execute(
        delete(BallotNotice)
        .where(BallotNotice.question_id.in_(allowed))
        .execution_options(synchronize_session=False)
    )
    stmt = (
        update(BallotQuestion)
        .where(BallotQuestion.id.in_(allowed))
        .values(**ANONYMISED)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount or 0


RULE = RetentionRule(
    kind="ballot_contact",
    label=lambda: _l("Nombre y contacto en la urna virtual"),
    description=lambda: _l(
        "Nombre, correo y teléfono de quien hizo una pregunta o una solicitud sobre sus datos. "
        "Se cuentan desde la respuesta (las solicitudes abiertas los conservan); al cumplirse "
        "el plazo se borran y la solicitud y su respuesta se conservan sin ellos."
    ),
    default_days=365,
    min_days=30,
    purge=purge,
    order=20,
)

SOURCE = DataSubjectSource(name="ballot", label=lambda: _l("Urna virtual"), find=find, erase=erase, order=30)


def register(reg) -> None:
    reg.retention.append(RULE)
    reg.data_subjects.append(SOURCE)
