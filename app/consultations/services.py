"""Rules of priority-topic consultations. Every change commits whole or not at all."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app.catalogs import queries as catalogs
from app.characterization import services as characterization
from app.consultations import bursts, tally
from app.consultations.models import (
    APPROVED,
    GROUP_LINE,
    MERGED,
    PENDING,
    REJECTED,
    RULE_DOCUMENT,
    Consultation,
    ConsultationChoice,
    ConsultationProposal,
    ConsultationResponse,
    ConsultationRoll,
    ConsultationTopic,
    ConsultationTopicEvent,
)
from app.core import audit, registry, time
from app.core.cache import SharedCache, columns, revive
from app.core.hashing import document_hash
from app.core.text import clean
from app.extensions import db

ANSWERED_COOKIE = "participa_consultas"


class ConsultationError(ValueError):
    """A change or a response that cannot be made; the message is shown to the person."""


class AlreadyAnswered(ConsultationError):
    """A second response from the same person (document) or browser (cookie)."""


class SlugTaken(ConsultationError):
    """Another consultation already uses that short address."""


# ---------------------------------------------------------------------------- reading


def get_by_slug(slug: str, *, public: bool = True) -> Consultation | None:
    stmt = select(Consultation).where(Consultation.slug == slug)
    if public:
        stmt = stmt.where(Consultation.is_public.is_(True))
    return db.session.scalar(stmt)


# The public form reads its consultation and topic list from a per-process cache (seconds old at
# most; a change made in this process is seen at once): a class or a meeting answers all at once.
_PUBLIC = SharedCache("consultations.public", (Consultation, ConsultationTopic), ttl=5.0)


def public_by_slug(slug: str) -> Consultation | None:
    """A public consultation for its citizen pages (see `_PUBLIC`); staff pages use `get_by_slug`."""
    values = _PUBLIC.get(("slug", slug), lambda: _columns_of(get_by_slug(slug)))
    return revive(Consultation, values) if values else None


def _columns_of(consultation: Consultation | None) -> dict | None:
    return columns(consultation) if consultation is not None else None


def public_topic_choices(consultation: Consultation) -> list[tuple[int, str]]:
    """(id, title) of the topics a person may choose, in the editor's order."""
    return _PUBLIC.get(
        ("topics", consultation.id), lambda: [(t.id, t.title) for t in consultation.public_topics]
    )


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


def grouped_topics(consultation: Consultation) -> list[tuple[str, list[ConsultationTopic]]]:
    """Public topics grouped by office or by development-plan line, in the editor's order."""
    offices = {o.code: o.name for o in catalogs.offices(include_inactive=True)}
    groups: dict[str, list[ConsultationTopic]] = {}
    for topic in consultation.public_topics:
        if consultation.group_by == GROUP_LINE:
            key = topic.plan_line or _("Otros temas")
        else:
            key = offices.get(topic.office_code) or _("Otros temas")
        groups.setdefault(key, []).append(topic)
    return list(groups.items())


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


# ---------------------------------------------------------------------------- staff changes


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:70] or "consulta"


def _unique_slug(base: str, own_id: int | None) -> str:
    slug, n = base, 2
    while True:
        other = db.session.scalar(select(Consultation.id).where(Consultation.slug == slug))
        if other is None or other == own_id:
            return slug
        slug, n = f"{base[:70]}-{n}", n + 1


def save_consultation(form, consultation: Consultation | None = None) -> Consultation:
    """Create or update a consultation from a validated `ConsultationForm` (dates are Bogotá time).

    The one-response rule cannot change once there are responses (the roll would not match)."""
    creating = consultation is None
    own_id = None if creating else consultation.id
    if form.slug.data and db.session.scalar(
        select(Consultation.id).where(Consultation.slug == form.slug.data, Consultation.id != (own_id or 0))
    ):
        raise SlugTaken(_("Ya hay otra consulta con esa dirección corta."))
    if not creating and consultation.rule != form.rule.data and response_count(consultation.id):
        raise ConsultationError(
            _("La consulta ya tiene respuestas: no se puede cambiar la regla de una respuesta por persona.")
        )
    slug = form.slug.data or (_unique_slug(slugify(form.title.data), None) if creating else None)
    if creating:
        consultation = Consultation()
        db.session.add(consultation)
    if slug:
        consultation.slug = slug
    consultation.title = form.title.data
    consultation.introduction = form.introduction.data
    consultation.title_en = form.title_en.data or ""
    consultation.introduction_en = form.introduction_en.data or ""
    consultation.office_code = form.office_code.data
    consultation.opens_at = time.from_local(form.opens_at.data)
    consultation.closes_at = time.from_local(form.closes_at.data)
    consultation.max_choices = form.max_choices.data
    consultation.allow_proposals = bool(form.allow_proposals.data)
    consultation.group_by = form.group_by.data
    consultation.variables = list(form.variables.data or [])
    consultation.is_public = bool(form.is_public.data)
    consultation.rule = form.rule.data
    db.session.flush()
    audit.record(
        "consultation_created" if creating else "consultation_changed",
        target=f"consultation:{consultation.id}",
        details={"title": consultation.title},
        commit=False,
    )
    db.session.commit()
    return consultation


def _next_position(consultation_id: int) -> int:
    """Position of a topic added at the end of a consultation's list."""
    return (
        db.session.scalar(
            select(func.max(ConsultationTopic.position)).where(
                ConsultationTopic.consultation_id == consultation_id
            )
        )
        or 0
    ) + 1


def save_topic(consultation: Consultation, form, topic: ConsultationTopic | None = None) -> ConsultationTopic:
    """Create or update a topic, including the events that will answer it."""
    creating = topic is None
    if creating:
        topic = ConsultationTopic(consultation_id=consultation.id, position=_next_position(consultation.id))
        db.session.add(topic)
    topic.title = form.title.data
    topic.description = form.description.data or ""
    topic.title_en = form.title_en.data or ""
    topic.description_en = form.description_en.data or ""
    topic.office_code = form.office_code.data or ""
    topic.plan_line = form.plan_line.data or ""
    wanted = set(form.events.data or [])
    topic.events = [e for e in topic.events if e.event_id in wanted]
    have = {e.event_id for e in topic.events}
    topic.events.extend(ConsultationTopicEvent(event_id=eid) for eid in sorted(wanted - have))
    db.session.flush()
    audit.record(
        "consultation_topic_saved",
        target=f"consultation:{consultation.id}",
        details={"topic": topic.id, "title": topic.title, "events": sorted(wanted)},
        commit=False,
    )
    db.session.commit()
    return topic


def set_topic_active(topic: ConsultationTopic, active: bool) -> None:
    """Withdraw a topic from the form (its votes stay in the results) or bring it back."""
    topic.active = active
    audit.record(
        "consultation_topic_saved",
        target=f"consultation:{topic.consultation_id}",
        details={"topic": topic.id, "active": active},
        commit=False,
    )
    db.session.commit()


def publish_results(consultation: Consultation, publish: bool) -> None:
    consultation.results_published_at = time.now() if publish else None
    audit.record(
        "consultation_results_published" if publish else "consultation_results_withdrawn",
        target=f"consultation:{consultation.id}",
        commit=False,
    )
    db.session.commit()


def moderate(
    proposal: ConsultationProposal,
    decision: str,
    *,
    merge_into: int | None = None,
    title: str = "",
    reason: str = "",
    actor=None,
) -> ConsultationProposal:
    """Approve (the proposal becomes a public topic), merge it into an existing topic, or reject
    it with a reason. Only pending proposals can be moderated."""
    if proposal.status != PENDING:
        raise ConsultationError(_("Esta propuesta ya fue moderada."))
    if decision == "approve":
        topic = ConsultationTopic(
            consultation_id=proposal.consultation_id,
            title=title or proposal.title,
            description=proposal.description[:600],
            origin="citizen",
            position=_next_position(proposal.consultation_id),
        )
        db.session.add(topic)
        db.session.flush()
        proposal.status, proposal.topic_id = APPROVED, topic.id
    elif decision == "merge":
        target = db.session.get(ConsultationTopic, merge_into) if merge_into else None
        if target is None or target.consultation_id != proposal.consultation_id:
            raise ConsultationError(_("Elige un tema de esta misma consulta."))
        proposal.status, proposal.topic_id = MERGED, target.id
    elif decision == "reject":
        if not reason:
            raise ConsultationError(_("Escribe el motivo del rechazo."))
        proposal.status, proposal.reason = REJECTED, reason
    else:
        raise ConsultationError(_("Elige una decisión."))
    proposal.decided_at = time.now()
    proposal.decided_by = getattr(actor, "id", None)
    audit.record(
        "consultation_proposal_moderated",
        target=f"consultation:{proposal.consultation_id}",
        details={"proposal": proposal.id, "decision": decision, "topic": proposal.topic_id},
        commit=False,
    )
    db.session.commit()
    return proposal


# ---------------------------------------------------------------------------- responses


def answered_ids(cookie_value: str | None) -> set[int]:
    """Consultations this browser already answered, from the signed cookie (tampering = none)."""
    if not cookie_value:
        return set()
    try:
        data = _serializer().loads(cookie_value)
    except BadSignature:
        return set()
    return {int(i) for i in data if isinstance(i, int)} if isinstance(data, list) else set()


def answered_cookie(ids: set[int]) -> str:
    return _serializer().dumps(sorted(ids)[-200:])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="participa-consultations-answered")


BALLOT_WITH_PROFILE = "consultations.response"


def write_buffered_ballots(conn, pairs: list[tuple[dict, dict]]) -> None:
    """Profile-buffer writer: the ballots of a document-checked consultation whose profiles were
    buffered, stored in the profiles' batch (random order, one transaction, random ids). Tallies
    are summed over the whole batch and upserted in key order."""
    from app.core.db import random_id

    tallies: dict[tuple, int] = {}
    for values, data in pairs:
        response_id = random_id()
        conn.execute(
            ConsultationResponse.__table__.insert(),
            {
                "id": response_id,
                "consultation_id": data["consultation_id"],
                "profile_id": values["id"],
                "on_date": date.fromisoformat(data["on_date"]),
                "rule": data.get("rule", RULE_DOCUMENT),
            },
        )
        if data["topics"]:
            conn.execute(
                ConsultationChoice.__table__.insert(),
                [
                    {"response_id": response_id, "topic_id": tid, "consultation_id": data["consultation_id"]}
                    for tid in data["topics"]
                ],
            )
        for key in tally.keys_for(values, data["topics"], data.get("rule", RULE_DOCUMENT)):
            tallies[(data["consultation_id"], *key)] = tallies.get((data["consultation_id"], *key), 0) + 1
    if tallies:
        rows = [
            {"consultation_id": cid, "dimension": d, "code": c, "topic_id": t, "n": n}
            for (cid, d, c, t), n in sorted(tallies.items())
        ]
        conn.execute(tally.upsert(conn.dialect.name), rows)


@dataclass(frozen=True)
class Submitted:
    consented: bool
    proposed: bool
    topics: int


def submit_response(
    consultation: Consultation, form, already: set[int], *, device: str = "", address: str = ""
) -> Submitted:
    """Count a validated response: the chosen topics, an optional proposal, the characterisation
    profile when the person consented, and (document rule) the keyed hash on the roll. The
    response records the rule it passed; `device` and `address` (the browser's signed device id
    and the request's address) are counted apart for burst flags (`bursts`), as keyed hashes.

    Raises ConsultationError when the consultation is not open, AlreadyAnswered for a second
    response. Without consent the vote still counts, with no profile and nothing personal kept.
    """
    if consultation.state() != "open":
        raise ConsultationError(_("Esta consulta no está abierta, así que no guardamos tu respuesta."))
    if consultation.id in already:
        raise AlreadyAnswered(
            _("Desde este navegador ya se respondió esta consulta. Solo se cuenta una respuesta.")
        )
    document_rule = consultation.rule == RULE_DOCUMENT
    try:
        if document_rule:
            digest = document_hash(
                f"consultation:{consultation.id}", form.doc_type.data, form.doc_number.data
            )
            db.session.add(ConsultationRoll(consultation_id=consultation.id, doc_hash=digest))
            db.session.flush()
        chosen = form.chosen_topics
        # The roll holds an identity (a keyed document hash): a profile must not share its
        # transaction. Then the ballot and its profile go to the profile buffer together (written in
        # a shuffled batch of at least k, see characterization.buffer); otherwise they are stored now.
        outcome = characterization.record(
            form.profile.form,
            characterization.Context("consultations", consultation.id),
            buffered=False,
            add_profile=not document_rule,
        )
        profile = outcome.profile  # None without consent
        if profile is not None and document_rule:
            characterization.buffer_after_commit(
                profile,
                attach={
                    "kind": BALLOT_WITH_PROFILE,
                    "data": {
                        "consultation_id": consultation.id,
                        "topics": list(chosen),
                        "on_date": time.today().isoformat(),
                        "rule": consultation.rule,
                    },
                },
            )
        else:
            if profile is not None:
                db.session.flush()
            response = ConsultationResponse(
                consultation_id=consultation.id,
                profile_id=profile.id if profile else None,
                on_date=time.today(),
                rule=consultation.rule,
            )
            db.session.add(response)
            db.session.flush()
            db.session.add_all(
                ConsultationChoice(response_id=response.id, topic_id=tid, consultation_id=consultation.id)
                for tid in chosen
            )
        proposed = bool(consultation.allow_proposals and form.proposal_title.data)
        if proposed:
            db.session.add(
                ConsultationProposal(
                    consultation_id=consultation.id,
                    title=form.proposal_title.data,
                    description=form.proposal_description.data or "",
                    on_date=time.today(),
                )
            )
        bursts.count(consultation.id, device=device, address=address)
        if profile is None or not document_rule:
            # last: hot rows stay locked for the shortest time
            tally.add(consultation.id, profile, chosen, consultation.rule)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyAnswered(
            _("Ya hay una respuesta con ese documento en esta consulta. Solo se cuenta una por persona.")
        ) from None
    return Submitted(consented=outcome.consented, proposed=proposed, topics=len(chosen))


# ---------------------------------------------------------------------------- traceability


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


def public_url(consultation: Consultation, **kwargs) -> str:
    return url_for("consultations.public_show", slug=consultation.slug, **kwargs)
