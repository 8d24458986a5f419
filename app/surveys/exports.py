"""Survey exports: one row per response, one column per question, streamed in constant memory.

Rows come from one ordered query (responses LEFT JOIN answers, by response id) read through a
server-side cursor (`yield_per`) and folded into one row per response as they pass: no list of
all rows is ever built. Responses carry no identity and no characterisation columns (breakdowns
by group live on the results page, protected by the disclosure layer).
"""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import exports
from app.extensions import db
from app.surveys import rules
from app.surveys.models import MULTIPLE, NPS, RATING, TEXT_KINDS, Survey, SurveyAnswer, SurveyResponse

BATCH = 2000


def header(survey: Survey) -> list[str]:
    questions = survey.ordered_questions()
    return [_("Respuesta"), _("Fecha"), _("Canal")] + [
        f"P{i}. {q.text}" for i, q in enumerate(questions, start=1)
    ]


def rows(survey: Survey, *, labels: bool = True) -> Iterator[list]:
    """One list per response: id, date, channel, then one cell per question (ratings and 0–10
    as numbers, choices and yes/no as their label, multiple choice joined with ' | ', text as
    written)."""
    questions = survey.ordered_questions()
    column = {q.id: i for i, q in enumerate(questions)}
    kinds = {q.id: q.kind for q in questions}
    label_of = {q.id: dict(rules.choice_labels(q)) for q in questions if q.kind not in (RATING, NPS)}
    channel_names = {"token": _("Enlace de asistencia"), "link": _("Enlace abierto")}
    stmt = (
        select(
            SurveyResponse.id,
            SurveyResponse.on_date,
            SurveyResponse.channel,
            SurveyAnswer.question_id,
            SurveyAnswer.value,
            SurveyAnswer.text,
        )
        .select_from(SurveyResponse)
        .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.id, SurveyAnswer.question_id, SurveyAnswer.choice)
        .execution_options(yield_per=BATCH, stream_results=True)
    )
    current_id, current = None, None
    for rid, on_date, channel, qid, value, text in db.session.execute(stmt):
        if rid != current_id:
            if current is not None:
                yield _finish(current)
            current_id = rid
            current = [str(rid), on_date, channel_names.get(channel, channel)] + [None] * len(questions)
        if qid is None or qid not in column:
            continue
        i = 3 + column[qid]
        if kinds[qid] in TEXT_KINDS:
            current[i] = text
        else:
            cell = label_of[qid].get(value, value) if (labels and qid in label_of) else value
            if kinds[qid] == MULTIPLE:
                current[i] = [*current[i], cell] if current[i] else [cell]
            else:
                current[i] = cell
    if current is not None:
        yield _finish(current)


def _finish(row: list) -> list:
    return [" | ".join(str(c) for c in v) if isinstance(v, list) else v for v in row]


def csv(survey: Survey, filename: str):
    return exports.csv_response(
        filename, header(survey), rows(survey), what="surveys.responses", filters={"survey": survey.id}
    )


def xlsx(survey: Survey, filename: str):
    return exports.xlsx_response(
        filename,
        [(_("Respuestas"), header(survey), rows(survey))],
        what="surveys.responses",
        filters={"survey": survey.id},
    )


# Answers carry no name; editors export the surveys of their own offices (checked by the view).
exports.declare(
    "surveys.responses",
    _l("Respuestas de una encuesta"),
    permissions=("exports.anonymised", "content.edit"),
    personal=False,
)
