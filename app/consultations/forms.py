"""Forms: the citizen's response form (built per consultation) and the staff forms, and the
functions that turn a validated form into the typed data a command takes (`commands.py`)."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, FormField, IntegerField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.catalogs import queries as catalogs
from app.characterization.forms import QUESTIONS, VARIABLES, answers_of, profile_section
from app.consultations.commands import ConsultationData, ResponseData, TopicData
from app.consultations.models import GROUP_LINE, GROUP_OFFICE, RULE_DEVICE, RULE_DOCUMENT
from app.core.fields import MultiCheckboxField, RadioField, SelectField, english_version
from app.core.id_documents import DocumentNumber
from app.core.text import NoMarkup, clean, single_line

SLUG_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


# ---------------------------------------------------------------------------- citizens


class _ResponseBase(FlaskForm):
    topics = MultiCheckboxField(_l("Temas"), choices=[], validate_choice=False)
    proposal_title = StringField(
        _l("Título del tema que propones"),
        validators=[Optional(), Length(max=160), NoMarkup()],
        filters=[single_line],
        description=_l("Por ejemplo: «Alumbrado en los senderos de la vereda»."),
    )
    proposal_description = TextAreaField(
        _l("Cuéntanos de qué se trata y por qué es importante"),
        validators=[Optional(), Length(max=1000)],
        filters=[clean],
    )

    max_choices: int = 3
    topic_ids: frozenset[int] = frozenset()
    allow_proposals: bool = True

    def validate_topics(self, field):
        chosen = []
        for raw in field.data or []:
            try:
                value = int(raw)
            except (TypeError, ValueError):
                raise ValidationError(_l("Elige temas de la lista.")) from None
            if value not in self.topic_ids:
                raise ValidationError(_l("Elige temas de la lista."))
            if value not in chosen:
                chosen.append(value)
        if len(chosen) > self.max_choices:
            raise ValidationError(
                _l(
                    "Marcaste %(n)s temas y puedes elegir hasta %(max)s. Desmarca %(extra)s y vuelve a "
                    "enviar; "
                    "no quitamos ninguno por ti.",
                    n=len(chosen),
                    max=self.max_choices,
                    extra=len(chosen) - self.max_choices,
                )
            )
        proposing = self.allow_proposals and bool(self.proposal_title.data)
        if not chosen and not proposing:
            raise ValidationError(
                _l("Elige al menos un tema.")
                if not self.allow_proposals
                else _l("Elige al menos un tema o propón uno nuevo.")
            )
        field.chosen = chosen

    def validate_proposal_title(self, field):
        if not field.data and self.proposal_description.data:
            raise ValidationError(_l("Escribe un título corto para el tema que propones."))

    @property
    def chosen_topics(self) -> list[int]:
        return getattr(self.topics, "chosen", [])


class _DocumentFields(FlaskForm):
    doc_type = SelectField(
        _l("Tipo de documento"), validators=[InputRequired(_l("Elige el tipo de documento."))], choices=[]
    )
    doc_number = StringField(
        _l("Número de documento"),
        filters=[single_line],
        validators=[Length(max=30), DocumentNumber(message_missing=_l("Escribe tu número de documento."))],
        description=_l(
            "Solo lo usamos para comprobar que cada persona responde una vez. No lo guardamos: "
            "guardamos una huella cifrada que no se puede unir a tus respuestas."
        ),
    )


@cache
def _response_form_class(variables: tuple[str, ...], document: bool, proposals: bool) -> type[_ResponseBase]:
    """One form class per combination (built once: WTForms classes are costly to create)."""
    bases = (_ResponseBase, _DocumentFields) if document else (_ResponseBase,)
    attrs: dict = {"profile": FormField(profile_section(variables, ask_before_dropping=True))}
    if not proposals:
        attrs.update(proposal_title=None, proposal_description=None)
    return type("ResponseForm", bases, attrs)


def response_form(consultation, topics: list[tuple[int, str]], *args, **kwargs) -> _ResponseBase:
    """The response form of one consultation: its `topics` ((id, title) a person may choose),
    limit, rule and variables."""
    document = consultation.rule == RULE_DOCUMENT
    cls = _response_form_class(
        tuple(consultation.variables or ()), document, bool(consultation.allow_proposals)
    )
    form = cls(*args, **kwargs)
    form.max_choices = consultation.max_choices
    form.allow_proposals = bool(consultation.allow_proposals)
    form.topic_ids = frozenset(tid for tid, _title in topics)
    form.topics.choices = [(str(tid), title) for tid, title in topics]
    if document:
        form.doc_type.choices = catalogs.choices("document_type", blank=str(_l("— Elige —")))
    return form


def response_data(form: _ResponseBase) -> ResponseData:
    """The validated response form as the response command takes it (fields the form of this
    consultation does not have are left empty)."""
    proposal_title = getattr(form, "proposal_title", None)
    proposal_description = getattr(form, "proposal_description", None)
    doc_type = getattr(form, "doc_type", None)
    doc_number = getattr(form, "doc_number", None)
    return ResponseData(
        topics=tuple(form.chosen_topics),
        profile=answers_of(form.profile.form),
        proposal_title=(proposal_title.data or "") if proposal_title is not None else "",
        proposal_description=(proposal_description.data or "") if proposal_description is not None else "",
        doc_type=(doc_type.data or "") if doc_type is not None else "",
        doc_number=(doc_number.data or "") if doc_number is not None else "",
    )


# ---------------------------------------------------------------------------- staff


def _variable_choices():
    return [(v, QUESTIONS[v]) for v in VARIABLES]


class ConsultationForm(FlaskForm):
    title = StringField(
        _l("Título"),
        validators=[DataRequired(_l("Escribe el título.")), Length(max=200), NoMarkup()],
        filters=[single_line],
    )
    slug = StringField(
        _l("Dirección corta (slug)"),
        filters=[single_line],
        validators=[
            Optional(),
            Length(max=80),
            Regexp(
                SLUG_RE,
                message=_l("Usa solo minúsculas, números y guiones, por ejemplo «temas-rendicion-2026»."),
            ),
        ],
        description=_l("Opcional. Si la dejas vacía la armamos con el título. Queda en /consultas/…"),
    )
    introduction = TextAreaField(
        _l("Introducción en lenguaje claro"),
        validators=[DataRequired(_l("Escribe una introducción.")), Length(max=4000)],
        filters=[clean],
        description=_l("Explica para qué es la consulta y qué pasará con los resultados."),
    )
    title_en = english_version(_l("Título en inglés"), 200)
    introduction_en = english_version(_l("Introducción en inglés"), 4000, long=True)
    office_code = SelectField(
        _l("Dependencia responsable"), validators=[InputRequired(_l("Elige una dependencia."))], choices=[]
    )
    opens_at = DateTimeLocalField(
        _l("Abre (hora de Bogotá)"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Escribe la fecha y hora de apertura."))],
    )
    closes_at = DateTimeLocalField(
        _l("Cierra (hora de Bogotá)"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Escribe la fecha y hora de cierre."))],
    )
    max_choices = IntegerField(
        _l("Máximo de temas que puede elegir cada persona"),
        default=3,
        validators=[
            InputRequired(_l("Escribe un número.")),
            NumberRange(min=1, max=20, message=_l("Escribe un número entre 1 y 20.")),
        ],
    )
    allow_proposals = BooleanField(_l("La ciudadanía puede proponer temas nuevos"), default=True)
    group_by = RadioField(
        _l("Agrupar los temas por"),
        default=GROUP_OFFICE,
        choices=[(GROUP_OFFICE, _l("Dependencia")), (GROUP_LINE, _l("Línea del plan de desarrollo"))],
    )
    rule = RadioField(
        _l("Regla de una respuesta por persona"),
        default=RULE_DEVICE,
        choices=[
            (RULE_DEVICE, _l("Una por navegador (no pide documento; más fácil, menos estricta)")),
            (RULE_DOCUMENT, _l("Una por documento de identidad (se guarda solo una huella cifrada)")),
        ],
    )
    variables = MultiCheckboxField(
        _l("Preguntas de caracterización"),
        choices=[],
        validate_choice=True,
        description=_l("El territorio y la autorización de datos siempre se preguntan."),
    )
    is_public = BooleanField(
        _l("Visible para la ciudadanía"),
        description=_l("Mientras no la marques, la consulta es un borrador que solo ve el equipo."),
    )

    def __init__(self, *args, office_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.office_code.choices = office_choices if office_choices is not None else catalogs.office_choices()
        self.variables.choices = _variable_choices()

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("El cierre debe ser después de la apertura."))


class TopicForm(FlaskForm):
    title = StringField(
        _l("Tema"),
        validators=[DataRequired(_l("Escribe el tema.")), Length(max=160), NoMarkup()],
        filters=[single_line],
    )
    description = TextAreaField(
        _l("Descripción corta"), validators=[Optional(), Length(max=600)], filters=[clean]
    )
    title_en = english_version(_l("Tema en inglés"), 160)
    description_en = english_version(_l("Descripción corta en inglés"), 600, long=True)
    office_code = SelectField(_l("Dependencia"), validators=[Optional()], choices=[])
    plan_line = StringField(
        _l("Línea del plan de desarrollo"),
        validators=[Optional(), Length(max=160), NoMarkup()],
        filters=[single_line],
    )
    events = MultiCheckboxField(
        _l("Eventos en los que se responderá este tema"), choices=[], coerce=int, validators=[Optional()]
    )

    def __init__(self, *args, event_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.office_code.choices = catalogs.office_choices(blank=str(_l("— Sin dependencia —")))
        self.events.choices = list(event_choices)


class ModerationForm(FlaskForm):
    decision = RadioField(
        _l("Decisión"),
        validators=[InputRequired(_l("Elige una decisión."))],
        choices=[
            ("approve", _l("Aprobar: se vuelve un tema que la ciudadanía puede elegir")),
            ("merge", _l("Unir a un tema que ya existe")),
            ("reject", _l("Rechazar, explicando el motivo")),
        ],
    )
    merge_into = SelectField(
        _l("Tema al que se une"), choices=[], validate_choice=False
    )  # checked by the service
    title = StringField(
        _l("Título con el que se publica"),
        validators=[Optional(), Length(max=160), NoMarkup()],
        filters=[single_line],
        description=_l("Puedes corregir la ortografía antes de aprobar."),
    )
    reason = TextAreaField(
        _l("Motivo del rechazo"),
        validators=[Length(max=500)],
        filters=[clean],
        description=_l("Lo verá la ciudadanía. Sé claro y respetuoso."),
    )

    def validate_merge_into(self, field):
        if self.decision.data == "merge" and not field.data:
            raise ValidationError(_l("Elige el tema al que se une la propuesta."))

    def validate_reason(self, field):
        if self.decision.data == "reject" and not field.data:
            raise ValidationError(_l("Escribe el motivo del rechazo."))


def consultation_data(form: ConsultationForm) -> ConsultationData:
    """A validated `ConsultationForm` as `commands.save_consultation` takes it."""
    return ConsultationData(
        title=form.title.data,
        introduction=form.introduction.data,
        office_code=form.office_code.data,
        opens_at=form.opens_at.data,
        closes_at=form.closes_at.data,
        max_choices=form.max_choices.data,
        allow_proposals=bool(form.allow_proposals.data),
        group_by=form.group_by.data,
        rule=form.rule.data,
        is_public=bool(form.is_public.data),
        variables=tuple(form.variables.data or ()),
        slug=form.slug.data or "",
        title_en=form.title_en.data or "",
        introduction_en=form.introduction_en.data or "",
    )


def topic_data(form: TopicForm) -> TopicData:
    """A validated `TopicForm` as `commands.save_topic` takes it."""
    return TopicData(
        title=form.title.data,
        description=form.description.data or "",
        title_en=form.title_en.data or "",
        description_en=form.description_en.data or "",
        office_code=form.office_code.data or "",
        plan_line=form.plan_line.data or "",
        events=tuple(form.events.data or ()),
    )
