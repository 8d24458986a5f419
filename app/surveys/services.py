"""Survey rules: building questionnaires, the one-answer rules, and storing responses.

Every function that changes data commits the whole change or none of it (except the
`after_sign_in` hook, which adds its rows to the events' sign-in batch and never commits).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from app.core import audit, registry, time
from app.core.cache import SharedCache
from app.core.db import RowBatch
from app.core.ordering import move_among, renumber
from app.extensions import db
from app.surveys import bursts, presets
from app.surveys.models import (
    CHANNEL_LINK,
    CHANNEL_TOKEN,
    CLOSED_KINDS,
    KINDS,
    MULTIPLE,
    NPS,
    RATING,
    SINGLE,
    TEXT_KINDS,
    YESNO,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
    SurveyToken,
)

MAX_OPTIONS = 20
TEXT_LIMITS = {"short": 300, "long": 3000}


class SurveyError(ValueError):
    """A change or an answer that cannot be accepted; `field` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None, code: str = ""):
        super().__init__(message)
        self.field = field
        self.code = code


# ------------------------------------------------------------------------------ reading


def get(survey_id: int) -> Survey | None:
    return db.session.get(Survey, survey_id)


def by_slug(slug: str) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.slug == slug))


def event_of(survey: Survey) -> dict | None:
    """The summary of the survey's linked event (events' `event_summary` hook), or None."""
    if not survey.event_id:
        return None
    found = registry.get().call("event_summary", survey.event_id)
    return found[0] if found else None


def response_count(survey: Survey) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
        )
        or 0
    )


def has_responses(survey: Survey) -> bool:
    return bool(db.session.scalar(select(exists().where(SurveyResponse.survey_id == survey.id))))


def open_surveys(*, event_id: int | None = None) -> list[Survey]:
    """Published surveys whose answering period has not ended (open now or scheduled)."""
    now = time.now()
    stmt = select(Survey).where(
        Survey.published.is_(True), (Survey.closes_at.is_(None)) | (Survey.closes_at > now)
    )
    if event_id is not None:
        stmt = stmt.where(Survey.event_id == event_id)
    return list(db.session.scalars(stmt.order_by(Survey.id)))


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


def shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# ------------------------------------------------------------------------------ building


def slugify(text: str) -> str:
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    value = re.sub(r"[^a-z0-9]+", "-", value).strip("-")
    return value[:60].strip("-") or "encuesta"


def unique_slug(wanted: str, exclude_id: int | None = None) -> str:
    base = slugify(wanted)
    slug, n = base, 2
    while True:
        stmt = select(Survey.id).where(Survey.slug == slug)
        if exclude_id:
            stmt = stmt.where(Survey.id != exclude_id)
        if db.session.scalar(stmt) is None:
            return slug
        slug, n = f"{base}-{n}", n + 1


SETTINGS = (
    "title",
    "intro",
    "title_en",
    "intro_en",
    "office_code",
    "event_id",
    "open_link",
    "opens_at",
    "closes_at",
    "profile_variables",
    "results_public",
)


def _check_dates(data: dict) -> None:
    if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
        raise SurveyError(_("La fecha de cierre debe ser posterior a la de apertura."), "closes_at")


def create_survey(data: dict, *, template: str | None = None, actor=None) -> Survey:
    """Create a survey (a draft) from settings, optionally filled with a ready-made questionnaire."""
    _check_dates(data)
    survey = Survey(
        slug=unique_slug(data.get("slug") or data["title"]),
        template_key=template,
        **{k: data.get(k) for k in SETTINGS if k in data},
    )
    survey.profile_variables = list(data.get("profile_variables") or [])
    db.session.add(survey)
    if template:
        content = presets.build(template)
        if not survey.intro:
            survey.intro = content["intro"]
        _fill(survey, content["sections"])
    else:
        survey.sections.append(SurveySection(title=_("Preguntas"), position=0))
    db.session.flush()
    audit.record(
        "survey_created",
        target=f"survey:{survey.id}",
        details={"template": template},
        actor=actor,
        commit=False,
    )
    db.session.commit()
    return survey


def _fill(survey: Survey, sections: list[dict]) -> None:
    by_key: dict[str, SurveyQuestion] = {}
    for s_pos, spec in enumerate(sections):
        section = SurveySection(title=spec["title"], description=spec.get("description", ""), position=s_pos)
        survey.sections.append(section)
        for q_pos, q in enumerate(spec["questions"]):
            question = SurveyQuestion(
                survey=survey,
                section=section,
                position=q_pos,
                kind=q["kind"],
                text=q["text"],
                required=q.get("required", False),
                options=list(q.get("options") or []),
                max_choices=q.get("max_choices"),
                key=q.get("key"),
                help=q.get("help", ""),
            )
            db.session.add(question)
            by_key[q.get("key") or f"_{s_pos}_{q_pos}"] = question
            if q.get("condition"):
                question._pending_condition = q["condition"]  # resolved once ids exist
    db.session.flush()
    for question in by_key.values():
        pending = getattr(question, "_pending_condition", None)
        if pending:
            question.condition_question_id = by_key[pending[0]].id
            question.condition_value = pending[1]


def update_survey(survey: Survey, data: dict, *, actor=None) -> Survey:
    _check_dates(data)
    if data.get("slug"):
        survey.slug = unique_slug(data["slug"], exclude_id=survey.id)
    for key in SETTINGS:
        if key in data:
            setattr(survey, key, data[key])
    survey.profile_variables = list(data.get("profile_variables") or [])
    audit.record("survey_changed", target=f"survey:{survey.id}", actor=actor, commit=False)
    db.session.commit()
    return survey


def set_published(survey: Survey, published: bool, *, actor=None) -> None:
    if published and not survey.questions:
        raise SurveyError(_("Agrega al menos una pregunta antes de publicar la encuesta."))
    survey.published = published
    audit.record(
        "survey_published" if published else "survey_unpublished",
        target=f"survey:{survey.id}",
        actor=actor,
        commit=False,
    )
    db.session.commit()


def delete_survey(survey: Survey, *, actor=None) -> None:
    """Delete a survey that has no responses (with responses, unpublish it instead)."""
    if has_responses(survey):
        raise SurveyError(_("Esta encuesta ya tiene respuestas: no se puede borrar. Puedes despublicarla."))
    audit.record(
        "survey_deleted",
        target=f"survey:{survey.id}",
        details={"title": survey.title},
        actor=actor,
        commit=False,
    )
    db.session.delete(survey)
    db.session.commit()


def add_section(
    survey: Survey, title: str, description: str = "", *, title_en: str = "", description_en: str = ""
) -> SurveySection:
    position = max((s.position for s in survey.sections), default=-1) + 1
    section = SurveySection(
        title=title,
        description=description,
        position=position,
        title_en=title_en,
        description_en=description_en,
    )
    survey.sections.append(section)
    db.session.commit()
    return section


def update_section(
    section: SurveySection, title: str, description: str = "", *, title_en: str = "", description_en: str = ""
) -> None:
    section.title, section.description = title, description
    section.title_en, section.description_en = title_en, description_en
    db.session.commit()


def delete_section(section: SurveySection) -> None:
    survey = section.survey
    if section.questions:
        raise SurveyError(_("Mueve o borra primero las preguntas de esta sección."))
    if len(survey.sections) == 1:
        raise SurveyError(_("Una encuesta necesita al menos una sección."))
    survey.sections.remove(section)
    renumber(survey.sections)
    db.session.commit()


def move_section(section: SurveySection, direction: int) -> None:
    if move_among(sorted(section.survey.sections, key=lambda s: s.position), section, direction):
        _check_conditions(section.survey)
        db.session.commit()


@dataclass
class QuestionData:
    section_id: int
    kind: str
    text: str
    help: str = ""
    required: bool = False
    options: list[str] = field(default_factory=list)
    max_choices: int | None = None
    condition: str = ""  # "qid:value" or ""
    text_en: str = ""
    help_en: str = ""
    options_en: list[str] = field(default_factory=list)


def _validated(survey: Survey, data: QuestionData, question: SurveyQuestion | None) -> dict:
    if data.kind not in KINDS:
        raise SurveyError(_("Elige un tipo de pregunta de la lista."), "kind")
    section = db.session.get(SurveySection, data.section_id)
    if section is None or section.survey_id != survey.id:
        raise SurveyError(_("Elige una sección de esta encuesta."), "section_id")
    options = [o for o in (data.options or []) if o]
    if data.kind in (SINGLE, MULTIPLE):
        if len(options) < 2:
            raise SurveyError(_("Escribe al menos dos opciones, una por línea."), "options")
        if len(options) > MAX_OPTIONS:
            raise SurveyError(_("Escribe como máximo %(n)s opciones.", n=MAX_OPTIONS), "options")
        if len(set(options)) != len(options):
            raise SurveyError(_("Hay opciones repetidas."), "options")
    elif data.kind == RATING:
        if options and len(options) != 5:
            raise SurveyError(
                _(
                    "Una calificación de 1 a 5 lleva cinco etiquetas, una por línea (o ninguna, para usar "
                    "las de siempre)."
                ),
                "options",
            )
        options = options or presets.rating_labels()
    elif data.kind == NPS:
        if options and len(options) != 2:
            raise SurveyError(
                _("Escribe dos etiquetas: la del 0 y la del 10 (o ninguna, para usar las de siempre)."),
                "options",
            )
        options = options or presets.nps_labels()
    else:
        options = []
    max_choices = data.max_choices if data.kind == MULTIPLE else None
    if max_choices is not None and not (1 <= max_choices <= len(options)):
        raise SurveyError(
            _("El máximo de opciones debe estar entre 1 y %(n)s.", n=len(options)), "max_choices"
        )
    cond_q, cond_v = None, None
    if data.condition:
        valid = dict(condition_options(survey, before=question))
        if data.condition not in valid:
            raise SurveyError(
                _("La condición debe referirse a una respuesta de una pregunta anterior."), "condition"
            )
        a, b = data.condition.split(":")
        cond_q, cond_v = int(a), int(b)
    if question is not None and has_responses(survey):
        if data.kind != question.kind:
            raise SurveyError(
                _("Esta encuesta ya tiene respuestas: no puedes cambiar el tipo de la pregunta."), "kind"
            )
        if data.kind in (SINGLE, MULTIPLE) and len(options) < len(question.options or []):
            raise SurveyError(
                _(
                    "Esta encuesta ya tiene respuestas: puedes corregir o agregar opciones, pero no "
                    "quitarlas."
                ),
                "options",
            )
    options_en = [o for o in (data.options_en or []) if o]
    if options_en and (data.kind not in (SINGLE, MULTIPLE, RATING, NPS) or len(options_en) != len(options)):
        raise SurveyError(
            _(
                "Escribe una opción en inglés por cada opción en español (%(n)s), en el mismo orden, "
                "o deja este campo vacío.",
                n=len(options),
            ),
            "options_en",
        )
    return {
        "section": section,
        "kind": data.kind,
        "text": data.text,
        "help": data.help or "",
        "required": bool(data.required),
        "text_en": data.text_en or "",
        "help_en": data.help_en or "",
        "options_en": options_en,
        "options": options,
        "max_choices": max_choices,
        "condition_question_id": cond_q,
        "condition_value": cond_v,
    }


def add_question(survey: Survey, data: QuestionData) -> SurveyQuestion:
    """Add a question at the end of its section."""
    if has_responses(survey):
        raise SurveyError(
            _(
                "Esta encuesta ya tiene respuestas: no puedes agregar preguntas. Crea una copia o una "
                "encuesta nueva."
            )
        )
    values = _validated(survey, data, None)
    section = values["section"]
    position = max((q.position for q in section.questions), default=-1) + 1
    question = SurveyQuestion(survey=survey, position=position, **values)
    db.session.add(question)
    db.session.commit()
    return question


def update_question(question: SurveyQuestion, data: QuestionData) -> SurveyQuestion:
    survey = question.survey
    values = _validated(survey, data, question)
    if values["section"].id != question.section_id:
        values["position"] = max((q.position for q in values["section"].questions), default=-1) + 1
    for key, value in values.items():
        setattr(question, key, value)
    db.session.flush()
    _check_conditions(survey)
    db.session.commit()
    return question


def delete_question(question: SurveyQuestion) -> None:
    survey = question.survey
    if has_responses(survey):
        raise SurveyError(_("Esta encuesta ya tiene respuestas: no puedes borrar preguntas."))
    dependants = [q for q in survey.questions if q.condition_question_id == question.id]
    if dependants:
        raise SurveyError(
            _(
                "Otra pregunta depende de esta («%(text)s»): quita primero esa condición.",
                text=shorten(dependants[0].text, 60),
            )
        )
    question.section.questions.remove(question)
    survey.questions.remove(question)
    db.session.commit()


def move_question(question: SurveyQuestion, direction: int) -> None:
    """Move a question up (-1) or down (+1); past the start or end of its section it moves into the
    neighbouring section."""
    survey = question.survey
    ordered = sorted(question.section.questions, key=lambda q: (q.position, q.id))
    if not move_among(ordered, question, direction):
        sections = sorted(survey.sections, key=lambda s: s.position)
        k = sections.index(question.section) + direction
        if not 0 <= k < len(sections):
            return
        target = sections[k]
        question.section.questions.remove(question)
        others = sorted(target.questions, key=lambda q: (q.position, q.id))
        question.section = target
        if direction < 0:
            question.position = (others[-1].position + 1) if others else 0
        else:
            question.position = (others[0].position - 1) if others else 0
        db.session.flush()
        renumber(target.questions)
        renumber(q for q in ordered if q is not question)
    db.session.flush()
    db.session.expire(survey, ["sections"])
    _check_conditions(survey)
    db.session.commit()


def _check_conditions(survey: Survey) -> None:
    """A condition must point to an earlier question: refuse an order that breaks one."""
    seen: set[int] = set()
    for q in survey.ordered_questions():
        if q.condition_question_id and q.condition_question_id not in seen:
            db.session.rollback()
            raise SurveyError(
                _(
                    "«%(text)s» depende de una pregunta que quedaría después de ella. Cambia su condición "
                    "primero.",
                    text=shorten(q.text, 60),
                )
            )
        seen.add(q.id)


# ------------------------------------------------------------------------------ rights to answer


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _token_mac(survey_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"survey-token:{survey_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def new_token(survey_id: int) -> str:
    """A one-time right to answer: a random nonce signed for this survey. Nothing is stored when
    it is issued; the register of used tokens (`SurveyToken`) gets its hash when it is used."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_token_mac(survey_id, nonce)}"


def token_signed(survey_id: int, token: str) -> bool:
    nonce, _, mac = (token or "").partition(".")
    return (
        bool(nonce and mac) and len(token) <= 100 and hmac.compare_digest(mac, _token_mac(survey_id, nonce))
    )


def issue_tokens(event_id: int, batch: RowBatch) -> list[dict]:
    """`after_sign_in` hook: a one-time right to answer each open survey of the event.

    The token is signed, not stored: the signature's `batch` gets no row from us, so nothing
    written with the attendance row (same transaction, neighbouring physical position) can lead
    to the answer. The used-token register gets the token's hash only when the survey is answered.
    """
    from flask import url_for

    links = []
    now = time.now()
    for survey_id, slug, title, closes_at in _event_surveys(event_id):
        if closes_at is not None and closes_at <= now:
            continue
        links.append(
            {
                "text": _("Evalúa este evento: responde la encuesta «%(title)s»", title=title),
                "url": url_for("surveys.answer", slug=slug, t=new_token(survey_id)),
            }
        )
    return links


# Every signature of a busy event asks which surveys it has: kept per process for a few seconds
# (a survey published or closed in this process is seen at once).
_EVENT_SURVEYS = SharedCache("surveys.by_event", (Survey,), ttl=5.0)


def _event_surveys(event_id: int) -> list[tuple[int, str, str, datetime | None]]:
    return _EVENT_SURVEYS.get(
        event_id, lambda: [(s.id, s.slug, s.title, s.closes_at) for s in open_surveys(event_id=event_id)]
    )


def token_state(survey: Survey, token: str) -> str:
    """'valid', 'used' or 'unknown'."""
    if not token_signed(survey.id, token):
        return "unknown"
    return "used" if db.session.get(SurveyToken, hash_token(token)) is not None else "valid"


# ------------------------------------------------------------------------------ answering


def is_shown(question: SurveyQuestion, kept: dict[int, object]) -> bool:
    """Whether a conditional question applies, given the answers kept so far."""
    if not question.condition_question_id:
        return True
    given = kept.get(question.condition_question_id)
    if isinstance(given, list):
        return question.condition_value in given
    return given is not None and given == question.condition_value


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
        empty = value is None or value == "" or value == []
        if empty:
            if q.required:
                errors[q.id] = (
                    _("Elige una respuesta.") if q.kind in CLOSED_KINDS else _("Escribe tu respuesta.")
                )
            continue
        if q.kind == MULTIPLE:
            allowed = {v for v, _l in choice_labels(q)}
            chosen = sorted(set(value)) if isinstance(value, list) else []
            if not chosen or not set(chosen) <= allowed:
                errors[q.id] = _("Elige opciones de la lista.")
                continue
            if q.max_choices and len(chosen) > q.max_choices:
                errors[q.id] = _("Elige como máximo %(n)s opciones.", n=q.max_choices)
                continue
            kept[q.id] = chosen
        elif q.kind in CLOSED_KINDS:
            if not isinstance(value, int) or value not in {v for v, _l in choice_labels(q)}:
                errors[q.id] = _("Elige una respuesta de la lista.")
                continue
            kept[q.id] = value
        else:
            text = str(value)
            if len(text) > TEXT_LIMITS[q.kind]:
                errors[q.id] = _("Escribe como máximo %(n)s caracteres.", n=TEXT_LIMITS[q.kind])
                continue
            kept[q.id] = text
    return kept, errors


def submit(
    survey: Survey,
    answers: dict[int, object],
    profile_section=None,
    *,
    token: str | None = None,
    preview: bool = False,
    device: str = "",
    address: str = "",
) -> SurveyResponse | None:
    """Store one response (already `evaluate`d answers) and its unlinkable profile.

    With a token, the token (signed for this survey) is consumed atomically: its hash goes into
    the used-token register, whose primary key refuses a second use, so of two simultaneous
    submissions only one succeeds. Without one, the survey must accept open answers
    (the per-device cookie and rate limits are the routes' job). In preview nothing is stored.
    An open-link answer is also counted under its `device` and `address` (the browser's signed
    device id and the request's address, as keyed hashes) for burst flags (`bursts`).
    """
    if survey.state() != "open" and not preview:
        raise SurveyError(_("Esta encuesta no está recibiendo respuestas."), code="closed")
    if preview:
        return None
    channel = CHANNEL_LINK
    used = _("Este enlace ya se usó para responder la encuesta, o no es válido.")
    if token:
        if not token_signed(survey.id, token):
            raise SurveyError(used, code="used")
        db.session.add(SurveyToken(token_hash=hash_token(token), survey_id=survey.id, used_on=time.today()))
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise SurveyError(used, code="used") from None
        channel = CHANNEL_TOKEN
    elif not survey.accepts_open_answers:
        raise SurveyError(
            _(
                "Esta encuesta solo la pueden responder quienes firmaron la asistencia del evento, con el "
                "enlace que recibieron al firmar."
            ),
            code="token_needed",
        )
    try:
        response = SurveyResponse(survey_id=survey.id, on_date=time.today(), channel=channel)
        if profile_section is not None:
            response.profile_id = _record_profile(profile_section, survey)
        db.session.add(response)
        db.session.flush()
        by_id = {q.id: q for q in survey.questions}
        for qid, value in answers.items():
            kind = by_id[qid].kind
            if kind == MULTIPLE:
                for v in value:
                    db.session.add(SurveyAnswer(response_id=response.id, question_id=qid, choice=v, value=v))
            elif kind in TEXT_KINDS:
                db.session.add(SurveyAnswer(response_id=response.id, question_id=qid, choice=0, text=value))
            else:
                db.session.add(SurveyAnswer(response_id=response.id, question_id=qid, choice=0, value=value))
        if channel == CHANNEL_LINK:
            bursts.count(survey.id, device=device, address=address)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return response


def _record_profile(section, survey: Survey) -> str | None:
    """Record the characterisation section (consent proof + profile); return the profile's id."""
    from app.characterization import commands as characterization
    from app.characterization.forms import answers_of

    # A survey response holds no identity (its right to answer is not linked to the attendee):
    # the profile is stored with it, so results can be broken down by group.
    outcome = characterization.record(
        answers_of(section), characterization.Context("surveys", survey.id), buffered=False
    )
    if outcome.profile is None:
        return None
    db.session.flush()
    return outcome.profile.id
