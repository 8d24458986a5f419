"""Text hygiene for form input: control characters out, whitespace normalised, limits kept."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean(value):
    """WTForms filter: NFC-normalise, strip control and bidi-override characters and outer space.

    Newlines and tabs are kept (long text); everything else invisible is removed.
    """
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value)
    value = _CONTROL.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def single_line(value):
    """WTForms filter for one-line fields: `clean` plus collapse of inner whitespace."""
    value = clean(value)
    if isinstance(value, str):
        value = re.sub(r"\s+", " ", value)
    return value


class NoMarkup:
    """Refuse text that looks like HTML markup (names, titles): '<' followed by a letter or '/'."""

    def __init__(self, message=None):
        self.message = message or _l("Escribe solo texto, sin etiquetas HTML (< >).")

    def __call__(self, form, field):
        if field.data and re.search(r"<\s*[a-zA-Z/!]", field.data):
            raise ValidationError(self.message)


def document_digits(value: str) -> str:
    """Canonical form of an identity document number for comparison: letters and digits only,
    upper case (so '1.036.222.333' and '1036222333' are the same document)."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def refuse_nul_bytes() -> None:
    """before_request hook: a NUL character in a query string or a form field is refused with the
    400 page before any view runs. No form takes one, and PostgreSQL cannot store one in text (it
    raised a 500 from the query of any field without a filter)."""
    from flask import abort, request

    def has_nul(values) -> bool:
        return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))

    if has_nul(request.args) or (request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data") and has_nul(request.form)):
        abort(400)
