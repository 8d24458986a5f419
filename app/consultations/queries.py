"""Reads of priority-topic consultations for pages, hooks and exports.

The citizen pages of one consultation read it through `public_by_slug`, a cached query (a class or
a meeting answers all at once): a frozen `PublicConsultation` of plain values with its active
topics, never an ORM instance, at most seconds old and dropped as soon as a consultation or a
topic changes (`app.core.cache.cached_query`). Staff pages read the ORM rows (`get_by_slug`...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.catalogs import queries as catalogs
from app.consultations.models import (
    APPROVED,
    GROUP_LINE,
    MERGED,
    PENDING,
    REJECTED,
    Consultation,
    ConsultationProposal,
    ConsultationResponse,
    ConsultationTopic,
    ConsultationTopicEvent,
    OpeningWindow,
)
from app.core import registry
from app.core.cache import cached_query
from app.core.text import clean
from app.extensions import db

# ---------------------------------------------------------------------------- the public form


@dataclass(frozen=True)
class PublicTopic:
    """A topic a person may choose, as the public pages show it."""

    id: int
    consultation_id: int
    title: str
    description: str
    title_en: str
    description_en: str
    office_code: str
    plan_line: str
    position: int
    origin: str


@dataclass(frozen=True)
class PublicConsultation(OpeningWindow):
    """A public consultation as its citizen pages read it: column values and its active topics in
    the editor's order. The same names as `Consultation`, so templates and `results` take either."""

    id: int
    slug: str
    title: str
    introduction: str
    title_en: str
    introduction_en: str
    office_code: str
    opens_at: datetime  # naive UTC
    closes_at: datetime  # naive UTC
    max_choices: int
    allow_proposals: bool
    group_by: str
    variables: tuple[str, ...]
    rule: str
    results_published_at: datetime | None
    topics: tuple[PublicTopic, ...]  # active topics only

    @property
    def public_topics(self) -> list[PublicTopic]:
        return list(self.topics)

    def topic_choices(self) -> list[tuple[int, str]]:
        """(id, title) of the topics a person may choose, in the editor's order."""
        return [(t.id, t.title) for t in self.topics]


def get_by_slug(slug: str, *, public: bool = True) -> Consultation | None:
    stmt = select(Consultation).where(Consultation.slug == slug)
    if public:
        stmt = stmt.where(Consultation.is_public.is_(True))
    return db.session.scalar(stmt)


@cached_query(Consultation, ConsultationTopic, ttl=5.0)
def public_by_slug(slug: str) -> PublicConsultation | None:
    """A public consultation for its citizen pages, None for an unknown slug or a draft; staff
    pages use `get_by_slug`."""
    c = get_by_slug(slug)
    if c is None:
        return None
    topics = tuple(
        PublicTopic(
            id=t.id,
            consultation_id=t.consultation_id,
            title=t.title,
            description=t.description or "",
            title_en=t.title_en or "",
            description_en=t.description_en or "",
            office_code=t.office_code or "",
            plan_line=t.plan_line or "",
            position=t.position,
            origin=t.origin,
        )
        for t in c.public_topics
    )
    return PublicConsultation(
        id=c.id,
        slug=c.slug,
        title=c.title,
        introduction=c.introduction or "",
        title_en=c.title_en or "",
        introduction_en=c.introduction_en or "",
        office_code=c.office_code or "",
        opens_at=c.opens_at,
        closes_at=c.closes_at,
        max_choices=c.max_choices,
        allow_proposals=bool(c.allow_proposals),
        group_by=c.group_by,
        variables=tuple(c.variables or ()),
        rule=c.rule,
        results_published_at=c.results_published_at,
        topics=topics,
    )


def grouped_topics(consultation: PublicConsultation | Consultation) -> list[tuple[str, list]]:
    """Public topics grouped by office or by development-plan line, in the editor's order."""
    offices = {o.code: o.name for o in catalogs.offices(include_inactive=True)}
    groups: dict[str, list] = {}
    for topic in consultation.public_topics:
        if consultation.group_by == GROUP_LINE:
            key = topic.plan_line or _("Otros temas")
        else:
            key = offices.get(topic.office_code) or _("Otros temas")
        groups.setdefault(key, []).append(topic)
    return list(groups.items())


def decided_proposals(consultation_id: int) -> list[dict]:
    """Proposals the team rejected (with the reason the staff form promises the public will see)
    or merged into a topic, newest first: plain data, no identity (proposals hold none)."""
    rows = db.session.execute(
        select(
            ConsultationProposal.title,
            ConsultationProposal.status,
            ConsultationProposal.reason,
            ConsultationTopic.title.label("topic_title"),
        )
        .outerjoin(ConsultationTopic, ConsultationTopic.id == ConsultationProposal.topic_id)
        .where(
            ConsultationProposal.consultation_id == consultation_id,
            ConsultationProposal.status.in_((REJECTED, MERGED)),
        )
        .order_by(ConsultationProposal.decided_at.desc(), ConsultationProposal.id.desc())
    )
    return [{"title": r.title, "status": r.status, "reason": r.reason, "topic": r.topic_title} for r in rows]


def public_consultations() -> dict[str, list[Consultation]]:
    """Public consultations split into open, upcoming and closed (newest first)."""
    out: dict[str, list[Consultation]] = {"open": [], "upcoming": [], "closed": []}
    stmt = (
        select(Consultation).where(Consultation.is_public.is_(True)).order_by(Consultation.closes_at.desc())
    )
    for c in db.session.scalars(stmt):
        out[c.state()].append(c)
    out["open"].sort(key=lambda c: c.closes_at)
    out["upcoming"].sort(key=lambda c: c.opens_at)
    return out


def public_topic(consultation_id: int, topic_id: int) -> ConsultationTopic | None:
    """An active topic of this consultation (its public page), or None."""
    topic = db.session.get(ConsultationTopic, topic_id)
    if topic is None or topic.consultation_id != consultation_id or not topic.active:
        return None
    return topic


def merged_count(topic_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ConsultationProposal)
            .where(
                ConsultationProposal.topic_id == topic_id, ConsultationProposal.status.in_((MERGED, APPROVED))
            )
        )
        or 0
    )


def public_url(consultation: Consultation | PublicConsultation, **kwargs) -> str:
    return url_for("consultations.public_show", slug=consultation.slug, **kwargs)


# ---------------------------------------------------------------------------- staff


def response_count(consultation_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(ConsultationResponse)
            .where(ConsultationResponse.consultation_id == consultation_id)
        )
        or 0
    )


def staff_overview() -> list[tuple[Consultation, int, int]]:
    """Every consultation (newest first) with its response count and pending proposals, in three
    queries whatever the number of consultations."""
    responses = dict(
        db.session.execute(
            select(ConsultationResponse.consultation_id, func.count()).group_by(
                ConsultationResponse.consultation_id
            )
        ).all()
    )
    pending = dict(
        db.session.execute(
            select(ConsultationProposal.consultation_id, func.count())
            .where(ConsultationProposal.status == PENDING)
            .group_by(ConsultationProposal.consultation_id)
        ).all()
    )
    return [
        (c, responses.get(c.id, 0), pending.get(c.id, 0))
        for c in db.session.scalars(select(Consultation).order_by(Consultation.opens_at.desc()))
    ]


def pending_proposals(consultation_id: int) -> list[ConsultationProposal]:
    return list(
        db.session.scalars(
            select(ConsultationProposal)
            .where(
                ConsultationProposal.consultation_id == consultation_id,
                ConsultationProposal.status == PENDING,
            )
            .order_by(ConsultationProposal.id)
        )
    )


def proposals(consultation_id: int) -> list[ConsultationProposal]:
    return list(
        db.session.scalars(
            select(ConsultationProposal)
            .where(ConsultationProposal.consultation_id == consultation_id)
            .order_by(ConsultationProposal.status != PENDING, ConsultationProposal.id.desc())
        )
    )


# ---------------------------------------------------------------------------- traceability and search


def topic_trace(topic_id: int) -> dict[str, list[dict]]:
    """Where a topic went: its events (events' `event_summary`) and other capabilities' links
    (hook `topic_links`, e.g. improvement-plan actions)."""
    reg = registry.get()
    topic = db.session.get(ConsultationTopic, topic_id)
    events = [s for eid in (topic.event_ids if topic else []) for s in reg.call("event_summary", eid) if s]
    return {"events": events, "others": reg.call("topic_links", topic_id)}


def topics_for_event(event_id: int) -> list[ConsultationTopic]:
    stmt = (
        select(ConsultationTopic)
        .join(ConsultationTopicEvent)
        .join(Consultation)
        .where(
            ConsultationTopicEvent.event_id == event_id,
            ConsultationTopic.active.is_(True),
            Consultation.is_public.is_(True),
        )
        .order_by(Consultation.id, ConsultationTopic.position)
    )
    return list(db.session.scalars(stmt))


def search(query: str, limit: int = 20) -> list[Consultation]:
    """Public consultations whose title, introduction or a topic title contains `query`."""
    query = clean(query or "")
    if len(query) < 2:
        return []
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{escaped}%"
    stmt = (
        select(Consultation)
        .where(Consultation.is_public.is_(True))
        .where(
            or_(
                func.lower(Consultation.title).like(like, escape="\\"),
                func.lower(Consultation.introduction).like(like, escape="\\"),
                Consultation.id.in_(
                    select(ConsultationTopic.consultation_id).where(
                        ConsultationTopic.active.is_(True),
                        func.lower(ConsultationTopic.title).like(like, escape="\\"),
                    )
                ),
            )
        )
        .order_by(Consultation.closes_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
