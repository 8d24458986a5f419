"""Changes of priority-topic consultations: plain functions on typed data (built from validated
forms by `forms.py`), one transaction each, raising `ConsultationError` (a translated message for
the person) on refusal. Every staff change is audited."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.characterization import commands as characterization
from app.characterization.rules import Answers
from app.consultations import bursts, tally
from app.consultations.models import (
    APPROVED,
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
from app.consultations.queries import PublicConsultation, response_count
from app.core import audit, time
from app.core.hashing import document_hash
from app.extensions import db


class ConsultationError(ValueError):
    """A change or a response that cannot be made; the message is shown to the person."""


class AlreadyAnswered(ConsultationError):
    """A second response from the same person (document) or browser (cookie)."""


class SlugTaken(ConsultationError):
    """Another consultation already uses that short address."""


# ---------------------------------------------------------------------------- staff changes


@dataclass(frozen=True)
class ConsultationData:
    """What an editor sets on a consultation (dates in Bogotá time, as typed)."""

    title: str
    introduction: str
    office_code: str
    opens_at: datetime  # Bogotá local time, naive
    closes_at: datetime  # Bogotá local time, naive
    max_choices: int
    allow_proposals: bool
    group_by: str
    rule: str
    is_public: bool
    variables: tuple[str, ...] = ()
    slug: str = ""  # empty: made from the title when creating, unchanged when editing
    title_en: str = ""
    introduction_en: str = ""


@dataclass(frozen=True)
class TopicData:
    """What an editor sets on a topic, with the events that will answer it."""

    title: str
    description: str = ""
    title_en: str = ""
    description_en: str = ""
    office_code: str = ""
    plan_line: str = ""
    events: tuple[int, ...] = ()


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


def save_consultation(data: ConsultationData, consultation: Consultation | None = None) -> Consultation:
    """Create or update a consultation.

    The one-response rule cannot change once there are responses (the roll would not match)."""
    creating = consultation is None
    own_id = None if creating else consultation.id
    if data.slug and db.session.scalar(
        select(Consultation.id).where(Consultation.slug == data.slug, Consultation.id != (own_id or 0))
    ):
        raise SlugTaken(_("Ya hay otra consulta con esa dirección corta."))
    if not creating and consultation.rule != data.rule and response_count(consultation.id):
        raise ConsultationError(
            _("La consulta ya tiene respuestas: no se puede cambiar la regla de una respuesta por persona.")
        )
    slug = data.slug or (_unique_slug(slugify(data.title), None) if creating else None)
    if creating:
        consultation = Consultation()
        db.session.add(consultation)
    if slug:
        consultation.slug = slug
    consultation.title = data.title
    consultation.introduction = data.introduction
    consultation.title_en = data.title_en
    consultation.introduction_en = data.introduction_en
    consultation.office_code = data.office_code
    consultation.opens_at = time.from_local(data.opens_at)
    consultation.closes_at = time.from_local(data.closes_at)
    consultation.max_choices = data.max_choices
    consultation.allow_proposals = data.allow_proposals
    consultation.group_by = data.group_by
    consultation.variables = list(data.variables)
    consultation.is_public = data.is_public
    consultation.rule = data.rule
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


def save_topic(
    consultation: Consultation, data: TopicData, topic: ConsultationTopic | None = None
) -> ConsultationTopic:
    """Create or update a topic, including the events that will answer it."""
    creating = topic is None
    if creating:
        topic = ConsultationTopic(consultation_id=consultation.id, position=_next_position(consultation.id))
        db.session.add(topic)
    topic.title = data.title
    topic.description = data.description
    topic.title_en = data.title_en
    topic.description_en = data.description_en
    topic.office_code = data.office_code
    topic.plan_line = data.plan_line
    wanted = set(data.events)
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
class ResponseData:
    """A validated response: the chosen topic ids (checked against the consultation's list by the
    form), an optional proposal, the document (document rule only) and the characterisation
    section, which only `app.characterization` reads (consent, minors, answers)."""

    topics: tuple[int, ...]
    profile: Answers | None  # the characterisation answers and consent (forms.answers_of), or None
    proposal_title: str = ""
    proposal_description: str = ""
    doc_type: str = ""
    doc_number: str = ""


@dataclass(frozen=True)
class Submitted:
    consented: bool
    proposed: bool
    topics: int


def submit_response(
    consultation: PublicConsultation,
    response: ResponseData,
    already: set[int],
    *,
    device: str = "",
    address: str = "",
) -> Submitted:
    """Count a response: the chosen topics, an optional proposal, the characterisation profile
    when the person consented, and (document rule) the keyed hash on the roll. The response
    records the rule it passed; `device` and `address` (the browser's signed device id and the
    request's address) are counted apart for burst flags (`bursts`), as keyed hashes.

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
    chosen = list(response.topics)
    try:
        if document_rule:
            digest = document_hash(f"consultation:{consultation.id}", response.doc_type, response.doc_number)
            db.session.add(ConsultationRoll(consultation_id=consultation.id, doc_hash=digest))
            db.session.flush()
        # The roll holds an identity (a keyed document hash): a profile must not share its
        # transaction. Then the ballot and its profile go to the profile buffer together (written in
        # a shuffled batch of at least k, see characterization.buffer); otherwise they are stored now.
        outcome = characterization.record(
            response.profile,
            characterization.Context("consultations", consultation.id),
            buffered=False,
            add_profile=not document_rule,
        )
        profile = outcome.profile  # None without consent
        _store_ballot(consultation, chosen, profile, buffer=profile is not None and document_rule)
        proposed = bool(consultation.allow_proposals and response.proposal_title)
        if proposed:
            db.session.add(
                ConsultationProposal(
                    consultation_id=consultation.id,
                    title=response.proposal_title,
                    description=response.proposal_description,
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


def _store_ballot(consultation: PublicConsultation, chosen: list[int], profile, *, buffer: bool) -> None:
    """The ballot (response and chosen topics), in this transaction; or, with `buffer`, handed to
    the profile buffer with its profile (written after the commit, in a shuffled batch)."""
    if buffer:
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
        return
    if profile is not None:
        db.session.flush()
    ballot = ConsultationResponse(
        consultation_id=consultation.id,
        profile_id=profile.id if profile else None,
        on_date=time.today(),
        rule=consultation.rule,
    )
    db.session.add(ballot)
    db.session.flush()
    db.session.add_all(
        ConsultationChoice(response_id=ballot.id, topic_id=tid, consultation_id=consultation.id)
        for tid in chosen
    )
