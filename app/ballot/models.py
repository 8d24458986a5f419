"""Urna virtual: questions with radicado, the yearly counter, answers, activity and the notice outbox.

A `BallotQuestion` with a name or contact is an identity record: it may point to the consent
proof (`consent_id`) but never to a characterisation `Profile` (see app/characterization/models.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import time
from app.extensions import db

STATUSES = ("received", "assigned", "in_progress", "answered", "closed")
OPEN_STATUSES = ("received", "assigned", "in_progress")


class BallotCounter(db.Model):
    """One row per year; `value` is the last radicado number given that year.

    Incremented with `UPDATE … RETURNING` in the same transaction as the question insert, so a
    rolled-back deposit gives its number back (no gaps) and concurrent deposits queue on the row.
    """

    __tablename__ = "ballot_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer, default=0)


class BallotQuestion(db.Model):
    __tablename__ = "ballot_question"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        Index("ix_ballot_question_status_due", "status", "due_on"),
        Index("ix_ballot_question_office_status", "office_code", "status"),
        Index("ix_ballot_question_public", "public", "published_public_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    radicado: Mapped[str] = mapped_column(String(20), unique=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=time.now, index=True)  # naive UTC
    filed_on: Mapped[date] = mapped_column(Date)  # date of receipt in Bogotá: terms run from the next day
    code_hash: Mapped[str] = mapped_column(String(64))  # keyed hash of the private lookup code
    # Keyed hash of the deposit form's nonce: the same form posted twice files one radicado.
    nonce_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    lang: Mapped[str] = mapped_column(String(5), default="es")  # language of the citizen's notices

    kind: Mapped[str] = mapped_column(String(20), index=True)
    term_code: Mapped[str] = mapped_column(String(40))  # catalog "petition_term"
    term_days: Mapped[int] = mapped_column(Integer)  # business days, as at filing (or reclassification)
    initial_due_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)  # current deadline (extended or not)
    extended_at: Mapped[datetime | None] = mapped_column(DateTime)
    extension_reason: Mapped[str | None] = mapped_column(Text)

    office_code: Mapped[str | None] = mapped_column(String(40))
    territory: Mapped[str | None] = mapped_column(String(40), index=True)
    topic_id: Mapped[int | None] = mapped_column(Integer)
    event_id: Mapped[int | None] = mapped_column(Integer, index=True)
    text: Mapped[str] = mapped_column(Text)

    # Identity (only when the citizen chose to give it): no key to any Profile.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[str | None] = mapped_column(String(160))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(30))
    consent_id: Mapped[str | None] = mapped_column(ForeignKey("consent_record.id", ondelete="SET NULL"))

    status: Mapped[str] = mapped_column(String(20), default="received")
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_on_time: Mapped[bool | None] = mapped_column(Boolean)
    business_days_to_answer: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    # Public archive: a version edited to remove personal data.
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    public_title: Mapped[str | None] = mapped_column(String(200))
    public_question: Mapped[str | None] = mapped_column(Text)
    public_answer: Mapped[str | None] = mapped_column(Text)
    published_public_at: Mapped[datetime | None] = mapped_column(DateTime)

    answer: Mapped[BallotAnswer | None] = relationship(
        back_populates="question", uselist=False, cascade="all, delete-orphan"
    )
    activity: Mapped[list[BallotActivity]] = relationship(
        cascade="all, delete-orphan", order_by="BallotActivity.at"
    )


class BallotAnswer(db.Model):
    """The official answer: draft → approved → published (sent to the citizen)."""

    __tablename__ = "ballot_answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("ballot_question.id", ondelete="CASCADE"), unique=True
    )
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="draft")  # draft, approved, published
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    drafted_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    question: Mapped[BallotQuestion] = relationship(back_populates="answer")


class BallotActivity(db.Model):
    """What happened to a question: internal notes and every staff action (staff only)."""

    __tablename__ = "ballot_activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("ballot_question.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    kind: Mapped[str] = mapped_column(String(30))  # note, assigned, classified, drafted, approved, …
    actor: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text, default="")


class BallotNotice(db.Model):
    """Outbox of notices to citizens. Kept until delivered; retried with back-off.

    `secret` holds the lookup code only until the receipt e-mail is delivered, then it is erased.
    """

    __tablename__ = "ballot_notice"
    __table_args__ = (Index("ix_ballot_notice_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("ballot_question.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # received, extended, answered
    to_address: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    channel: Mapped[str | None] = mapped_column(String(10))  # smtp or log
