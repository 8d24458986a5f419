"""Survey results, aggregated in SQL (one GROUP BY over the answers' (question, value) index).

Indicators
- Satisfaction: share of 1–5 ratings that are 4 or 5, over all rating questions.
- Average rating: mean of every 1–5 rating.
- Recommendation score (NPS): % promoters (9–10) minus % detractors (0–6) of the 0–10 question(s).

Suppression (app.characterization.suppression)
- Unfiltered results for staff show exact counts: an anonymous survey's answers without a
  breakdown by group point at nobody (the anonymised export holds the same rows).
- Results filtered by a characterisation group, and every public results page, suppress small
  counts (k) for everyone but stewards; a group under k people is not shown at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select

from app.characterization import suppression
from app.characterization.models import Profile
from app.extensions import db
from app.surveys import services
from app.surveys.models import (
    MULTIPLE,
    NPS,
    RATING,
    TEXT_KINDS,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

# Profile columns a results page may filter by (disability is a set, not a column: not offered).
FILTERABLE = ("life_course", "sex", "gender_identity", "sexual_orientation", "ethnicity", "victim", "migrant",
              "campesino", "value_group", "zone", "territory")
TEXT_PAGE = 20
CODE = re.compile(r"[A-Za-z0-9_.-]{1,40}")  # catalog codes; anything else is ignored


@dataclass
class QuestionResult:
    question: SurveyQuestion
    rows: list[dict] = field(default_factory=list)  # {label, value, display, count}
    answered: int | None = 0
    answered_display: str = ""
    average: float | None = None
    satisfaction: float | None = None
    nps: float | None = None
    texts: int = 0


@dataclass
class Results:
    survey: Survey
    responses: int | None
    responses_display: str
    by_channel: dict[str, int]
    questions: list[QuestionResult]
    satisfaction: float | None
    average: float | None
    nps: float | None
    hidden_group: bool  # the filtered group is under k: nothing shown
    k: int | None  # the threshold applied (None: exact counts)
    filters: dict[str, str]


def filterable_variables(survey: Survey) -> list[str]:
    asked = [v for v in FILTERABLE if v in (survey.profile_variables or [])]
    return [*asked, "zone", "territory"] if survey.profile_variables else []


def _filtered(stmt, filters: dict[str, str], response_col):
    if not filters:
        return stmt
    stmt = stmt.join(SurveyResponse, SurveyResponse.id == response_col) if response_col is not SurveyResponse.id else stmt
    stmt = stmt.join(Profile, Profile.id == SurveyResponse.profile_id)
    for name, value in filters.items():
        stmt = stmt.where(getattr(Profile, name) == value)
    return stmt


def clean_filters(survey: Survey, raw: dict) -> dict[str, str]:
    allowed = filterable_variables(survey)
    return {k: str(v) for k, v in raw.items() if k in allowed and v and CODE.fullmatch(str(v))}


def compute(survey: Survey, filters: dict[str, str] | None = None, *, k: int | None = None) -> Results:
    """Results of a survey, optionally for one characterisation group; `k` suppresses small
    counts (None: exact). Callers choose k: None for staff without filters, `k_for(user)` for
    staff with filters, the default k on public pages."""
    filters = filters or {}
    questions = survey.ordered_questions()
    base = select(SurveyResponse.channel, func.count()).where(SurveyResponse.survey_id == survey.id)
    base = _filtered(base, filters, SurveyResponse.id).group_by(SurveyResponse.channel)
    by_channel = {ch: n for ch, n in db.session.execute(base).all()}
    total = sum(by_channel.values())
    hidden_group = bool(k and 0 < total < k)

    ids = [q.id for q in questions]
    counts: dict[int, dict[int, int]] = {q.id: {} for q in questions}
    answered: dict[int, int] = {}
    if ids and total and not hidden_group:
        stmt = (select(SurveyAnswer.question_id, SurveyAnswer.value, func.count())
                .where(SurveyAnswer.question_id.in_(ids)))
        stmt = _filtered(stmt, filters, SurveyAnswer.response_id).group_by(SurveyAnswer.question_id, SurveyAnswer.value)
        for qid, value, n in db.session.execute(stmt):
            if value is None:
                answered[qid] = answered.get(qid, 0) + n  # text answers
            else:
                counts[qid][value] = n
        multi = [q.id for q in questions if q.kind == MULTIPLE]
        if multi:
            stmt = (select(SurveyAnswer.question_id, func.count(distinct(SurveyAnswer.response_id)))
                    .where(SurveyAnswer.question_id.in_(multi)))
            stmt = _filtered(stmt, filters, SurveyAnswer.response_id).group_by(SurveyAnswer.question_id)
            answered.update(dict(db.session.execute(stmt).all()))

    results = []
    all_ratings: dict[int, int] = {}
    nps_counts: dict[int, int] = {}
    for q in questions:
        r = QuestionResult(question=q)
        if q.kind in TEXT_KINDS:
            r.texts = answered.get(q.id, 0) if not hidden_group else 0
            r.answered = r.texts
            r.answered_display = suppression.display(r.answered, k) if r.answered is not None else ""
            results.append(r)
            continue
        raw = {value: counts[q.id].get(value, 0) for value, _label in services.choice_labels(q)}
        shown = suppression.suppress_counts(raw, k) if k else dict(raw)
        r.rows = [{"label": label, "value": shown[value], "count": raw[value],
                   "display": suppression.display(shown[value], k)} for value, label in services.choice_labels(q)]
        r.answered = answered.get(q.id) if q.kind == MULTIPLE else sum(raw.values())
        r.answered_display = suppression.display(r.answered, k) if r.answered is not None else ""
        if q.kind == RATING:
            r.average, r.satisfaction = _rating(raw)
            for value, n in raw.items():
                all_ratings[value] = all_ratings.get(value, 0) + n
        elif q.kind == NPS:
            r.nps = _nps(raw)
            r.average = _mean(raw)
            for value, n in raw.items():
                nps_counts[value] = nps_counts.get(value, 0) + n
        results.append(r)
    average, satisfaction = _rating(all_ratings)
    return Results(survey=survey, responses=None if hidden_group else total,
                   responses_display=suppression.display(None if hidden_group else total, k), by_channel=by_channel,
                   questions=results, satisfaction=satisfaction, average=average, nps=_nps(nps_counts),
                   hidden_group=hidden_group, k=k, filters=filters)


def _mean(counts: dict[int, int]) -> float | None:
    n = sum(counts.values())
    return (sum(v * c for v, c in counts.items()) / n) if n else None


def _rating(counts: dict[int, int]) -> tuple[float | None, float | None]:
    n = sum(counts.values())
    if not n:
        return None, None
    return _mean(counts), 100.0 * (counts.get(4, 0) + counts.get(5, 0)) / n


def _nps(counts: dict[int, int]) -> float | None:
    n = sum(counts.values())
    if not n:
        return None
    promoters = counts.get(9, 0) + counts.get(10, 0)
    detractors = sum(counts.get(v, 0) for v in range(0, 7))
    return 100.0 * (promoters - detractors) / n


def text_answers(question: SurveyQuestion, page: int = 1, filters: dict[str, str] | None = None) -> tuple[list[str], int]:
    """One page of free-text answers (random response order: says nothing about who wrote what
    when) and the total count."""
    filters = filters or {}
    stmt = select(SurveyAnswer.text).where(SurveyAnswer.question_id == question.id, SurveyAnswer.value.is_(None),
                                           SurveyAnswer.text.is_not(None))
    stmt = _filtered(stmt, filters, SurveyAnswer.response_id)
    count_stmt = select(func.count()).select_from(stmt.subquery())
    total = db.session.scalar(count_stmt) or 0
    page = max(1, page)
    rows = db.session.scalars(stmt.order_by(SurveyAnswer.response_id).offset((page - 1) * TEXT_PAGE).limit(TEXT_PAGE)).all()
    return list(rows), total
