"""Rules shared by the builder, the answer form and the results: the labels of closed answers,
display conditions, and checking a set of answers (`evaluate`). Nothing here writes."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

from app.surveys import presets
from app.surveys.models import CLOSED_KINDS, MULTIPLE, NPS, RATING, SINGLE, YESNO, Survey, SurveyQuestion

MAX_OPTIONS = 20
TEXT_LIMITS = {"short": 300, "long": 3000}


class SurveyError(ValueError):
    """A change or an answer that cannot be accepted; `field` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None, code: str = ""):
        super().__init__(message)
        self.field = field
        self.code = code


def shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def slugify(text: str) -> str:
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    value = re.sub(r"[^a-z0-9]+", "-", value).strip("-")
    return value[:60].strip("-") or "encuesta"


# ------------------------------------------------------------------------------ closed answers


def _shown_options(question: SurveyQuestion, localize: bool) -> list:
    """The question's own labels; with `localize`, in the page's language (`app.core.ui`): the
    English ones staff wrote, or the Spanish ones marked lang="es" on the English site."""
    options = list(question.options or [])
    if not localize or not options:
        return options
    from markupsafe import Markup

    from app.core import ui

    shown = ui.localized_options(question)
    if ui.spanish_only(question, "options"):
        return [Markup('<span lang="es">%s</span>') % o if o else o for o in shown]
    return shown


def choice_labels(question: SurveyQuestion, *, localize: bool = False) -> list[tuple[int, str]]:
    """(value, label) of every possible closed answer, in display order (`localize`: the labels in
    the page's language, for the answer form)."""
    options = _shown_options(question, localize)
    if question.kind == RATING:
        labels = list(options or presets.rating_labels())
        return [
            (i, f"{i} · {labels[i - 1]}" if i - 1 < len(labels) and labels[i - 1] else str(i))
            for i in range(1, 6)
        ]
    if question.kind == NPS:
        ends = list(options or presets.nps_labels())
        out = []
        for i in range(11):
            text = str(i)
            if i == 0 and ends and ends[0]:
                text = f"0 · {ends[0]}"
            elif i == 10 and len(ends) > 1 and ends[1]:
                text = f"10 · {ends[1]}"
            out.append((i, text))
        return out
    if question.kind == YESNO:
        return [(1, _("Sí")), (0, _("No"))]
    if question.kind in (SINGLE, MULTIPLE):
        return [(i + 1, label) for i, label in enumerate(options)]
    return []


def answer_label(question: SurveyQuestion, value: int | None) -> str:
    for v, label in choice_labels(question):
        if v == value:
            return label
    return "" if value is None else str(value)


# ------------------------------------------------------------------------------ display conditions


def condition_options(survey: Survey, before: SurveyQuestion | None = None) -> list[tuple[str, str]]:
    """Choices for a display condition: 'qid:value' for every answer of an earlier closed question
    (multiple choice counts as 'this option was among the chosen')."""
    out = []
    for q in survey.ordered_questions():
        if before is not None and q.id == before.id:
            break
        if q.kind not in CLOSED_KINDS:
            continue
        for value, label in choice_labels(q):
            out.append(
                (
                    f"{q.id}:{value}",
                    _("«%(question)s» = %(answer)s", question=shorten(q.text, 60), answer=label),
                )
            )
    return out


def condition_text(question: SurveyQuestion, questions_by_id: dict[int, SurveyQuestion]) -> str:
    """The note shown (without JavaScript) on a conditional question."""
    source = questions_by_id.get(question.condition_question_id or 0)
    if source is None:
        return ""
    return _(
        "Responde solo si en «%(question)s» respondiste «%(answer)s».",
        question=shorten(source.text, 80),
        answer=answer_label(source, question.condition_value),
    )


def is_shown(question: SurveyQuestion, kept: dict[int, object]) -> bool:
    """Whether a conditional question applies, given the answers kept so far."""
    if not question.condition_question_id:
        return True
    given = kept.get(question.condition_question_id)
    if isinstance(given, list):
        return question.condition_value in given
    return given is not None and given == question.condition_value


# ------------------------------------------------------------------------------ checking answers


def evaluate(survey: Survey, values: dict[int, object]) -> tuple[dict[int, object], dict[int, str]]:
    """Apply display conditions, required rules and limits to coerced answers.

    `values` maps question id to an int (single closed answer), a list of ints (multiple choice)
    or a string (text); empty answers are None / [] / "". Answers to questions whose condition
    does not hold are dropped (the person may have answered before changing an earlier answer).
    Returns (answers to keep, error message per question id).
    """
    kept: dict[int, object] = {}
    errors: dict[int, str] = {}
    for q in survey.ordered_questions():
        if not is_shown(q, kept):
            continue
        value = values.get(q.id)
        if value is None or value == "" or value == []:
            if q.required:
                errors[q.id] = (
                    _("Elige una respuesta.") if q.kind in CLOSED_KINDS else _("Escribe tu respuesta.")
                )
            continue
        checked, error = _checked(q, value)
        if error:
            errors[q.id] = error
        else:
            kept[q.id] = checked
    return kept, errors


def _checked(q: SurveyQuestion, value: object) -> tuple[object, str]:
    """(the answer to keep, "") or (None, why it is refused) for one non-empty answer."""
    if q.kind == MULTIPLE:
        allowed = {v for v, _l in choice_labels(q)}
        chosen = sorted(set(value)) if isinstance(value, list) else []
        if not chosen or not set(chosen) <= allowed:
            return None, _("Elige opciones de la lista.")
        if q.max_choices and len(chosen) > q.max_choices:
            return None, _("Elige como máximo %(n)s opciones.", n=q.max_choices)
        return chosen, ""
    if q.kind in CLOSED_KINDS:
        if not isinstance(value, int) or value not in {v for v, _l in choice_labels(q)}:
            return None, _("Elige una respuesta de la lista.")
        return value, ""
    text = str(value)
    if len(text) > TEXT_LIMITS[q.kind]:
        return None, _("Escribe como máximo %(n)s caracteres.", n=TEXT_LIMITS[q.kind])
    return text, ""
