"""Reads for data-subject requests (plain rows, no changes)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db

from ..models import BallotQuestion
from .models import BallotDataRequest


def requests(limit: int = 200) -> list[BallotDataRequest]:
    """Data-subject requests, open ones first, then by deadline."""
    stmt = (
        select(BallotDataRequest)
        .join(BallotQuestion, BallotQuestion.id == BallotDataRequest.question_id)
        .order_by(BallotQuestion.status.in_(("answered", "closed")), BallotQuestion.due_on, BallotQuestion.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def request(question_id: int) -> BallotDataRequest | None:
    return db.session.get(BallotDataRequest, question_id)
