"""Events and their attendance lists.

An `Event` is a participation event (audiencia pública, espacio de diálogo, escuchadero…) with
the fields of an event-planning format. An `Attendance` row is one signature on its official
attendance list: identity only (name, document, contact). It holds the consent proof
(`consent_id`) and **no key to a characterisation Profile** (see app/characterization/models.py):
the answers about who takes part are stored apart and cannot be joined back to a name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import time
from app.extensions import db

# Life cycle: draft → published → closed; published → cancelled.
DRAFT, PUBLISHED, CANCELLED, CLOSED = "draft", "published", "cancelled", "closed"
STATUSES = (DRAFT, PUBLISHED, CANCELLED, CLOSED)

WEB, CODE, PAPER = "web", "code", "paper"  # attendance channels (QR link, typed code, paper sheet)


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_status_starts", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)  # catalog "event_kind" code
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    title_en: Mapped[str] = mapped_column(
        String(200), default=""
    )  # English version (optional): app.core.ui.localized
    description_en: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)  # naive UTC
    ends_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    place: Mapped[str] = mapped_column(String(255), default="")  # address / venue
    territory: Mapped[str | None] = mapped_column(String(40), index=True)  # comuna/corregimiento code
    status: Mapped[str] = mapped_column(String(12), default=DRAFT)

    # Planning format
    objective: Mapped[str] = mapped_column(Text, default="")
    methodology: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[str] = mapped_column(Text, default="")
    expected_attendance: Mapped[int | None] = mapped_column(Integer)
    logistics: Mapped[str] = mapped_column(Text, default="")
    channels: Mapped[list] = mapped_column(JSON, default=list)  # convocation channel codes
    channels_other: Mapped[str] = mapped_column(String(255), default="")

    # Sign-in
    token: Mapped[str] = mapped_column(String(40), unique=True)  # fixed link /asistencia/<token>
    secret: Mapped[str] = mapped_column(String(64))  # key of the rotating projection tokens
    short_code: Mapped[str] = mapped_column(String(12), unique=True)  # typed fallback
    fixed_link_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_before_min: Mapped[int] = mapped_column(Integer, default=60)
    closes_after_min: Mapped[int] = mapped_column(Integer, default=60)

    # Closing
    attendance_total: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    commitments: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")

    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=time.now, onupdate=time.now)

    # Loaded on access: the sign-in (the hot path) never needs them.
    offices: Mapped[list[EventOffice]] = relationship(
        cascade="all, delete-orphan", order_by="EventOffice.office_code"
    )
    targets: Mapped[list[EventTarget]] = relationship(
        cascade="all, delete-orphan", order_by="EventTarget.value_group"
    )

    @property
    def office_codes(self) -> list[str]:
        return [o.office_code for o in self.offices]

    @property
    def target_codes(self) -> list[str]:
        return [t.value_group for t in self.targets]


class EventOffice(db.Model):
    """A responsible office (dependencia) of an event, by catalog code."""

    __tablename__ = "event_office"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class EventTarget(db.Model):
    """A target group (grupo de valor) of an event, by catalog code."""

    __tablename__ = "event_target"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    value_group: Mapped[str] = mapped_column(String(40), primary_key=True)


class Attendance(db.Model):
    """One signature on an event's official attendance list (identity only, no profile key).

    `doc_hash` is the keyed hash used to refuse a second signature with the same document;
    `doc_number` is kept only for the official list (stewards only). A paper row whose person
    did not tick the authorisation keeps no name, number or contact: it counts, and keeps only the
    keyed hash of the document (per event, not reversible without the key) so that the same person
    is never counted twice on the list.

    A row is never deleted: an editor may correct it or void it, with a reason kept in the audit
    log; a voided row stays on the official list marked as voided and no longer counts.
    """

    __tablename__ = "event_attendance"
    __table_args__ = (
        UniqueConstraint("event_id", "doc_hash", name="uq_event_attendance_doc"),
        UniqueConstraint("event_id", "nonce", name="uq_event_attendance_nonce"),
        Index("ix_event_attendance_event_signed", "event_id", "signed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(40))  # form nonce: one submission, one row
    name: Mapped[str] = mapped_column(String(160), default="")
    doc_type: Mapped[str] = mapped_column(String(10), default="")
    doc_number: Mapped[str] = mapped_column(String(30), default="")
    doc_hash: Mapped[str | None] = mapped_column(String(64))
    contact: Mapped[str] = mapped_column(String(120), default="")
    channel: Mapped[str] = mapped_column(String(10), default=WEB)
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    consent_id: Mapped[str | None] = mapped_column(ForeignKey("consent_record.id", ondelete="SET NULL"))
    entered_by: Mapped[int | None] = mapped_column(Integer)  # staff user who typed a paper row
    voided_at: Mapped[datetime | None] = mapped_column(DateTime)  # naive UTC; None: the row counts
    void_reason: Mapped[str] = mapped_column(String(300), default="")
    voided_by: Mapped[int | None] = mapped_column(Integer)
    # Identity erased at the end of its retention period or at the person's request (app/events/retention.py):
    # the row still counts. A flag with no date or reason (those are in the audit log, as counts).
    identity_erased: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    event: Mapped[Event] = relationship()
