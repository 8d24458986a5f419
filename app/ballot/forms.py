"""Forms of the urna virtual: deposit and lookup (citizens), inbox filters and actions (staff)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Form, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from app.catalogs import queries as catalogs
from app.characterization.forms import profile_section
from app.core import registry
from app.core.fields import RadioField, SelectField
from app.core.text import NoMarkup, clean, single_line

from .commands import Deposit
from .models import STATUSES
from .rules import ANSWER_MAX, DATA_KINDS, KINDS, NOTE_MAX, STATUS_LABELS, TEXT_MAX, TEXT_MIN

PROFILE_VARIABLES = ("life_course", "sex", "ethnicity", "disability", "victim", "value_group")
PHONE_RE = re.compile(r"^\+?[\d\s().\-]{7,20}$")


def _hook_choices(name: str, blank: str) -> list[tuple[str, str]]:
    options = registry.get().call(name)
    return [("", blank)] + [(str(i), str(label)) for i, label in options] if options else []


def _valid_phone(form, field):
    if field.data:
        digits = re.sub(r"\D", "", field.data)
        if not PHONE_RE.match(field.data) or not 7 <= len(digits) <= 15:
            raise ValidationError(_l("Escribe un teléfono de 7 a 15 dígitos, por ejemplo 300 123 4567."))


def email_field(description=None) -> StringField:
    """The optional contact e-mail of the urna's forms (deposit, data-subject requests)."""
    return StringField(
        _l("Correo electrónico"),
        filters=[single_line],
        validators=[
            Optional(),
            Length(max=255),
            Email(message=_l("Escribe un correo válido, por ejemplo nombre@dominio.co.")),
        ],
        render_kw={"autocomplete": "email", "type": "email", "inputmode": "email"},
        description=description,
    )


def phone_field(description=None) -> StringField:
    """The optional contact phone of the urna's forms."""
    return StringField(
        _l("Teléfono"),
        filters=[single_line],
        validators=[Optional(), Length(max=30), _valid_phone],
        render_kw={"autocomplete": "tel", "type": "tel", "inputmode": "tel"},
        description=description,
    )


class DepositForm(FlaskForm):
    kind = RadioField(
        _l("¿Qué quieres enviar?"),
        choices=[(k, v[0]) for k, v in KINDS.items() if k not in DATA_KINDS],
        validators=[InputRequired(message=_l("Elige el tipo de solicitud."))],
    )
    text = TextAreaField(
        _l("Escribe tu pregunta, propuesta o solicitud"),
        filters=[clean],
        validators=[
            InputRequired(message=_l("Escribe el texto de tu solicitud.")),
            Length(min=TEXT_MIN, max=TEXT_MAX, message=_l("Escribe entre %(min)d y %(max)d caracteres.")),
        ],
        description=_l(
            "Entre %(min)s y %(max)s caracteres. No incluyas datos de otras personas.",
            min=TEXT_MIN,
            max=TEXT_MAX,
        ),
    )
    office = SelectField(
        _l("Dependencia a la que va dirigida"),
        validators=[Optional()],
        choices=[],
        description=_l("Si no sabes cuál es, déjalo así: la entidad la enruta."),
    )
    topic = SelectField(_l("Tema"), validators=[Optional()], choices=[])
    event = SelectField(
        _l("Evento de rendición de cuentas en el que quieres que se responda"),
        validators=[Optional()],
        choices=[],
    )
    territory = SelectField(_l("¿Sobre qué comuna o corregimiento es?"), validators=[Optional()], choices=[])
    identity = RadioField(
        _l("¿Quieres dejar tu nombre?"),
        default="anonymous",
        choices=[
            (
                "anonymous",
                _l("No, enviar sin nombre. Solo podrás ver la respuesta con tu radicado y tu código."),
            ),
            ("named", _l("Sí, con mi nombre y un correo o teléfono para recibir avisos.")),
        ],
        validators=[InputRequired(message=_l("Elige si quieres dejar tu nombre."))],
    )
    name = StringField(
        _l("Nombre completo"),
        filters=[single_line],
        validators=[Optional(), Length(max=160), NoMarkup()],
        render_kw={"autocomplete": "name"},
    )
    email = email_field(_l("Te enviaremos el radicado, los avisos y la respuesta."))
    phone = phone_field(_l("Solo para contactarte si hace falta; los avisos automáticos llegan por correo."))
    profile = FormField(profile_section(PROFILE_VARIABLES, ask_before_dropping=True))
    nonce = HiddenField()  # one-time mark of this form: posting it twice files one radicado

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.office.choices = catalogs.office_choices(blank=str(_l("No sé / que la entidad decida")))
        self.territory.choices = catalogs.territory_choices(blank=str(_l("Todo el municipio o no aplica")))
        topics = _hook_choices("topic_options", str(_l("Sin tema")))
        events = _hook_choices("event_options", str(_l("Ninguno en particular")))
        if topics:
            self.topic.choices = topics
        else:
            del self.topic
        if events:
            self.event.choices = events
        else:
            del self.event

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.identity.data == "named":
            if not self.name.data:
                self.name.errors = [
                    *self.name.errors,
                    str(_l("Escribe tu nombre, o elige enviar sin nombre.")),
                ]
                ok = False
            if not self.email.data and not self.phone.data:
                self.email.errors = [
                    *self.email.errors,
                    str(_l("Escribe un correo o un teléfono para avisarte, o elige enviar sin nombre.")),
                ]
                ok = False
            if not self.profile.form.consent.data:
                self.profile.form.consent.errors = [
                    *self.profile.form.consent.errors,
                    str(
                        _l(
                            "Para guardar tu nombre y tus datos de contacto necesitamos tu autorización. Si "
                            "prefieres "
                            "no darla, elige enviar sin nombre."
                        )
                    ),
                ]
                ok = False
        return ok

    def deposit_data(self) -> Deposit:
        """What `commands.deposit` takes, from the validated form."""
        named = self.identity.data == "named"
        return Deposit(
            kind=self.kind.data,
            text=self.text.data,
            office_code=self.office.data or None,
            territory=self.territory.data or None,
            topic_id=int(self.topic.data) if "topic" in self and self.topic.data else None,
            event_id=int(self.event.data) if "event" in self and self.event.data else None,
            anonymous=not named,
            name=self.name.data if named else None,
            email=self.email.data if named else None,
            phone=self.phone.data if named else None,
        )


class LookupForm(FlaskForm):
    radicado = StringField(
        _l("Número de radicado"),
        filters=[single_line],
        validators=[InputRequired(message=_l("Escribe tu número de radicado.")), Length(max=30)],
        description=_l("Por ejemplo UV-2026-000123."),
        render_kw={"autocomplete": "off"},
    )
    code = StringField(
        _l("Código de consulta"),
        filters=[single_line],
        validators=[InputRequired(message=_l("Escribe el código que recibiste al radicar.")), Length(max=30)],
        description=_l("Son 10 letras y números, por ejemplo K7P2M-9QX4T."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


# ---------------------------------------------------------------------------- staff


class InboxFilterForm(Form):
    estado = SelectField(_l("Estado"), choices=[], validators=[Optional()])
    dependencia = SelectField(_l("Dependencia"), choices=[], validators=[Optional()])
    territorio = SelectField(_l("Territorio"), choices=[], validators=[Optional()])
    tipo = SelectField(_l("Tipo"), choices=[], validators=[Optional()])
    alerta = SelectField(_l("Plazo"), choices=[], validators=[Optional()])
    q = StringField(_l("Radicado"), validators=[Optional(), Length(max=30)])

    def __init__(self, *args, offices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.estado.choices = [("", str(_l("Todos")))] + [(s, str(STATUS_LABELS[s])) for s in STATUSES]
        self.dependencia.choices = [("", str(_l("Todas"))), ("none", str(_l("Sin asignar")))] + offices
        self.territorio.choices = catalogs.territory_choices(blank=str(_l("Todos")))
        self.tipo.choices = [("", str(_l("Todos")))] + [(k, str(v[0])) for k, v in KINDS.items()]
        self.alerta.choices = [
            ("", str(_l("Todos"))),
            ("overdue", str(_l("Vencidas"))),
            ("due_soon", str(_l("Por vencer (3 días hábiles)"))),
        ]


class RouteForm(FlaskForm):
    office = SelectField(_l("Dependencia responsable"), choices=[], validators=[Optional()])
    kind = SelectField(
        _l("Tipo de solicitud"),
        choices=[(k, v[0]) for k, v in KINDS.items()],
        validators=[InputRequired()],
        description=_l("Si cambias el tipo, el plazo se recalcula desde la fecha de radicación."),
    )
    event = SelectField(_l("Evento en el que se responderá"), choices=[], validators=[Optional()])
    topic = SelectField(_l("Tema"), choices=[], validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.office.choices = catalogs.office_choices(blank=str(_l("Sin asignar")))
        self.event.choices = _hook_choices("event_options", str(_l("Ninguno"))) or [("", str(_l("Ninguno")))]
        self.topic.choices = _hook_choices("topic_options", str(_l("Sin tema"))) or [
            ("", str(_l("Sin tema")))
        ]


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Nota interna"),
        filters=[clean],
        id="note-body",  # the answer form has id="body"
        validators=[InputRequired(message=_l("Escribe la nota.")), Length(max=NOTE_MAX)],
        description=_l("Solo la ven los funcionarios; la ciudadanía nunca la ve."),
    )


class AnswerForm(FlaskForm):
    body = TextAreaField(
        _l("Respuesta a la ciudadanía"),
        filters=[clean],
        validators=[InputRequired(message=_l("Escribe la respuesta.")), Length(min=10, max=ANSWER_MAX)],
        description=_l("Lenguaje claro. Se guarda como borrador; otra persona la aprueba antes de enviarla."),
    )


class ExtendForm(FlaskForm):
    new_due = DateField(
        _l("Nueva fecha de vencimiento"), validators=[InputRequired(message=_l("Elige la nueva fecha."))]
    )
    reason = TextAreaField(
        _l("Motivo (se le informa a la ciudadanía)"),
        filters=[clean],
        validators=[InputRequired(message=_l("Explica el motivo.")), Length(min=10, max=1000)],
    )


class PublicVersionForm(FlaskForm):
    title = StringField(
        _l("Título público"),
        filters=[single_line],
        validators=[InputRequired(message=_l("Escribe un título.")), Length(min=5, max=200), NoMarkup()],
    )
    question = TextAreaField(
        _l("Pregunta (versión pública)"),
        filters=[clean],
        validators=[InputRequired(message=_l("Escribe la pregunta.")), Length(max=TEXT_MAX)],
    )
    answer = TextAreaField(
        _l("Respuesta (versión pública)"),
        filters=[clean],
        validators=[InputRequired(message=_l("Escribe la respuesta.")), Length(max=ANSWER_MAX)],
    )
    confirm = BooleanField(
        _l("Revisé el texto: lo que queda son datos institucionales que pueden publicarse.")
    )
