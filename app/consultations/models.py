"""Priority-topic consultations: the consultation, its topics, citizens' proposals, the ballot
box (responses and their chosen topics) and, apart from it, the roll of document hashes.

WHY THE ROLL IS KEPT APART FROM THE BALLOT BOX
----------------------------------------------
When a consultation checks "one response per person" by document number, the keyed hash of the
document goes to `consultation_roll` (consultation id + hash, nothing else: no time, no sequence,
no key to the response). On SQLite the table has no rowid, so rows are stored in hash order, not
in the order they were written. A `ConsultationResponse` has a random id, a date (never a time)
and, when the person consented, the id of an unlinkable characterisation `Profile`. Nothing joins
a document to the topics a person chose or to their profile.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import time
from app.core.bursts import BurstRow
from app.core.db import random_id
from app.extensions import db

RULE_DOCUMENT = "document"
RULE_DEVICE = "device"
RULES = (RULE_DEVICE, RULE_DOCUMENT)
# The rule each response passed, kept with the response: "document" (its keyed hash went on the
# roll: one per person) or "device" (only this browser's signed marker: one per browser).
# Verified responses are those whose rule identifies a person.
VERIFIED_RULES = (RULE_DOCUMENT,)

GROUP_OFFICE = "office"
GROUP_LINE = "line"

PENDING, APPROVED, MERGED, REJECTED = "pending", "approved", "merged", "rejected"


def state_at(opens_at: datetime, closes_at: datetime, at: datetime | None = None) -> str:
    """ "upcoming", "open" or "closed" at `at` (default: now), for a consultation open from
    `opens_at` (included) to `closes_at` (excluded), all naive UTC."""
    at = at or time.now()
    if at < opens_at:
        return "upcoming"
    if at >= closes_at:
        return "closed"
    return "open"


class OpeningWindow:
    """State read from `opens_at`, `closes_at` and `results_published_at`: shared by the model and
    the cached `queries.PublicConsultation`, so both answer the same way."""

    def state(self, at: datetime | None = None) -> str:
        """ "upcoming", "open" or "closed" at `at` (default: now)."""
        return state_at(self.opens_at, self.closes_at, at)

    @property
    def is_open(self) -> bool:
        return self.state() == "open"

    @property
    def results_published(self) -> bool:
        return self.results_published_at is not None


class Consultation(OpeningWindow, db.Model):
    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    title_en: Mapped[str] = mapped_column(
        String(200), default=""
    )  # English version (optional): app.core.ui.localized
    introduction_en: Mapped[str] = mapped_column(Text, default="")
    office_code: Mapped[str] = mapped_column(String(20), default="", index=True)  # owner (editors by office)
    opens_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    closes_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    max_choices: Mapped[int] = mapped_column(Integer, default=3)
    allow_proposals: Mapped[bool] = mapped_column(Boolean, default=True)
    group_by: Mapped[str] = mapped_column(String(10), default=GROUP_OFFICE)  # office | line
    variables: Mapped[list] = mapped_column(JSON, default=list)  # characterisation variables asked
    rule: Mapped[str] = mapped_column(String(10), default=RULE_DEVICE)  # device | document
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)  # draft until an editor publishes it
    results_published_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=time.now, onupdate=time.now)

    topics: Mapped[list[ConsultationTopic]] = relationship(
        back_populates="consultation",
        order_by="ConsultationTopic.position, ConsultationTopic.id",
        cascade="all, delete-orphan",
    )

    # --- state (OpeningWindow) -----------------------------------------------------------
    @property
    def public_topics(self) -> list[ConsultationTopic]:
        return [t for t in self.topics if t.active]


class ConsultationTopic(db.Model):
    """A candidate topic. Proposals that an editor approves become topics (origin "citizen")."""

    __tablename__ = "consultation_topic"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(String(600), default="")
    title_en: Mapped[str] = mapped_column(
        String(160), default=""
    )  # English version (optional): app.core.ui.localized
    description_en: Mapped[str] = mapped_column(String(600), default="")
    office_code: Mapped[str] = mapped_column(String(20), default="")
    plan_line: Mapped[str] = mapped_column(String(160), default="")  # development-plan line
    position: Mapped[int] = mapped_column(Integer, default=0)
    origin: Mapped[str] = mapped_column(String(10), default="staff")  # staff | citizen
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # withdrawn topics keep their votes

    consultation: Mapped[Consultation] = relationship(back_populates="topics")
    events: Mapped[list[ConsultationTopicEvent]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def event_ids(self) -> list[int]:
        return sorted(e.event_id for e in self.events)


class ConsultationTopicEvent(db.Model):
    """A topic will be answered at an event (an id from the events capability)."""

    __tablename__ = "consultation_topic_event"

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_topic.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class ConsultationProposal(db.Model):
    """A topic proposed by a citizen, waiting for moderation. Holds no identity and no key to
    the response it came with."""

    __tablename__ = "consultation_proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(String(1000), default="")
    on_date: Mapped[date] = mapped_column(Date, default=time.today)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")  # why it was rejected
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_topic.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[int | None] = mapped_column(Integer)

    topic: Mapped[ConsultationTopic | None] = relationship()


class ConsultationResponse(db.Model):
    """One ballot: random id, a date, and optionally an unlinkable characterisation profile."""

    __tablename__ = "consultation_response"
    __table_args__ = (
        Index("ix_consultation_response_consultation_profile", "consultation_id", "profile_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=random_id)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    profile_id: Mapped[str | None] = mapped_column(ForeignKey("profile.id", ondelete="SET NULL"))
    on_date: Mapped[date] = mapped_column(Date, default=time.today)
    rule: Mapped[str] = mapped_column(String(10), default=RULE_DEVICE, server_default=RULE_DEVICE)


class ConsultationChoice(db.Model):
    """A topic chosen in a response (consultation id repeated so the ranking reads one index)."""

    __tablename__ = "consultation_choice"
    __table_args__ = (
        Index("ix_consultation_choice_consultation_topic", "consultation_id", "topic_id"),
        {"sqlite_with_rowid": False},
    )

    response_id: Mapped[str] = mapped_column(
        ForeignKey("consultation_response.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_topic.id", ondelete="CASCADE"), primary_key=True
    )
    consultation_id: Mapped[int] = mapped_column(Integer)


class ConsultationRoll(db.Model):
    """The voters' roll of a document-checked consultation: keyed hashes only, no link to any
    response, no time."""

    __tablename__ = "consultation_roll"
    __table_args__ = ({"sqlite_with_rowid": False},)

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    doc_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class ConsultationTally(db.Model):
    """Running counts kept with each response, so results over 100,000+ responses read a few
    hundred rows instead of joining every ballot to its profile.

    dimension "all": every response; "profiled": responses with a profile; otherwise a profile
    variable ("territory", "sex"…) and its code. topic_id 0 counts respondents, any other id the
    people who chose that topic. Unanswered variables are not stored: "Sin responder" is the
    "profiled" count minus the answered codes. Rebuilt from the ballots by `tally.retally`.
    """

    __tablename__ = "consultation_tally"
    __table_args__ = ({"sqlite_with_rowid": False},)

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    topic_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class ConsultationSource(db.Model):
    """How many responses one source (a device, an address) sent to a consultation within one
    window: a truncated keyed hash of the source, never the address or device id itself, and
    no link to any response. Rows older than `bursts.KEEP_SOURCES` are deleted: they exist only
    to notice a burst while it happens."""

    __tablename__ = "consultation_source"
    __table_args__ = ({"sqlite_with_rowid": False},)

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime, primary_key=True)  # naive UTC
    n: Mapped[int] = mapped_column(Integer, default=0)
    burst_id: Mapped[str | None] = mapped_column(String(24))


class ConsultationBurst(BurstRow, db.Model):
    """A burst flagged to staff: many responses from one device or one address within minutes.
    Holds the kind, the window and the count only (no hash, no link to responses)."""

    __tablename__ = "consultation_burst"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=random_id)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # device | address
    window_start: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    window_minutes: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer, default=0)
