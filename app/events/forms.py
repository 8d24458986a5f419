"""Forms of the events capability: the event (planning format), the attendee's sign-in, the
paper list's entry row, the anonymous characterisation slips, closing, cancelling and the typed code.

`SHEET_COLUMNS` is the one list of the attendance list's columns: the sign-in form's first step
asks them, the printable paper list prints them, and the paper entry screen types them in, in the
same order. Identity and consent only. `SLIP_QUESTIONS` is the characterisation (the second step
on the phone): on paper it goes on separate anonymous slips, typed in apart (`SlipForm`).
"""

from __future__ import annotations

import dataclasses
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.catalogs import queries as catalogs
from app.characterization.forms import profile_section
from app.core.fields import CodeField, MultiCheckboxField, RadioField, SelectField, english_version
from app.core.id_documents import DocumentNumber
from app.core.text import NoMarkup, clean, single_line
from app.events.commands import EventData, Signature

# Characterisation variables an attendance list asks (territory and consent always come too).
VARIABLES = ("life_course", "sex", "ethnicity", "disability", "victim", "value_group")

CONVOCATION_CHANNELS = {
    "web": _l("Página web y redes sociales de la entidad"),
    "whatsapp": _l("WhatsApp y mensajes de texto"),
    "email": _l("Correo electrónico"),
    "radio": _l("Radio, emisora comunitaria o televisión local"),
    "posters": _l("Carteles, volantes y perifoneo"),
    "leaders": _l("Juntas de acción comunal y líderes comunitarios"),
    "letter": _l("Invitación directa por oficio"),
}

# (key, label on the paper list). Keys name the sign-in form's fields; "signature" exists only on
# paper. No characterisation column: it goes on the anonymous slips (docs/privacy/storage.md).
SHEET_COLUMNS = (
    ("name", _l("Nombre completo")),
    ("doc_type", _l("Tipo de documento")),
    ("doc_number", _l("Número de documento")),
    ("contact", _l("Teléfono o correo (opcional)")),
    ("consent", _l("Autorizo el tratamiento de mis datos (marca X)")),
    ("signature", _l("Firma")),
)

# (key, short label) of the anonymous slip's questions, in the second step's order; keys name the
# characterisation fields. The slip prints the citizen form's question and its codes.
SLIP_QUESTIONS = (
    ("life_course", _l("Rango de edad")),
    ("sex", _l("Sexo al nacer")),
    ("ethnicity", _l("Etnia")),
    ("disability", _l("Discapacidad")),
    ("victim", _l("Víctima del conflicto")),
    ("zone", _l("Zona")),
    ("territory", _l("Comuna o corregimiento")),
    ("subterritory", _l("Barrio o vereda")),
    ("value_group", _l("Grupo de valor")),
    ("organisation", _l("Organización")),
)

COLUMN = dict(SHEET_COLUMNS) | dict(SLIP_QUESTIONS)
_CODE_INPUT = {
    "autocomplete": "off",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "class": "code-input",
}  # the paper entry screen uses the sheet's own column names
NAME = _l("Nombre completo")
DOC_NUMBER_HINT = _l(
    "Puedes escribirlo con o sin puntos. Si no tienes documento, elige «Sin identificación» y déjalo vacío."
)


class SignInForm(FlaskForm):
    """The attendee's form, opened from the QR on their own phone: identity and consent only (the
    characterisation is the optional second step, `ProfileStepForm`)."""

    name = StringField(
        NAME,
        validators=[DataRequired(_l("Escribe tu nombre completo.")), Length(min=3, max=160), NoMarkup()],
        filters=[single_line],
        render_kw={"autocomplete": "name"},
    )
    doc_type = SelectField(
        _l("Tipo de documento"), validators=[InputRequired(_l("Elige el tipo de documento."))], choices=[]
    )
    doc_number = StringField(
        _l("Número de documento"),
        validators=[DocumentNumber(), Length(max=30)],
        filters=[single_line],
        description=DOC_NUMBER_HINT,
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    contact = StringField(
        _l("Teléfono o correo electrónico"),
        validators=[Optional(), Length(max=120), NoMarkup()],
        filters=[single_line],
        description=_l("Opcional. Solo lo usaremos para enviarte la memoria y los compromisos del evento."),
    )
    consent = BooleanField(
        _l("Autorizo el tratamiento de mis datos para el listado de asistencia."),
        description=_l(
            "Sin esta autorización no podemos guardar tu firma. Si prefieres no darla, "
            "firma la planilla en papel con el equipo del evento."
        ),
    )
    nonce = HiddenField()
    ticket = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.doc_type.choices = catalogs.choices("document_type", blank=str(_l("— Elige —")))


class ProfileStepForm(FlaskForm):
    """The optional second step after signing: "who takes part" (stored apart from the signature)."""

    profile = FormField(profile_section(VARIABLES))
    step = HiddenField()


class PaperRowForm(FlaskForm):
    """One row of a paper attendance list, typed by staff (same columns, in the same order):
    identity and consent only. The characterisation comes apart, on the anonymous slips."""

    name = StringField(
        NAME,
        validators=[Optional(), Length(max=160), NoMarkup()],
        filters=[single_line],
        render_kw={"autofocus": True, "autocomplete": "off"},
    )
    doc_type = CodeField(_l("Tipo de documento"), validators=[Optional()], render_kw=_CODE_INPUT)
    doc_number = StringField(
        _l("Número de documento"),
        validators=[Length(max=30), DocumentNumber(required=False)],
        filters=[single_line],
    )
    contact = StringField(
        COLUMN["contact"], validators=[Optional(), Length(max=120), NoMarkup()], filters=[single_line]
    )
    consent = BooleanField(_l("La persona marcó la autorización de datos en la planilla"))
    nonce = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.doc_type.choices = catalogs.choices("document_type")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not self.name.data and not (self.doc_number.data or "").strip():
            # Enter on an empty form, or a row skipped on the sheet: nothing to record
            self.name.errors = [
                *self.name.errors,
                str(
                    _l(
                        "Esta fila está vacía: escribe el nombre o el documento "
                        "tal como aparecen en la planilla."
                    )
                ),
            ]
            ok = False
        if self.consent.data:
            if not self.name.data:
                self.name.errors = [
                    *self.name.errors,
                    str(_l("Escribe el nombre tal como aparece en la planilla.")),
                ]
                ok = False
        if self.doc_number.data and not self.doc_type.data:
            self.doc_type.errors = [
                *self.doc_type.errors,
                str(_l("Escribe el tipo del documento escrito en la planilla.")),
            ]
            ok = False
        return ok


class CodesField(StringField):
    """Several codes printed on a slip, typed separated by spaces or commas ("01 03"): the
    disability types, where a person may mark more than one. Same rule as `CodeField` for each
    code (any case; "1" for "01"); `data` is the list of codes."""

    def __init__(self, label=None, validators=None, choices=(), **kwargs):
        super().__init__(label, validators, **kwargs)
        self.choices = list(choices)

    def process_formdata(self, valuelist):
        if valuelist:
            self.raw_data = [valuelist[0] if isinstance(valuelist[0], str) else ""]
            self.data = [part for part in re.split(r"[\s,;/.-]+", self.raw_data[0].upper()) if part]

    def _value(self):
        return self.raw_data[0] if self.raw_data else " ".join(self.data or [])

    def pre_validate(self, form):
        self.data = self.data or []
        codes = [str(code) for code, _label in self.choices if code]
        exact = {code.upper(): code for code in codes}
        found = []
        for part in self.data:
            numeric = [c for c in codes if part.isdigit() and c.isdigit() and int(c) == int(part)]
            code = exact.get(part) or (numeric[0] if len(numeric) == 1 else None)
            if code is None:
                raise ValidationError(
                    _l(
                        "Escribe uno o varios códigos de la ficha, separados por espacios: %(codes)s.",
                        codes=", ".join(codes),
                    )
                )
            if code not in found:
                found.append(code)
        self.data = found


class SlipCodeField(CodeField):
    """A code marked on a slip: refused with the codes printed on it (the barrio or vereda: with
    where to find its code, the list is too long to repeat)."""

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            codes = [str(code) for code, _label in self.choices if code]
            if len(codes) > 30:
                raise ValidationError(
                    _l(
                        "Ese código no está en la hoja de códigos de barrios y veredas: "
                        "revisa la ficha y escríbelo como aparece en esa hoja."
                    )
                ) from None
            raise ValidationError(
                _l("Escribe uno de los códigos impresos en la ficha: %(codes)s.", codes=", ".join(codes))
            ) from None


class SlipForm(Form):
    """One anonymous characterisation slip, typed by staff: the codes marked on it, no identity.
    Blank fields are no answer; a row left wholly blank is no slip."""

    life_course = SlipCodeField(COLUMN["life_course"], validators=[Optional()], render_kw=_CODE_INPUT)
    sex = SlipCodeField(COLUMN["sex"], validators=[Optional()], render_kw=_CODE_INPUT)
    ethnicity = SlipCodeField(COLUMN["ethnicity"], validators=[Optional()], render_kw=_CODE_INPUT)
    disability = CodesField(
        COLUMN["disability"],
        render_kw=_CODE_INPUT,
        description=_l("Uno o varios códigos, separados por espacios."),
    )
    victim = SlipCodeField(COLUMN["victim"], validators=[Optional()], render_kw=_CODE_INPUT)
    zone = SlipCodeField(COLUMN["zone"], validators=[Optional()], render_kw=_CODE_INPUT)
    territory = SlipCodeField(COLUMN["territory"], validators=[Optional()], render_kw=_CODE_INPUT)
    subterritory = SlipCodeField(COLUMN["subterritory"], validators=[Optional()], render_kw=_CODE_INPUT)
    value_group = SlipCodeField(COLUMN["value_group"], validators=[Optional()], render_kw=_CODE_INPUT)
    organisation = StringField(
        COLUMN["organisation"], validators=[Optional(), Length(max=160), NoMarkup()], filters=[single_line]
    )
    consent = BooleanField(_l("La ficha tiene marcada la autorización"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("sex", "ethnicity", "victim", "zone", "value_group"):
            self[name].choices = catalogs.choices(name)
        self.life_course.choices = catalogs.choices("life_course")
        self.disability.choices = catalogs.choices("disability")
        self.territory.choices = [c for c in catalogs.territory_choices() if c[0]]
        self.subterritory_tree = catalogs.subterritory_tree()
        self.subterritory.choices = [kid for _name, kids in self.subterritory_tree.values() for kid in kids]

    def is_blank(self) -> bool:
        return not any(self[name].data for name, _label in SLIP_QUESTIONS)

    def validate(self, extra_validators=None):
        if self.is_blank():
            for f in self:
                f.errors = []
            return True
        ok = super().validate(extra_validators)
        chosen, barrio = self.territory.data, self.subterritory.data
        if ok and barrio and chosen and chosen in self.subterritory_tree:
            if barrio not in {code for code, _n in self.subterritory_tree[chosen][1]}:
                self.subterritory.errors = [
                    *self.subterritory.errors,
                    str(
                        _l(
                            "El barrio o vereda %(code)s no es de la comuna o corregimiento %(parent)s "
                            "escrito en la "
                            "ficha: revisa los dos códigos.",
                            code=barrio,
                            parent=chosen,
                        )
                    ),
                ]
                ok = False
        if not self.consent.data:
            self.consent.errors = [
                *self.consent.errors,
                str(
                    _l(
                        "Esta ficha no tiene marcada la autorización: sus respuestas no se pueden guardar. "
                        "Borra "
                        "esta fila y guarda la ficha aparte, sin digitarla."
                    )
                ),
            ]
            ok = False
        return ok

    def answers(self) -> dict:
        """The slip's answers, as the characterisation stores them (the comuna of a barrio written
        without its comuna is the barrio's own)."""
        out = {name: (self[name].data or None) for name, _label in SLIP_QUESTIONS if name != "disability"}
        out["disability"] = list(self.disability.data or [])
        if out["subterritory"] and not out["territory"]:
            out["territory"] = next(
                (
                    code
                    for code, (_n, kids) in self.subterritory_tree.items()
                    if any(k == out["subterritory"] for k, _name in kids)
                ),
                None,
            )
        return out


SLIP_ROWS = (1, 5, 10)  # slips per page on the entry screen (one at a time, or several)


class SlipsForm(FlaskForm):
    """A page of slips typed from one stack (one or several rows)."""

    slips = FieldList(FormField(SlipForm), min_entries=1, max_entries=max(SLIP_ROWS))
    nonce = HiddenField()

    def filled(self) -> list[SlipForm]:
        return [entry.form for entry in self.slips if not entry.form.is_blank()]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not self.filled():
            self.form_errors.append(
                str(_l("No digitaste ninguna ficha: escribe los códigos de al menos una."))
            )
            ok = False
        return ok


class EventForm(FlaskForm):
    title = StringField(
        _l("Título"),
        validators=[DataRequired(_l("Escribe el título del evento.")), Length(max=200), NoMarkup()],
        filters=[single_line],
    )
    kind = SelectField(
        _l("Tipo de evento"), validators=[InputRequired(_l("Elige el tipo de evento."))], choices=[]
    )
    description = TextAreaField(
        _l("Descripción"),
        validators=[Optional(), Length(max=5000)],
        filters=[clean],
        description=_l("Qué pasará y por qué vale la pena asistir, en lenguaje claro."),
    )
    title_en = english_version(_l("Título en inglés"), 200)
    description_en = english_version(_l("Descripción en inglés"), 5000, long=True)
    day = DateField(_l("Fecha"), validators=[InputRequired(_l("Escribe la fecha del evento."))])
    start = TimeField(_l("Hora de inicio"), validators=[InputRequired(_l("Escribe la hora de inicio."))])
    end = TimeField(
        _l("Hora de finalización"), validators=[InputRequired(_l("Escribe la hora de finalización."))]
    )
    place = StringField(
        _l("Lugar (dirección o sede)"),
        validators=[DataRequired(_l("Escribe el lugar del evento.")), Length(max=255), NoMarkup()],
        filters=[single_line],
    )
    territory = SelectField(_l("Comuna o corregimiento"), validators=[Optional()], choices=[])
    offices = MultiCheckboxField(_l("Dependencias responsables"), choices=[])
    targets = MultiCheckboxField(_l("Grupos de valor a los que se dirige"), choices=[])
    objective = TextAreaField(_l("Objetivo"), validators=[Optional(), Length(max=5000)], filters=[clean])
    methodology = TextAreaField(_l("Metodología"), validators=[Optional(), Length(max=5000)], filters=[clean])
    agenda = TextAreaField(
        _l("Agenda"),
        validators=[Optional(), Length(max=5000)],
        filters=[clean],
        description=_l("Una actividad por línea, con su hora."),
    )
    topics = TextAreaField(_l("Temas"), validators=[Optional(), Length(max=5000)], filters=[clean])
    expected_attendance = IntegerField(
        _l("Asistencia esperada (personas)"), validators=[Optional(), NumberRange(min=0, max=1000000)]
    )
    logistics = TextAreaField(
        _l("Logística"),
        validators=[Optional(), Length(max=5000)],
        filters=[clean],
        description=_l("Sonido, sillas, refrigerios, accesibilidad, intérprete de lengua de señas…"),
    )
    channels = MultiCheckboxField(_l("Canales de convocatoria"), choices=[])
    channels_other = StringField(
        _l("Otros canales de convocatoria"),
        validators=[Optional(), Length(max=255), NoMarkup()],
        filters=[single_line],
    )
    opens_before_min = IntegerField(
        _l("Abrir la firma de asistencia (minutos antes del inicio)"),
        validators=[InputRequired(_l("Escribe un número de minutos.")), NumberRange(min=0, max=1440)],
    )
    closes_after_min = IntegerField(
        _l("Cerrar la firma de asistencia (minutos después del final)"),
        validators=[InputRequired(_l("Escribe un número de minutos.")), NumberRange(min=0, max=1440)],
    )
    fixed_link_enabled = BooleanField(
        _l("Permitir el enlace fijo del cartel impreso y el código escrito"),
        description=_l(
            "Si lo desactivas, solo sirve el QR que cambia cada minuto en la pantalla de proyección."
        ),
    )

    def __init__(self, *args, office_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = catalogs.choices("event_kind", blank=str(_l("— Elige —")))
        self.territory.choices = catalogs.territory_choices(
            blank=str(_l("— Toda la ciudad o sin territorio —"))
        )
        self.offices.choices = office_choices if office_choices is not None else catalogs.office_choices()
        self.targets.choices = catalogs.choices("value_group")
        self.channels.choices = [(k, str(v)) for k, v in CONVOCATION_CHANNELS.items()]

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("La hora de finalización debe ser posterior a la de inicio."))


class CloseForm(FlaskForm):
    attendance_total = IntegerField(
        _l("Total de asistentes"),
        validators=[InputRequired(_l("Escribe el total de asistentes.")), NumberRange(min=0, max=1000000)],
        description=_l("Incluye a quienes no firmaron; por defecto, las firmas registradas."),
    )
    summary = TextAreaField(
        _l("Resumen del evento"),
        validators=[DataRequired(_l("Escribe un resumen del evento.")), Length(max=10000)],
        filters=[clean],
    )
    commitments = TextAreaField(
        _l("Compromisos adquiridos"),
        validators=[Optional(), Length(max=10000)],
        filters=[clean],
        description=_l("Uno por línea, con la dependencia responsable y la fecha."),
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Motivo de la cancelación"),
        validators=[
            DataRequired(_l("Escribe el motivo; se publica en la página del evento.")),
            Length(max=500),
        ],
        filters=[clean],
    )


class RowCorrectionForm(FlaskForm):
    """Correct or void one row of the official list, always with a reason (kept in the audit log)."""

    action = RadioField(
        _l("¿Qué quieres hacer con esta fila?"),
        choices=[
            ("correct", _l("Corregir los datos (un error al digitar o al escribir)")),
            (
                "void",
                _l("Anular la fila (firmó por error o está repetida): queda en el listado como anulada"),
            ),
        ],
        validators=[InputRequired(_l("Elige si corriges o anulas la fila."))],
    )
    name = StringField(NAME, validators=[Optional(), Length(max=160), NoMarkup()], filters=[single_line])
    doc_type = CodeField(_l("Tipo de documento"), validators=[Optional()], render_kw=_CODE_INPUT)
    doc_number = StringField(
        _l("Número de documento"),
        validators=[Length(max=30), DocumentNumber(required=False)],
        filters=[single_line],
    )
    contact = StringField(
        COLUMN["contact"], validators=[Optional(), Length(max=120), NoMarkup()], filters=[single_line]
    )
    reason = TextAreaField(
        _l("Motivo"),
        filters=[clean],
        validators=[
            InputRequired(_l("Escribe el motivo: queda en el registro de auditoría.")),
            Length(min=10, max=300),
        ],
        description=_l("Por ejemplo: «Se digitó 43111222 y en la planilla dice 43111122»."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.doc_type.choices = catalogs.choices("document_type")


# ---------------------------------------------------------------------------- typed data for commands

_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(EventData))
_LISTS = ("offices", "targets", "channels")


def event_data(form: EventForm) -> EventData:
    """The validated event form as `commands.EventData`."""
    values = {name: form[name].data for name in _EVENT_FIELDS}
    for name in _LISTS:
        values[name] = tuple(values[name] or ())
    return EventData(**values)


def signature(form: SignInForm | PaperRowForm) -> Signature:
    """A validated sign-in form or paper row as `commands.Signature` (identity and consent)."""
    return Signature(
        name=form.name.data,
        doc_type=form.doc_type.data,
        doc_number=form.doc_number.data,
        contact=form.contact.data,
        consent=bool(form.consent.data),
        nonce=form.nonce.data or "",
    )
