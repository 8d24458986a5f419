"""Colombian identity document numbers: one rule per document type, one normalisation.

Every form that takes a document number validates it here (`DocumentNumber`), and every
comparison uses the same canonical form (`canonical`, which `app.core.hashing.document_hash`
uses through `app.core.text.document_digits`): upper case, with the separators people type
(dots, spaces, dashes, commas) removed. Anything else (quotes, `=`, letters in a cédula) is
refused with a message that says what that document carries, never silently dropped (`' OR 1=1 --`
used to be stored as `OR11`).

The formats (document type codes of the catalog `document_type`):

| code | document | accepted |
|---|---|---|
| CC | Cédula de ciudadanía (Registraduría) | digits, 3–10 (10 since 2003; older ones 6–8, a few shorter) |
| TI | Tarjeta de identidad (minors) | digits, 6–11 (NUIP of 10–11 digits; older cards shorter) |
| RC | Registro civil de nacimiento | digits or letters, 5–11 (NUIP of 10 digits; older serials) |
| CE | Cédula de extranjería (Migración Colombia) | digits, 3–10 (6–8 issued today; older shorter) |
| PA | Pasaporte (Colombian or foreign) | letters and digits, 5–20 |
| PPT | Permiso por Protección Temporal | letters and digits, 5–15 |
| PE | Permiso Especial de Permanencia (PEP) | digits, exactly 15 |
| PT, SC, DE | Permiso temporal, salvoconducto, foreign document | letters and digits, 3–20 |
| SI | Sin identificación | empty |

An entity may add types to the catalog: they get the last rule (letters and digits, 3–20).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation, ValidationError

SEPARATORS = re.compile(r"[.\s,\-]")
NO_DOCUMENT = "SI"


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    message: object  # lazy string: what this document's number carries


RULES: dict[str, Rule] = {
    "CC": Rule(
        re.compile(r"[0-9]{3,10}"),
        _l("La cédula de ciudadanía lleva solo números, de 3 a 10 cifras (puedes escribir los puntos)."),
    ),
    "TI": Rule(
        re.compile(r"[0-9]{6,11}"), _l("La tarjeta de identidad lleva solo números, de 6 a 11 cifras.")
    ),
    "RC": Rule(
        re.compile(r"[0-9A-Z]{5,11}"),
        _l("El registro civil lleva de 5 a 11 números o letras, sin otros signos."),
    ),
    "CE": Rule(
        re.compile(r"[0-9]{3,10}"), _l("La cédula de extranjería lleva solo números, de 3 a 10 cifras.")
    ),
    "PA": Rule(
        re.compile(r"[0-9A-Z]{5,20}"), _l("El pasaporte lleva de 5 a 20 letras o números, sin otros signos.")
    ),
    "PPT": Rule(
        re.compile(r"[0-9A-Z]{5,15}"),
        _l("El número del PPT lleva de 5 a 15 letras o números, sin otros signos."),
    ),
    "PE": Rule(re.compile(r"[0-9]{15}"), _l("El número del PEP lleva exactamente 15 números.")),
}
OTHER = Rule(
    re.compile(r"[0-9A-Z]{3,20}"),
    _l("El número de documento lleva de 3 a 20 letras o números, sin otros signos."),
)


def canonical(value: str | None) -> str:
    """The number as compared and stored: NFKC, upper case, typed separators removed. (Other
    characters stay, so a rule can refuse them.)"""
    value = unicodedata.normalize("NFKC", value or "")
    return SEPARATORS.sub("", value).upper()


def problem(doc_type: str | None, number: str | None):
    """None when `number` is a valid number for `doc_type`, else the message saying why."""
    if (doc_type or "") == NO_DOCUMENT:
        return None
    rule = RULES.get(doc_type or "", OTHER)
    return None if rule.pattern.fullmatch(canonical(number)) else rule.message


class DocumentNumber:
    """WTForms validator for a document number field next to a `doc_type` field: the rule of
    the chosen type. `required=False` lets it be blank (paper rows without a document)."""

    def __init__(self, type_field: str = "doc_type", required: bool = True, message_missing=None):
        self.type_field = type_field
        self.required = required
        self.message_missing = message_missing or _l("Escribe el número de tu documento.")
        self.field_flags = {"required": True} if required else {}

    def __call__(self, form, field):
        doc_type = form[self.type_field].data or ""
        if not canonical(field.data):
            if doc_type == NO_DOCUMENT or not self.required:
                field.data = ""
                raise StopValidation()
            raise StopValidation(self.message_missing)
        if doc_type == NO_DOCUMENT:
            return
        message = problem(doc_type, field.data)
        if message is not None:
            raise ValidationError(message)
        # field.data stays as typed (a re-shown form keeps the person's input); what is stored
        # and compared is the canonical form (`app.core.text.document_digits`, equal to
        # `canonical` for every number that passed this rule).
