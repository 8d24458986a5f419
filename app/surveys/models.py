"""Surveys: the questionnaire (survey → sections → questions), rights to answer, and answers.

HOW ATTACHED ANSWERS STAY UNLINKABLE TO THE ATTENDEE
----------------------------------------------------
When an attendee signs an event's attendance list, events calls our `after_sign_in` hook. We give
back a link with a one-time token: a random nonce signed (HMAC) for the survey, and we store
nothing then, so no row is written with the attendance row (same transaction, neighbouring
physical position). Answering adds the token's *hash* to the register of used tokens
(`SurveyToken`: hash, survey, `used_on` date; its primary key refuses a second use), and the
response is written with **no key to the token**: `SurveyResponse` has a random id, a date (no
time) and the answers. So no join leads from an answer to a token, nor from a token to an
attendance row.

STORAGE LAYOUT (250,000 responses × 12 questions must aggregate in under a second)
----------------------------------------------------------------------------------
One `SurveyAnswer` row per response × question (× chosen option for multiple choice), with the
closed answer as a small integer in `value` and free text in `text`. Results are `GROUP BY
question_id, value` counts over the index `(question_id, value)`; exports walk responses in id
order with a server-side cursor.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import time
from app.core.bursts import BurstRow
from app.core.db import random_id
from app.extensions import db

# Question kinds, in the order the builder offers them.
RATING, SINGLE, MULTIPLE, YESNO, NPS, SHORT, LONG = (
    "rating",
    "single",
    "multiple",
    "yesno",
    "nps",
    "short",
    "long",
)
KINDS = (RATING, SINGLE, MULTIPLE, YESNO, NPS, SHORT, LONG)
CLOSED_KINDS = (RATING, SINGLE, MULTIPLE, YESNO, NPS)
TEXT_KINDS = (SHORT, LONG)

# Where a response came from.
CHANNEL_TOKEN = "token"  # an attendee's one-time right to answer
CHANNEL_LINK = "link"  # the open link (standalone survey, or attached survey accepting open answers)


def random_bigint() -> int:
    """A random positive 62-bit id: compact to index, says nothing about write order."""
    return secrets.randbits(62) or 1


class Survey(db.Model):
    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    title_en: Mapped[str] = mapped_column(
        String(200), default=""
    )  # English version (optional): app.core.ui.localized
    intro_en: Mapped[str] = mapped_column(Text, default="")
    office_code: Mapped[str | None] = mapped_column(String(20))
    event_id: Mapped[int | None] = mapped_column(Integer, index=True)  # events' id, via hooks only
    # Attached surveys: accept answers without a one-time token too (people who signed on paper,
    # followed online…); those responses are counted apart as channel "link".
    open_link: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    results_public: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)  # naive UTC
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    profile_variables: Mapped[list] = mapped_column(JSON, default=list)  # characterisation asked
    template_key: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=time.now, onupdate=time.now)

    sections: Mapped[list[SurveySection]] = relationship(
        back_populates="survey", order_by="SurveySection.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.id", cascade="all, delete-orphan"
    )

    def ordered_questions(self) -> list[SurveyQuestion]:
        """Questions in the order a citizen sees them (section order, then question order)."""
        return [q for s in self.sections for q in sorted(s.questions, key=lambda q: (q.position, q.id))]

    def state(self, at: datetime | None = None) -> str:
        """'draft', 'scheduled' (not open yet), 'open' or 'closed'."""
        at = at or time.now()
        if not self.published:
            return "draft"
        if self.opens_at and at < self.opens_at:
            return "scheduled"
        if self.closes_at and at >= self.closes_at:
            return "closed"
        return "open"

    @property
    def accepts_open_answers(self) -> bool:
        """Standalone surveys always do; attached ones only when editors allowed it."""
        return self.event_id is None or self.open_link


class SurveySection(db.Model):
    __tablename__ = "survey_section"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    title_en: Mapped[str] = mapped_column(
        String(200), default=""
    )  # English version (optional): app.core.ui.localized
    description_en: Mapped[str] = mapped_column(Text, default="")

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="section", order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )


class SurveyQuestion(db.Model):
    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("survey_section.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(300))
    help: Mapped[str] = mapped_column(String(300), default="")
    text_en: Mapped[str] = mapped_column(
        String(300), default=""
    )  # English version (optional): app.core.ui.localized
    help_en: Mapped[str] = mapped_column(String(300), default="")
    options_en: Mapped[list | None] = mapped_column(JSON, default=list)  # one label per option, or none
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Choice labels (single/multiple: option i has value i+1; rating: the 5 labels of 1..5;
    # nps: [label of 0, label of 10]).
    options: Mapped[list] = mapped_column(JSON, default=list)
    max_choices: Mapped[int | None] = mapped_column(SmallInteger)
    # Display condition: show when question `condition_question_id` was answered `condition_value`.
    condition_question_id: Mapped[int | None] = mapped_column(Integer)
    condition_value: Mapped[int | None] = mapped_column(Integer)
    key: Mapped[str | None] = mapped_column(String(40))  # template question key (for comparisons)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    section: Mapped[SurveySection] = relationship(back_populates="questions")

    @property
    def field_name(self) -> str:
        return f"q{self.id}"


class SurveyToken(db.Model):
    """A used one-time right to answer: the token's hash and the survey, nothing about the person."""

    __tablename__ = "survey_token"
    __table_args__ = ({"sqlite_with_rowid": False},)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    used_on: Mapped[date | None] = mapped_column(Date)  # a date only: no time to match answers by


class SurveyResponse(db.Model):
    """One submitted questionnaire. No identity, no token, no time: a random id and a date."""

    __tablename__ = "survey_response"
    __table_args__ = (Index("ix_survey_response_survey", "survey_id", "id"), {"sqlite_with_rowid": False})

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=random_bigint, autoincrement=False)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    on_date: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10), default=CHANNEL_LINK)
    profile_id: Mapped[str | None] = mapped_column(ForeignKey("profile.id", ondelete="SET NULL"), index=True)


class SurveyAnswer(db.Model):
    """One answer: closed answers in `value` (multiple choice: one row per option), text in `text`."""

    __tablename__ = "survey_answer"
    __table_args__ = (
        Index("ix_survey_answer_question_value", "question_id", "value"),
        {"sqlite_with_rowid": False},
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_question.id", ondelete="CASCADE"), primary_key=True
    )
    choice: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=0, autoincrement=False)
    value: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(Text)


class SurveySource(db.Model):
    """How many open-link answers one source (a device, an address) sent to a survey within one
    window: a truncated keyed hash of the source (`app.core.bursts`), never the address or device
    id itself, and no link to any response. Rows older than an hour are deleted."""

    __tablename__ = "survey_source"
    __table_args__ = ({"sqlite_with_rowid": False},)

    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime, primary_key=True)  # naive UTC
    n: Mapped[int] = mapped_column(Integer, default=0)
    burst_id: Mapped[str | None] = mapped_column(String(24))


class SurveyBurst(BurstRow, db.Model):
    """A burst flagged to staff: many open-link answers from one device or one address within
    minutes. Holds the kind, the window and the count only (no hash, no link to responses)."""

    __tablename__ = "survey_burst"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # device | address
    window_start: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    window_minutes: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer, default=0)
