"""Retention of one-time rights to answer (see app/core/retention.py).

A `SurveyToken` holds only the hash of a random token and its survey; it is kept only while it
can still be used. Once the retention period has passed after the survey closed (or after the
token was used), the row is deleted: the link then reads as not valid. Answers are anonymous by
design and are not affected.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select

from app.core.retention import DataSubject, DataSubjectSource, RetentionRule
from app.extensions import db

from .models import Survey, SurveyToken


def purge(cutoff: datetime, now: datetime) -> int:
    closed = select(Survey.id).where(Survey.closes_at < cutoff)
    stmt = (
        delete(SurveyToken)
        .where(or_(SurveyToken.survey_id.in_(closed), SurveyToken.used_on < cutoff.date()))
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount or 0


def find(subject: DataSubject) -> list:
    return []  # a token holds nothing about the person: there is nothing to find


RULE = RetentionRule(
    kind="survey_token",
    label=lambda: _l("Permisos para responder encuestas"),
    description=lambda: _l(
        "Enlaces de un solo uso para responder la encuesta de un evento. Se cuentan desde el "
        "cierre de la encuesta o desde que se usaron; al cumplirse el plazo se borran."
    ),
    default_days=90,
    min_days=7,
    purge=purge,
    order=30,
)

SOURCE = DataSubjectSource(
    name="surveys",
    label=lambda: _l("Encuestas de satisfacción"),
    find=find,
    order=40,
    statement=lambda: _(
        "Las respuestas a encuestas y los enlaces para responderlas no guardan tu nombre ni tu "
        "documento: no se pueden asociar a ti."
    ),
)


def register(reg) -> None:
    reg.retention.append(RULE)
    reg.data_subjects.append(SOURCE)
