"""Changes to surveys: settings, the questionnaire (sections and questions), publishing, and
storing a response. Plain functions on typed data (`SurveySettings`, `QuestionData`, evaluated
answers), one transaction each: every function commits the whole change or none of it, and
refuses with a `SurveyError` carrying a translated message (and the form field to blame)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.characterization import commands as characterization
from app.characterization.rules import Answers
from app.core import audit, time
from app.core.ordering import move_among, renumber
from app.extensions import db
from app.surveys import bursts, presets
from app.surveys.models import (
    CHANNEL_LINK,
    CHANNEL_TOKEN,
    KINDS,
    MULTIPLE,
    NPS,
    RATING,
    SINGLE,
    TEXT_KINDS,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
    SurveyToken,
)
from app.surveys.queries import has_responses
from app.surveys.rules import MAX_OPTIONS, SurveyError, condition_options, shorten, slugify
from app.surveys.tokens import hash_token, token_signed

# ------------------------------------------------------------------------------ settings


@dataclass
class SurveySettings:
    """What the settings form gives: every setting of a survey (a change replaces them all)."""

    title: str
    slug: str = ""  # wanted address; empty: from the title (new) or unchanged (existing)
    intro: str = ""
    title_en: str = ""
    intro_en: str = ""
    office_code: str | None = None
    event_id: int | None = None
    open_link: bool = False
    opens_at: datetime | None = None  # naive UTC
    closes_at: datetime | None = None
    profile_variables: list[str] = field(default_factory=list)
    results_public: bool = False


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


def _check_dates(settings: SurveySettings) -> None:
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise SurveyError(_("La fecha de cierre debe ser posterior a la de apertura."), "closes_at")


def _apply(survey: Survey, settings: SurveySettings) -> None:
    for key in SETTINGS:
        setattr(survey, key, getattr(settings, key))
    survey.profile_variables = list(settings.profile_variables or [])


def create_survey(settings: SurveySettings, *, template: str | None = None, actor=None) -> Survey:
    """Create a survey (a draft) from settings, optionally filled with a ready-made questionnaire."""
    _check_dates(settings)
    survey = Survey(slug=unique_slug(settings.slug or settings.title), template_key=template)
    _apply(survey, settings)
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


def update_survey(survey: Survey, settings: SurveySettings, *, actor=None) -> Survey:
    _check_dates(settings)
    if settings.slug:
        survey.slug = unique_slug(settings.slug, exclude_id=survey.id)
    _apply(survey, settings)
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


# ------------------------------------------------------------------------------ sections


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


# ------------------------------------------------------------------------------ questions


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


def _own_section(survey: Survey, section_id: int) -> SurveySection:
    section = db.session.get(SurveySection, section_id)
    if section is None or section.survey_id != survey.id:
        raise SurveyError(_("Elige una sección de esta encuesta."), "section_id")
    return section


def _options(kind: str, given: list[str]) -> list[str]:
    """The answer labels a question of `kind` keeps (the usual ones for an empty scale)."""
    options = [o for o in (given or []) if o]
    if kind in (SINGLE, MULTIPLE):
        if len(options) < 2:
            raise SurveyError(_("Escribe al menos dos opciones, una por línea."), "options")
        if len(options) > MAX_OPTIONS:
            raise SurveyError(_("Escribe como máximo %(n)s opciones.", n=MAX_OPTIONS), "options")
        if len(set(options)) != len(options):
            raise SurveyError(_("Hay opciones repetidas."), "options")
        return options
    if kind == RATING:
        if options and len(options) != 5:
            raise SurveyError(
                _(
                    "Una calificación de 1 a 5 lleva cinco etiquetas, una por línea (o ninguna, para usar "
                    "las de siempre)."
                ),
                "options",
            )
        return options or presets.rating_labels()
    if kind == NPS:
        if options and len(options) != 2:
            raise SurveyError(
                _("Escribe dos etiquetas: la del 0 y la del 10 (o ninguna, para usar las de siempre)."),
                "options",
            )
        return options or presets.nps_labels()
    return []


def _condition(
    survey: Survey, condition: str, question: SurveyQuestion | None
) -> tuple[int | None, int | None]:
    """(question id, value) of a display condition 'qid:value' on an earlier answer, or (None, None)."""
    if not condition:
        return None, None
    if condition not in dict(condition_options(survey, before=question)):
        raise SurveyError(
            _("La condición debe referirse a una respuesta de una pregunta anterior."), "condition"
        )
    a, b = condition.split(":")
    return int(a), int(b)


def _check_answered(question: SurveyQuestion, kind: str, options: list[str]) -> None:
    """Once a survey has responses, a question keeps its kind and its options (they can be fixed)."""
    if kind != question.kind:
        raise SurveyError(
            _("Esta encuesta ya tiene respuestas: no puedes cambiar el tipo de la pregunta."), "kind"
        )
    if kind in (SINGLE, MULTIPLE) and len(options) < len(question.options or []):
        raise SurveyError(
            _("Esta encuesta ya tiene respuestas: puedes corregir o agregar opciones, pero no quitarlas."),
            "options",
        )


def _options_en(data: QuestionData, options: list[str]) -> list[str]:
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
    return options_en


def _validated(survey: Survey, data: QuestionData, question: SurveyQuestion | None) -> dict:
    """The column values of a new or changed question, checked in the order the form shows them."""
    if data.kind not in KINDS:
        raise SurveyError(_("Elige un tipo de pregunta de la lista."), "kind")
    section = _own_section(survey, data.section_id)
    options = _options(data.kind, data.options)
    max_choices = data.max_choices if data.kind == MULTIPLE else None
    if max_choices is not None and not (1 <= max_choices <= len(options)):
        raise SurveyError(
            _("El máximo de opciones debe estar entre 1 y %(n)s.", n=len(options)), "max_choices"
        )
    cond_q, cond_v = _condition(survey, data.condition, question)
    if question is not None and has_responses(survey):
        _check_answered(question, data.kind, options)
    options_en = _options_en(data, options)
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


# ------------------------------------------------------------------------------ answering


def submit(
    survey: Survey,
    answers: dict[int, object],
    *,
    profile: Answers | None = None,
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
    if token:
        _consume_token(survey, token)
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
        if profile is not None:
            response.profile_id = _record_profile(profile, survey)
        db.session.add(response)
        db.session.flush()
        _store_answers(survey, response, answers)
        if channel == CHANNEL_LINK:
            bursts.count(survey.id, device=device, address=address)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return response


def _consume_token(survey: Survey, token: str) -> None:
    """Put the token's hash in the used-token register (flushed, not committed), or refuse it."""
    used = _("Este enlace ya se usó para responder la encuesta, o no es válido.")
    if not token_signed(survey.id, token):
        raise SurveyError(used, code="used")
    db.session.add(SurveyToken(token_hash=hash_token(token), survey_id=survey.id, used_on=time.today()))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise SurveyError(used, code="used") from None


def _store_answers(survey: Survey, response: SurveyResponse, answers: dict[int, object]) -> None:
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


def _record_profile(answers: Answers, survey: Survey) -> str | None:
    """Record the characterisation answers (consent proof + profile); return the profile's id."""
    # A survey response holds no identity (its right to answer is not linked to the attendee):
    # the profile is stored with it, so results can be broken down by group.
    context = characterization.Context("surveys", survey.id)
    outcome = characterization.record(answers, context, buffered=False)
    if outcome.profile is None:
        return None
    db.session.flush()
    return outcome.profile.id
