"""Retention of consent proofs (see app/core/retention.py).

A `ConsentRecord` proves an authorisation (policy version, time, channel, guardian). It is kept
while any identity row still points to it (an attendance, a named question…) and, after that,
until the retention period has passed since it was given: by default the longest identity period
(2 years) plus 1 year, so the proof outlives the data it authorised by at least a year. The rows
that point to it are found through the foreign keys of the schema, so this shared module never
imports a capability.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists

from app.core.retention import DataSubject, DataSubjectSource, RetentionRule
from app.extensions import db

from .models import ConsentRecord


def _references():
    """Every column of the schema that points to consent_record.id."""
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == ConsentRecord.__tablename__ and fk.column.name == "id":
                yield fk.parent


def purge(cutoff: datetime, now: datetime) -> int:
    stmt = delete(ConsentRecord).where(ConsentRecord.given_at < cutoff)
    for column in _references():  # NOT EXISTS: an anti-join on both databases
        stmt = stmt.where(~exists().where(column == ConsentRecord.id))
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0


def find(subject: DataSubject) -> list:
    return []  # profiles are unlinkable by design; consents are shown with the records they authorise


RULE = RetentionRule(
    kind="consent_proof",
    label=lambda: _l("Pruebas de autorización"),
    description=lambda: _l(
        "Constancia de cada autorización de tratamiento de datos (versión de la política, fecha, "
        "canal). Se conserva mientras existan los datos que autoriza; después, hasta que se "
        "cumple el plazo contado desde que se dio."
    ),
    default_days=3 * 365,
    min_days=365,
    purge=purge,
    order=40,
)

SOURCE = DataSubjectSource(
    name="characterization",
    label=lambda: _l("Caracterización"),
    find=find,
    order=90,
    statement=lambda: _(
        "Las respuestas de caracterización (grupo étnico, discapacidad, condición de víctima y las "
        "demás) se guardan separadas de tu nombre y documento, sin ningún dato que permita unirlas "
        "a ti; por eso no podemos mostrarlas, corregirlas ni borrarlas una por una."
    ),
)


def register(reg) -> None:
    reg.retention.append(RULE)
    reg.data_subjects.append(SOURCE)
