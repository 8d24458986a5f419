"""A data-subject request is a `BallotQuestion` of kind `data_consultation` or `data_claim` (same
radicado, deadline, notices and answer workflow) plus this row: what the person asks for and a
keyed hash of their document, so the data steward can check the document they verify against
the one given at filing. The document number itself is never stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from ..models import BallotQuestion

PURPOSE = "data-request"  # purpose of the document hash on this table


class BallotDataRequest(db.Model):
    __tablename__ = "ballot_data_request"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("ballot_question.id", ondelete="CASCADE"), primary_key=True
    )
    rights: Mapped[list] = mapped_column(JSON, default=list)  # know, update, rectify, delete, revoke
    doc_type: Mapped[str | None] = mapped_column(String(10))
    doc_hash: Mapped[str | None] = mapped_column(
        String(64), index=True
    )  # erased with the contact (retention)
    looked_up_at: Mapped[datetime | None] = mapped_column(DateTime)
    acted_at: Mapped[datetime | None] = mapped_column(DateTime)
    erased: Mapped[dict] = mapped_column(JSON, default=dict)  # {source: rows} of the last action

    question: Mapped[BallotQuestion] = relationship()
