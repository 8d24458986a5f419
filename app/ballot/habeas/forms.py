"""Forms for data-subject requests: the citizen's request, the steward's verification and erasure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.catalogs import queries as catalogs
from app.core.fields import MultiCheckboxField, RadioField, SelectField
from app.core.text import NoMarkup, clean, document_digits, single_line

from ..forms import email_field, phone_field
from .commands import CLAIM_RIGHTS, DETAILS_MAX, REASON_MAX, REASON_MIN, RIGHTS


def _document(form, field):
    digits = document_digits(field.data or "")
    if not digits:
        raise ValidationError(_l("Escribe el número de documento."))
    if not 3 <= len(digits) <= 20:
        raise ValidationError(_l("El número de documento debe tener entre 3 y 20 letras o números."))


def _document_types() -> list[tuple[str, str]]:
    return [(c, n) for c, n in catalogs.choices("document_type", blank=str(_l("— Elige —"))) if c != "SI"]


class DataRequestForm(FlaskForm):
    kind = RadioField(
        _l("¿Qué quieres hacer?"),
        choices=[
            (
                "data_consultation",
                _l(
                    "Una consulta: saber qué datos míos tienen y cómo los usan (respuesta en "
                    "máximo 10 días hábiles)."
                ),
            ),
            (
                "data_claim",
                _l(
                    "Un reclamo: que actualicen, corrijan o borren mis datos, o revocar mi "
                    "autorización (respuesta en máximo 15 días hábiles)."
                ),
            ),
        ],
        validators=[InputRequired(message=_l("Elige si haces una consulta o un reclamo."))],
    )
    rights = MultiCheckboxField(
        _l("En el reclamo, ¿qué quieres que hagamos?"),
        choices=[(r, RIGHTS[r]) for r in CLAIM_RIGHTS],
        validators=[Optional()],
        description=_l("Solo si haces un reclamo. Puedes marcar varias opciones."),
    )
    name = StringField(
        _l("Nombre completo"),
        filters=[single_line],
        validators=[InputRequired(message=_l("Escribe tu nombre completo.")), Length(max=160), NoMarkup()],
        render_kw={"autocomplete": "name"},
    )
    doc_type = SelectField(
        _l("Tipo de documento"),
        choices=[],
        validators=[InputRequired(message=_l("Elige el tipo de documento."))],
    )
    doc_number = StringField(
        _l("Número de documento"),
        filters=[single_line],
        validators=[_document, Length(max=30)],
        description=_l(
            "Con él buscamos tus datos. No lo guardamos: solo una huella cifrada para comprobar tu identidad."
        ),
        render_kw={"autocomplete": "off"},
    )
    email = email_field(_l("Te enviaremos el radicado y la respuesta."))
    phone = phone_field()
    details = TextAreaField(
        _l("Cuéntanos más (opcional)"),
        filters=[clean],
        validators=[Optional(), Length(max=DETAILS_MAX)],
        description=_l("Por ejemplo, qué dato está mal y cuál es el correcto, o en qué evento firmaste."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.doc_type.choices = _document_types()

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.kind.data == "data_claim" and not self.rights.data:
            self.rights.errors = [
                *self.rights.errors,
                str(_l("Elige qué quieres que hagamos con tus datos.")),
            ]
            ok = False
        if not self.email.data and not self.phone.data:
            self.email.errors = [
                *self.email.errors,
                str(_l("Escribe un correo o un teléfono para responderte.")),
            ]
            ok = False
        return ok


class VerifyForm(FlaskForm):
    """The document the steward checked on the person's identity document (never stored)."""

    doc_type = SelectField(
        _l("Tipo de documento"),
        choices=[],
        validators=[InputRequired(message=_l("Elige el tipo de documento."))],
    )
    doc_number = StringField(
        _l("Número de documento"),
        filters=[single_line],
        validators=[_document, Length(max=30)],
        description=_l(
            "El de la copia del documento con la que la persona acreditó su "
            "identidad. Debe coincidir con el que dio al radicar."
        ),
        render_kw={"autocomplete": "off"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.doc_type.choices = _document_types()


class EraseForm(FlaskForm):
    doc_type = HiddenField()
    doc_number = HiddenField()
    records = MultiCheckboxField(_l("Registros que se borran"), choices=[], validators=[Optional()])
    reason = TextAreaField(
        _l("Motivo (queda en el registro de auditoría)"),
        filters=[clean],
        validators=[InputRequired(message=_l("Explica el motivo.")), Length(min=REASON_MIN, max=REASON_MAX)],
    )
