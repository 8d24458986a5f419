"""Every read of the urna virtual: the staff inbox (filters, flags, counts in SQL), the public
archive, response-time figures, a citizen's lookup by radicado and code, and the suggested public
version of an answered question. Nothing here writes."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, and_, case, cast, func, or_, select

from app.core import time
from app.core.hashing import keyed_hash
from app.core.text import single_line
from app.extensions import db

from . import redaction
from .models import OPEN_STATUSES, STATUSES, BallotQuestion
from .rules import KINDS, code_hash, due_date, normalise_code, normalise_radicado

PAGE_SIZE = 50
ARCHIVE_PAGE_SIZE = 20
DUE_SOON_DAYS = 3  # business days


@dataclass
class InboxFilters:
    status: str = ""
    office: str = ""
    territory: str = ""
    kind: str = ""
    flag: str = ""  # "overdue" or "due_soon"
    q: str = ""  # a radicado
    page: int = 1

    @classmethod
    def from_args(cls, args) -> InboxFilters:
        def pick(name, allowed=None, max_len=40):
            value = (args.get(name) or "").strip()[:max_len]
            return value if (allowed is None or value in allowed) else ""

        try:
            page = max(1, min(int(args.get("pagina", 1)), 100000))
        except (TypeError, ValueError):
            page = 1
        return cls(
            status=pick("estado", STATUSES),
            office=pick("dependencia"),
            territory=pick("territorio"),
            kind=pick("tipo", KINDS),
            flag=pick("alerta", ("overdue", "due_soon")),
            q=pick("q", max_len=30),
            page=page,
        )

    def as_args(self, **override) -> dict:
        values = {
            "estado": self.status,
            "dependencia": self.office,
            "territorio": self.territory,
            "tipo": self.kind,
            "alerta": self.flag,
            "q": self.q,
            "pagina": self.page,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v and not (k == "pagina" and v == 1)}


@dataclass
class InboxPage:
    rows: list[BallotQuestion]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


def due_soon_limit(today: date | None = None) -> date:
    return due_date(today or time.today(), DUE_SOON_DAYS)


def _open():
    return BallotQuestion.status.in_(OPEN_STATUSES)


def inbox(scope, filters: InboxFilters, today: date | None = None) -> InboxPage:
    """One page of the inbox within `scope` (a SQL condition), plus counts per status and flag."""
    today = today or time.today()
    soon = due_soon_limit(today)
    conditions = [scope]
    if filters.status:
        conditions.append(BallotQuestion.status == filters.status)
    if filters.office == "none":
        conditions.append(BallotQuestion.office_code.is_(None))
    elif filters.office:
        conditions.append(BallotQuestion.office_code == filters.office)
    if filters.territory:
        conditions.append(BallotQuestion.territory == filters.territory)
    if filters.kind:
        conditions.append(BallotQuestion.kind == filters.kind)
    if filters.flag == "overdue":
        conditions += [_open(), BallotQuestion.due_on < today]
    elif filters.flag == "due_soon":
        conditions += [_open(), BallotQuestion.due_on >= today, BallotQuestion.due_on <= soon]
    if filters.q:
        radicado = normalise_radicado(filters.q)
        conditions.append(BallotQuestion.radicado == radicado if radicado else BallotQuestion.id == -1)
    where = and_(*conditions)

    total = db.session.scalar(select(func.count()).select_from(BallotQuestion).where(where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    open_first = case((_open(), 0), else_=1)
    rows = list(
        db.session.scalars(
            select(BallotQuestion)
            .where(where)
            .order_by(open_first, BallotQuestion.due_on, BallotQuestion.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )

    counts = {status: 0 for status in STATUSES}
    for status, n in db.session.execute(
        select(BallotQuestion.status, func.count()).where(scope).group_by(BallotQuestion.status)
    ):
        counts[status] = n
    open_due = db.session.execute(
        select(
            func.sum(cast(BallotQuestion.due_on < today, Integer)),
            func.sum(cast(and_(BallotQuestion.due_on >= today, BallotQuestion.due_on <= soon), Integer)),
        ).where(scope, _open())
    ).one()
    counts["overdue"], counts["due_soon"] = int(open_due[0] or 0), int(open_due[1] or 0)
    return InboxPage(rows=rows, total=total, page=page, pages=pages, counts=counts)


# ---------------------------------------------------------------------------- public archive


def _like(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def archive(q: str = "", page: int = 1, limit: int = ARCHIVE_PAGE_SIZE) -> tuple[list[BallotQuestion], int]:
    """Questions published in the public archive (newest first), optionally matching `q`."""
    where = [BallotQuestion.public.is_(True)]
    q = (single_line(q or "") or "")[:100]  # no NUL or control characters reach the database
    if q:
        pattern = _like(q)
        where.append(
            or_(
                func.lower(BallotQuestion.public_title).like(pattern, escape="\\"),
                func.lower(BallotQuestion.public_question).like(pattern, escape="\\"),
                func.lower(BallotQuestion.public_answer).like(pattern, escape="\\"),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(BallotQuestion).where(*where)) or 0
    rows = list(
        db.session.scalars(
            select(BallotQuestion)
            .where(*where)
            .order_by(BallotQuestion.published_public_at.desc(), BallotQuestion.id.desc())
            .limit(limit)
            .offset((max(page, 1) - 1) * limit)
        )
    )
    return rows, total


def public_question(question_id: int) -> BallotQuestion | None:
    question = db.session.get(BallotQuestion, question_id)
    return question if question is not None and question.public else None


# ---------------------------------------------------------------------------- figures


def years() -> list[int]:
    return list(
        db.session.scalars(select(BallotQuestion.year).distinct().order_by(BallotQuestion.year.desc()))
    )


def figures(year: int, today: date | None = None) -> dict:
    """Response-time figures of one year, all computed in SQL (no personal data)."""
    today = today or time.today()
    answered = BallotQuestion.status.in_(("answered", "closed"))
    row = db.session.execute(
        select(
            func.count(),
            func.sum(cast(answered, Integer)),
            func.sum(cast(BallotQuestion.answered_on_time.is_(True), Integer)),
            func.sum(cast(and_(_open(), BallotQuestion.due_on < today), Integer)),
            func.sum(cast(_open(), Integer)),
            func.avg(BallotQuestion.business_days_to_answer),
            func.sum(cast(BallotQuestion.public.is_(True), Integer)),
            func.sum(cast(BallotQuestion.extended_at.is_not(None), Integer)),
        ).where(BallotQuestion.year == year)
    ).one()
    by_kind = dict(
        db.session.execute(
            select(BallotQuestion.kind, func.count())
            .where(BallotQuestion.year == year)
            .group_by(BallotQuestion.kind)
        ).all()
    )
    received, n_answered, on_time = row[0] or 0, int(row[1] or 0), int(row[2] or 0)
    return {
        "year": year,
        "received": received,
        "answered": n_answered,
        "on_time": on_time,
        "on_time_pct": round(100 * on_time / n_answered) if n_answered else None,
        "overdue_open": int(row[3] or 0),
        "open": int(row[4] or 0),
        "avg_days": round(float(row[5]), 1) if row[5] is not None else None,
        "published": int(row[6] or 0),
        "extended": int(row[7] or 0),
        "by_kind": {k: by_kind.get(k, 0) for k in KINDS},
    }


def event_questions(event_id: int) -> list[BallotQuestion]:
    return list(
        db.session.scalars(
            select(BallotQuestion)
            .where(BallotQuestion.event_id == event_id)
            .order_by(BallotQuestion.id)
            .limit(200)
        )
    )


def usage(kind: str, list_key: str | None, code: str) -> int:
    """Catalog usage checker: questions using an office, territory or legal-term code."""
    column = {"office": BallotQuestion.office_code, "territory": BallotQuestion.territory}.get(kind)
    if kind == "option" and list_key == "petition_term":
        column = BallotQuestion.term_code
    if column is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(BallotQuestion).where(column == code)) or 0


# ---------------------------------------------------------------------------- lookup and archive


def lookup(radicado: str, code: str) -> BallotQuestion | None:
    """The question for a radicado and its private code, or None.

    Unknown radicado and wrong code give the same None (and take the same work), so the answer
    reveals nothing about which radicados exist.
    """
    normalised = normalise_radicado(radicado)
    expected = code_hash(normalised or "UV-0000-000000", code)
    question = (
        db.session.scalar(select(BallotQuestion).where(BallotQuestion.radicado == normalised))
        if normalised
        else None
    )
    stored = question.code_hash if question is not None else keyed_hash("ballot-lookup", "none")
    if hmac.compare_digest(stored, expected) and question is not None and normalise_code(code):
        return question
    return None


def by_radicado(radicado: str) -> BallotQuestion | None:
    return db.session.scalar(select(BallotQuestion).where(BallotQuestion.radicado == radicado))


def suggested_public_version(question: BallotQuestion) -> dict:
    """Automatic first version for the archive: personal data removed from question and answer."""
    answer = question.answer.body if question.answer else ""
    return {
        "title": question.public_title or "",
        "question": redaction.redact(question.text, name=question.name),
        "answer": redaction.redact(answer, name=question.name),
    }
