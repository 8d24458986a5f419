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


def strip_nul_bytes() -> None:
    """before_request hook: NUL characters are removed from the query string and form fields
    before any view or form sees them. No field takes one, and PostgreSQL cannot store or compare
    one in text: a field without a text filter (a search box) turned it into a 500."""
    from flask import request
    from werkzeug.datastructures import ImmutableMultiDict

    def cleaned(values):
        if not any("\x00" in k or "\x00" in v for k, v in values.items(multi=True)):
            return None
        return ImmutableMultiDict(
            [(k.replace("\x00", ""), v.replace("\x00", "")) for k, v in values.items(multi=True)]
        )

    args = cleaned(request.args)
    if args is not None:
        request.args = args
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = cleaned(request.form)
        if form is not None:
            request.form = form
