"""Survey results, aggregated in SQL (one GROUP BY over the answers' (question, value) index).

Indicators
- Satisfaction: share of 1–5 ratings that are 4 or 5, over all rating questions.
- Average rating: mean of every 1–5 rating.
- Recommendation score (NPS): % promoters (9–10) minus % detractors (0–6) of the 0–10 question(s).

Protection (the shared disclosure layer, app.characterization.disclosure)
- Unfiltered results for staff show exact counts: an anonymous survey's answers without a
  breakdown by group point at nobody (the anonymised export holds the same rows).
- Results filtered by a characterisation group, and every public results page, are protected
  for everyone but stewards: a small fixed noise per cell and the marker under k; a group whose
  protected size is under k is not shown at all. Filtered cells are keyed by their records'
  keys (SUM(profile.record_key)); unfiltered public cells, which may hold responses without a
  profile, by their identity (survey, question, value) and count. Averages and indicators of a
  protected view are computed from the protected counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.characterization import disclosure
from app.characterization.models import Profile
from app.extensions import db
from app.surveys import rules
from app.surveys.models import (
    CLOSED_KINDS,
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
FILTERABLE = (
    "life_course",
    "sex",
    "gender_identity",
    "sexual_orientation",
    "ethnicity",
    "victim",
    "migrant",
    "campesino",
    "value_group",
    "zone",
    "territory",
)
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
    stmt = (
        stmt.join(SurveyResponse, SurveyResponse.id == response_col)
        if response_col is not SurveyResponse.id
        else stmt
    )
    stmt = stmt.join(Profile, Profile.id == SurveyResponse.profile_id)
    for name, value in filters.items():
        stmt = stmt.where(getattr(Profile, name) == value)
    return stmt


def clean_filters(survey: Survey, raw: dict) -> dict[str, str]:
    allowed = filterable_variables(survey)
    return {k: str(v) for k, v in raw.items() if k in allowed and v and CODE.fullmatch(str(v))}


@dataclass(frozen=True)
class _Cells:
    """How a count is shown to `viewer`: exact, or protected by its records' keys (a filtered
    group) or by its identity (survey, filters, cell)."""

    viewer: disclosure.Viewer
    keyed: bool
    identity: tuple

    def protect(self, n: int, key: int | None, *cell) -> int | None:
        if self.viewer.exact:
            return n
        if self.keyed:
            return disclosure.protect(n, key or 0, self.viewer)
        return disclosure.protect_hashed(n, self.viewer, *self.identity, *cell)


def compute(
    survey: Survey, filters: dict[str, str] | None = None, *, viewer: disclosure.Viewer | None = None
) -> Results:
    """Results of a survey, optionally for one characterisation group, protected for `viewer`
    (None: exact). Callers choose: None for staff without filters, `viewer_for(user)` for staff
    with filters, `disclosure.public()` on public pages."""
    filters = filters or {}
    viewer = viewer or disclosure.Viewer(exact=True, k=disclosure.default_k())
    keyed = bool(filters) and not viewer.exact
    cells = _Cells(viewer, keyed, ("survey", survey.id, tuple(sorted(filters.items()))))
    extra = [func.coalesce(func.sum(Profile.record_key), 0)] if keyed else []

    questions = survey.ordered_questions()
    base = select(SurveyResponse.channel, func.count(), *extra).where(SurveyResponse.survey_id == survey.id)
    base = _filtered(base, filters, SurveyResponse.id).group_by(SurveyResponse.channel)
    channel_rows = db.session.execute(base).all()
    by_channel = {row[0]: row[1] for row in channel_rows}
    total = sum(by_channel.values())
    shown_total = cells.protect(total, sum(row[2] for row in channel_rows) if keyed else None, "responses")
    hidden_group = bool(not viewer.exact and total and shown_total is None)

    counts: dict[int, dict[int, tuple[int, int]]] = {q.id: {} for q in questions}
    answered: dict[int, tuple[int, int]] = {}
    if questions and total and not hidden_group:
        _count_answers(questions, filters, extra, keyed, counts, answered)

    results = []
    all_ratings: dict[int, int] = {}
    nps_counts: dict[int, int] = {}
    for q in questions:
        r, basis = _question_result(q, counts[q.id], answered, hidden_group, cells)
        results.append(r)
        if q.kind == RATING:
            for value, n in basis.items():
                all_ratings[value] = all_ratings.get(value, 0) + n
        elif q.kind == NPS:
            for value, n in basis.items():
                nps_counts[value] = nps_counts.get(value, 0) + n
    average, satisfaction = _rating(all_ratings)
    if not viewer.exact and filters:
        # Channels crossed with a group are a breakdown too: only exact views show them. Without a
        # group filter the page shows them protected, to say which one-answer rule answers passed.
        by_channel = {}
    return Results(
        survey=survey,
        responses=None if hidden_group else shown_total,
        responses_display=disclosure.display(None if hidden_group else shown_total),
        by_channel=by_channel,
        questions=results,
        satisfaction=satisfaction,
        average=average,
        nps=_nps(nps_counts),
        hidden_group=hidden_group,
        k=None if viewer.exact else viewer.k,
        filters=filters,
    )


def _count_answers(
    questions: list[SurveyQuestion],
    filters: dict[str, str],
    extra: list,
    keyed: bool,
    counts: dict[int, dict[int, tuple[int, int]]],
    answered: dict[int, tuple[int, int]],
) -> None:
    """Fill `counts` ({question: {value: (count, key sum)}}) and `answered` ({question: (people who
    answered, key sum)} for text and multiple-choice questions): one GROUP BY over the answers, and
    one more for multiple choice (a person who ticked three options answered once)."""
    ids = [q.id for q in questions]
    stmt = select(SurveyAnswer.question_id, SurveyAnswer.value, func.count(), *extra).where(
        SurveyAnswer.question_id.in_(ids)
    )
    stmt = _filtered(stmt, filters, SurveyAnswer.response_id).group_by(
        SurveyAnswer.question_id, SurveyAnswer.value
    )
    for row in db.session.execute(stmt):
        qid, value, n, key = row[0], row[1], row[2], (row[3] if keyed else 0)
        if value is None:
            old = answered.get(qid, (0, 0))
            answered[qid] = (old[0] + n, old[1] + key)  # text answers
        else:
            counts[qid][value] = (n, key)
    multi = [q.id for q in questions if q.kind == MULTIPLE]
    if not multi:
        return
    per_response = (
        select(SurveyAnswer.question_id, SurveyAnswer.response_id)
        .where(SurveyAnswer.question_id.in_(multi))
        .distinct()
    )
    sub = _filtered(per_response, filters, SurveyAnswer.response_id).subquery()
    stmt = select(sub.c.question_id, func.count()).group_by(sub.c.question_id)
    if keyed:
        key_sum = func.coalesce(func.sum(Profile.record_key), 0)
        stmt = (
            select(sub.c.question_id, func.count(), key_sum)
            .select_from(sub)
            .join(SurveyResponse, SurveyResponse.id == sub.c.response_id)
            .join(Profile, Profile.id == SurveyResponse.profile_id)
            .group_by(sub.c.question_id)
        )
    answered.update({row[0]: (row[1], row[2] if keyed else 0) for row in db.session.execute(stmt)})


def _question_result(
    q: SurveyQuestion,
    counts: dict[int, tuple[int, int]],
    answered: dict[int, tuple[int, int]],
    hidden_group: bool,
    cells: _Cells,
) -> tuple[QuestionResult, dict[int, int]]:
    """One question's rows and indicators, and the counts shown per value (the basis of the
    survey's indicators: computed from what is shown)."""
    r = QuestionResult(question=q)
    if q.kind in TEXT_KINDS:
        n, key = answered.get(q.id, (0, 0)) if not hidden_group else (0, 0)
        r.answered = cells.protect(n, key, q.id, "answered")
        r.texts = n if cells.viewer.exact else (r.answered or 0)
        r.answered_display = disclosure.display(r.answered)
        return r, {}
    raw = {value: counts.get(value, (0, 0)) for value, _label in rules.choice_labels(q)}
    shown = {value: cells.protect(n, key, q.id, value) for value, (n, key) in raw.items()}
    basis = {value: (v or 0) for value, v in shown.items()}  # indicators from what is shown
    r.rows = [
        {
            "label": label,
            "value": shown[value],
            "count": basis[value],
            "display": disclosure.display(shown[value]),
        }
        for value, label in rules.choice_labels(q)
    ]
    if q.kind == MULTIPLE:
        n, key = answered.get(q.id, (0, 0))
    else:
        n, key = sum(c[0] for c in raw.values()), sum(c[1] for c in raw.values())
    r.answered = cells.protect(n, key % disclosure.KEY_RANGE, q.id, "answered")
    r.answered_display = disclosure.display(r.answered)
    if q.kind == RATING:
        r.average, r.satisfaction = _rating(basis)
    elif q.kind == NPS:
        r.nps = _nps(basis)
        r.average = _mean(basis)
    return r, basis


def side_by_side(columns: list[tuple[Survey, Results]]) -> list[tuple[str, list[QuestionResult | None]]]:
    """Rows of a comparison: one per closed question (matched by its template key, or its text),
    in the order first met, with each survey's result for it (None where a survey lacks it)."""
    rows = []
    seen = []
    for s, _r in columns:
        for q in s.ordered_questions():
            key = q.key or q.text
            if q.kind in CLOSED_KINDS and key not in seen:
                seen.append(key)
    for key in seen:
        cells, label = [], key
        for _s, r in columns:
            match = next((qr for qr in r.questions if (qr.question.key or qr.question.text) == key), None)
            if match is not None:
                label = match.question.text if label == key else label
            cells.append(match)
        rows.append((label, cells))
    return rows


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


def text_answers(
    question: SurveyQuestion, page: int = 1, filters: dict[str, str] | None = None
) -> tuple[list[str], int]:
    """One page of free-text answers (random response order: says nothing about who wrote what
    when) and the total count."""
    filters = filters or {}
    stmt = select(SurveyAnswer.text).where(
        SurveyAnswer.question_id == question.id, SurveyAnswer.value.is_(None), SurveyAnswer.text.is_not(None)
    )
    stmt = _filtered(stmt, filters, SurveyAnswer.response_id)
    count_stmt = select(func.count()).select_from(stmt.subquery())
    total = db.session.scalar(count_stmt) or 0
    page = max(1, page)
    rows = db.session.scalars(
        stmt.order_by(SurveyAnswer.response_id).offset((page - 1) * TEXT_PAGE).limit(TEXT_PAGE)
    ).all()
    return list(rows), total
