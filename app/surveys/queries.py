"""Reads for the survey pages, hooks and exports. Nothing here writes.

`event_surveys(event_id)` is on the QR sign-in's path (each signature asks which surveys the event
has): it is a `cached_query`, kept per process for a few seconds and dropped at once, in every
process when Redis is configured, after a change to a survey is committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select

from app.core import registry, time
from app.core.cache import cached_query
from app.extensions import db
from app.surveys.models import Survey, SurveyResponse, SurveyToken
from app.surveys.tokens import hash_token, token_signed


def get(survey_id: int) -> Survey | None:
    return db.session.get(Survey, survey_id)


def by_slug(slug: str) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.slug == slug))


def event_of(survey: Survey) -> dict | None:
    """The summary of the survey's linked event (events' `event_summary` hook), or None."""
    if not survey.event_id:
        return None
    found = registry.get().call("event_summary", survey.event_id)
    return found[0] if found else None


def response_count(survey: Survey) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
        )
        or 0
    )


def has_responses(survey: Survey) -> bool:
    return bool(db.session.scalar(select(exists().where(SurveyResponse.survey_id == survey.id))))


def newest_first(*, published_only: bool = False) -> list[Survey]:
    """Every survey (or only the published ones), the newest first."""
    stmt = select(Survey).order_by(Survey.id.desc())
    if published_only:
        stmt = stmt.where(Survey.published.is_(True))
    return list(db.session.scalars(stmt))


def response_counts() -> dict[int, int]:
    """{survey id: number of responses}, for the surveys that have any."""
    return dict(
        db.session.execute(
            select(SurveyResponse.survey_id, func.count()).group_by(SurveyResponse.survey_id)
        ).all()
    )


def open_surveys(*, event_id: int | None = None) -> list[Survey]:
    """Published surveys whose answering period has not ended (open now or scheduled)."""
    now = time.now()
    stmt = select(Survey).where(
        Survey.published.is_(True), (Survey.closes_at.is_(None)) | (Survey.closes_at > now)
    )
    if event_id is not None:
        stmt = stmt.where(Survey.event_id == event_id)
    return list(db.session.scalars(stmt.order_by(Survey.id)))


@dataclass(frozen=True)
class EventSurvey:
    """A published survey of an event, as the sign-in needs it to hand out a right to answer."""

    id: int
    slug: str
    title: str
    closes_at: datetime | None


@cached_query(Survey, ttl=5.0)
def event_surveys(event_id: int) -> tuple[EventSurvey, ...]:
    """The event's published surveys not yet closed (open now or scheduled), in creation order.
    A survey published or closed is seen at once; one that reaches its closing time while cached
    is still listed for a few seconds (callers compare `closes_at` with the clock)."""
    return tuple(EventSurvey(s.id, s.slug, s.title, s.closes_at) for s in open_surveys(event_id=event_id))


def token_state(survey: Survey, token: str) -> str:
    """'valid', 'used' or 'unknown'."""
    if not token_signed(survey.id, token):
        return "unknown"
    return "used" if db.session.get(SurveyToken, hash_token(token)) is not None else "valid"
