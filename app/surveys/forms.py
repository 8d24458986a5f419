"""Forms: survey settings, sections and questions (staff), and the answer form (citizens)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.characterization.forms import VARIABLES, answers_of, profile_section
from app.characterization.rules import Answers
from app.core import time
from app.core.fields import MultiCheckboxField, RadioField, SelectField, english_version
from app.core.text import NoMarkup, clean, single_line
from app.core.ui import localized
from app.surveys import presets
from app.surveys.commands import QuestionData, SurveySettings
from app.surveys.models import KINDS, LONG, MULTIPLE, SHORT
from app.surveys.rules import TEXT_LIMITS, choice_labels, condition_text, evaluate

KIND_LABELS = {
    "rating": _l("Calificación de 1 a 5"),
    "single": _l("Selección única"),
    "multiple": _l("Selección múltiple"),
    "yesno": _l("Sí o no"),
    "nps": _l("Recomendación de 0 a 10"),
    "short": _l("Texto corto"),
    "long": _l("Texto largo"),
}

VARIABLE_LABELS = {
    "life_course": _l("Curso de vida (rango de edad)"),
    "sex": _l("Sexo al nacer"),
    "gender_identity": _l("Identidad de género"),
    "sexual_orientation": _l("Orientación sexual"),
    "ethnicity": _l("Pertenencia étnica"),
    "disability": _l("Discapacidad"),
    "victim": _l("Víctima del conflicto armado"),
    "migrant": _l("Situación migratoria"),
    "campesino": _l("Campesino(a)"),
    "value_group": _l("Grupo de valor"),
}


def _lines(value):
    if not isinstance(value, str):
        return value
    return "\n".join(single_line(line) for line in clean(value).split("\n") if single_line(line))


class SurveyForm(FlaskForm):
    title = StringField(
        _l("Título"),
        validators=[DataRequired(_l("Escribe el título de la encuesta.")), Length(max=200), NoMarkup()],
        filters=[single_line],
    )
    slug = StringField(
        _l("Dirección corta (opcional)"),
        validators=[
            Optional(),
            Length(max=60),
            Regexp(r"^[a-z0-9-]+$", message=_l("Usa solo letras minúsculas sin tildes, números y guiones.")),
        ],
        filters=[single_line],
        description=_l("Queda como /encuestas/<dirección>. Si la dejas vacía, se arma con el título."),
    )
    intro = TextAreaField(
        _l("Presentación"),
        validators=[Optional(), Length(max=2000)],
        filters=[clean],
        description=_l("Para qué es la encuesta y cuánto toma responderla."),
    )
    title_en = english_version(_l("Título en inglés"), 200)
    intro_en = english_version(_l("Presentación en inglés"), 2000, long=True)
    template = SelectField(_l("Empezar con"), choices=[], validators=[Optional()])
    office_code = SelectField(_l("Dependencia responsable"), choices=[], validators=[Optional()])
    event_id = SelectField(
        _l("Evento evaluado"),
        choices=[],
        validators=[Optional()],
        description=_l(
            "Si eliges un evento, cada asistente recibe al firmar un enlace para responder una sola vez."
        ),
    )
    open_link = BooleanField(
        _l(
            "Aceptar también respuestas sin el enlace de asistencia (por ejemplo, de quienes firmaron en "
            "papel)"
        ),
        description=_l("Esas respuestas se cuentan aparte en los resultados."),
    )
    opens_at = DateTimeLocalField(
        _l("Abre el"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Hora de Colombia. Vacío: abre al publicarla."),
    )
    closes_at = DateTimeLocalField(
        _l("Cierra el"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Hora de Colombia. Vacío: sin fecha de cierre."),
    )
    profile_variables = MultiCheckboxField(
        _l("Preguntas de caracterización"),
        choices=[],
        description=_l(
            "Territorio y autorización de datos van siempre. Todas son opcionales para quien responde."
        ),
    )
    results_public = BooleanField(
        _l("Publicar los resultados (cifras agregadas) en la sección de transparencia")
    )

    def __init__(self, *args, event_choices=(), office_choices=(), with_template=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_id.choices = [("", str(_l("— Ninguno: encuesta independiente —")))] + [
            (str(i), label) for i, label in event_choices
        ]
        self.office_code.choices = [("", str(_l("— Sin dependencia —")))] + list(office_choices)
        self.profile_variables.choices = [(v, VARIABLE_LABELS[v]) for v in VARIABLES]
        self.template.choices = [("", str(_l("Una encuesta en blanco")))] + [
            (k, str(v)) for k, v in presets.TEMPLATES.items()
        ]
        if not with_template:
            del self.template


class SectionForm(FlaskForm):
    title = StringField(
        _l("Título de la sección"),
        validators=[DataRequired(_l("Escribe el título de la sección.")), Length(max=200), NoMarkup()],
        filters=[single_line],
    )
    description = TextAreaField(
        _l("Texto de ayuda de la sección"), validators=[Optional(), Length(max=1000)], filters=[clean]
    )
    title_en = english_version(_l("Título de la sección en inglés"), 200)
    description_en = english_version(_l("Texto de ayuda de la sección en inglés"), 1000, long=True)


class QuestionForm(FlaskForm):
    section_id = SelectField(_l("Sección"), coerce=int, choices=[])
    kind = RadioField(
        _l("Tipo de pregunta"),
        choices=[(k, KIND_LABELS[k]) for k in KINDS],
        validators=[DataRequired(_l("Elige el tipo de pregunta."))],
    )
    text = StringField(
        _l("Pregunta"),
        validators=[DataRequired(_l("Escribe la pregunta.")), Length(max=300), NoMarkup()],
        filters=[single_line],
    )
    help = StringField(
        _l("Texto de ayuda (opcional)"),
        validators=[Optional(), Length(max=300), NoMarkup()],
        filters=[single_line],
    )
    required = BooleanField(_l("Respuesta obligatoria"))
    options = TextAreaField(
        _l("Opciones o etiquetas, una por línea"),
        validators=[Optional(), Length(max=4000), NoMarkup()],
        filters=[_lines],
        description=_l(
            "Selección única o múltiple: las opciones. Calificación de 1 a 5: las cinco etiquetas (vacío: "
            "Muy malo … Muy bueno). Recomendación: la etiqueta del 0 y la del 10."
        ),
    )
    text_en = english_version(_l("Pregunta en inglés"), 300)
    help_en = english_version(_l("Texto de ayuda en inglés"), 300)
    options_en = TextAreaField(
        _l("Opciones o etiquetas en inglés, una por línea"),
        validators=[Optional(), Length(max=4000), NoMarkup()],
        filters=[_lines],
        description=_l(
            "Una por cada opción en español, en el mismo orden. Si lo dejas vacío, "
            "el sitio en inglés muestra las opciones en español."
        ),
    )
    max_choices = IntegerField(
        _l("Máximo de opciones que se pueden marcar (selección múltiple)"),
        validators=[Optional(), NumberRange(min=1, max=20)],
    )
    condition = SelectField(
        _l("Mostrar solo si…"),
        choices=[],
        validators=[Optional()],
        description=_l(
            "Sin JavaScript la pregunta se muestra con una nota que dice cuándo responderla; las respuestas "
            "que no aplican no se guardan."
        ),
    )


def settings_from(form: SurveyForm) -> SurveySettings:
    """The settings a validated `SurveyForm` gives (dates entered in Bogotá time, stored in UTC)."""
    return SurveySettings(
        title=form.title.data,
        slug=form.slug.data or "",
        intro=form.intro.data or "",
        title_en=form.title_en.data or "",
        intro_en=form.intro_en.data or "",
        office_code=form.office_code.data or None,
        event_id=int(form.event_id.data) if form.event_id.data else None,
        open_link=bool(form.open_link.data),
        opens_at=time.from_local(form.opens_at.data) if form.opens_at.data else None,
        closes_at=time.from_local(form.closes_at.data) if form.closes_at.data else None,
        profile_variables=list(form.profile_variables.data or []),
        results_public=bool(form.results_public.data),
    )


def question_data(form: QuestionForm) -> QuestionData:
    """The question a validated `QuestionForm` gives (options one per line)."""
    return QuestionData(
        section_id=form.section_id.data,
        kind=form.kind.data,
        text=form.text.data,
        help=form.help.data or "",
        required=bool(form.required.data),
        options=(form.options.data or "").split("\n"),
        max_choices=form.max_choices.data,
        condition=form.condition.data or "",
        text_en=form.text_en.data or "",
        help_en=form.help_en.data or "",
        options_en=(form.options_en.data or "").split("\n"),
    )


# ----------------------------------------------------------------------------- answering


def _closed_field(question, kind_field, **kwargs):
    return kind_field(
        localized(question, "text"),
        choices=choice_labels(question, localize=True),
        coerce=int,
        validators=[Optional()],
        description=localized(question, "help", note=False) or None,
        **kwargs,
    )


def answer_form(survey, formdata=None, *, token: str = "", ask_profile: bool = True):
    """A form with one field per question (`q<id>`), the characterisation section when the survey
    asks it, and the hidden one-time token. Required and conditional rules are applied by
    `rules.evaluate` (a conditional question is required only when it applies)."""

    questions = survey.ordered_questions()
    by_id = {q.id: q for q in questions}
    attrs = {"t": HiddenField(default=token, validators=[Optional(), Length(max=100)])}
    for q in questions:
        if q.kind == MULTIPLE:
            attrs[q.field_name] = _closed_field(q, MultiCheckboxField)
        elif q.kind in (SHORT, LONG):
            field_class = StringField if q.kind == SHORT else TextAreaField
            attrs[q.field_name] = field_class(
                localized(q, "text"),
                validators=[Optional(), Length(max=TEXT_LIMITS[q.kind])],
                filters=[single_line if q.kind == SHORT else clean],
                description=localized(q, "help", note=False) or None,
            )
        else:
            attrs[q.field_name] = _closed_field(q, RadioField)
    if survey.profile_variables and ask_profile:
        attrs["profile"] = FormField(
            profile_section(
                tuple(v for v in VARIABLES if v in survey.profile_variables), ask_before_dropping=True
            )
        )
    form_class = type("SurveyAnswerForm", (FlaskForm,), attrs)
    form = form_class(formdata=formdata) if formdata is not None else form_class()
    form.survey_questions = questions
    form.conditions = {q.id: condition_text(q, by_id) for q in questions if q.condition_question_id}
    for q in questions:
        form[q.field_name].flags.required = q.required
        form[q.field_name].question = q
    return form


def values_from(form) -> dict[int, object]:
    """The coerced answers of a validated answer form, by question id."""
    out = {}
    for q in form.survey_questions:
        out[q.id] = form[q.field_name].data
    return out


def validate_answer_form(form, survey) -> dict[int, object] | None:
    """Validate field syntax, then the survey rules; put messages next to the fields."""
    ok = form.validate()
    kept, errors = evaluate(
        survey,
        {
            q.id: (None if form[q.field_name].errors else form[q.field_name].data)
            for q in form.survey_questions
        },
    )
    for qid, message in errors.items():
        f = form[f"q{qid}"]
        if not f.errors:
            f.errors = [message]
    if not ok or errors:
        return None
    return kept


def profile_answers(form) -> Answers | None:
    """The answer form's characterisation section as `commands.submit` takes it (typed answers),
    or None when the form did not ask it."""
    if "profile" not in form:
        return None
    return answers_of(form.profile.form)
