"""WTForms' own messages, replaced by ours: every form error in the page's language, saying what
the field needs, never a library's default wording.

WTForms asks its `translations` object for each default message ("This field is required.",
"Not a valid integer value.", "Field cannot be longer than %(max)d characters."…). Every form here
gets `CATALOGUE` as that object: Flask-WTF forms through `request.wtforms_translations` (set by
`app.core.i18n.wtforms_translations` before each request) and plain `wtforms.Form` classes (filter
forms, the characterisation section inside a FormField) through `DefaultMeta.get_translations`,
set once in `install()`. A default message with no entry below falls back to a generic Spanish
or English sentence, never the English default; a test lists WTForms' messages and fails on any
without an entry.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_translations, gettext
from flask_babel import lazy_gettext as _l
from wtforms.meta import DefaultMeta

# WTForms (3.x) default msgid -> our message. Plural msgids map to (singular, plural).
MESSAGES = {
    "This field is required.": _l("Completa este campo."),
    "Invalid input.": _l("Revisa lo que escribiste en este campo."),
    "Not a valid choice.": _l("Elige una de las opciones de la lista."),
    "Invalid Choice: could not coerce.": _l("Elige una de las opciones de la lista."),
    "Choices cannot be None.": _l("Elige una de las opciones de la lista."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l(
        "Marca solo opciones de la lista."
    ),
    "Not a valid integer value.": _l("Escribe un número entero, sin puntos ni letras."),
    "Not a valid decimal value.": _l("Escribe un número; usa coma o punto solo para los decimales."),
    "Not a valid float value.": _l("Escribe un número; usa coma o punto solo para los decimales."),
    "Not a valid date value.": _l("Escribe una fecha válida (día, mes y año)."),
    "Not a valid datetime value.": _l("Escribe una fecha y una hora válidas."),
    "Not a valid time value.": _l("Escribe una hora válida."),
    "Not a valid week value.": _l("Escribe una semana válida."),
    "Invalid email address.": _l("Escribe un correo válido, por ejemplo nombre@dominio.co."),
    "Invalid URL.": _l("Escribe una dirección web completa, que empiece por https://."),
    "Invalid UUID.": _l("Revisa el identificador: no es válido."),
    "Invalid IP address.": _l("Escribe una dirección IP válida."),
    "Invalid Mac address.": _l("Escribe una dirección MAC válida."),
    "Field must be equal to %(other_name)s.": _l("Este campo debe coincidir con %(other_name)s."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Escribe entre %(min)d y %(max)d caracteres."
    ),
    "Number must be at least %(min)s.": _l("Escribe un número mayor o igual a %(min)s."),
    "Number must be at most %(max)s.": _l("Escribe un número menor o igual a %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Escribe un número entre %(min)s y %(max)s."),
    "Date must be at least %(min)s.": _l("Elige una fecha desde el %(min)s."),
    "Date must be at most %(max)s.": _l("Elige una fecha hasta el %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l("Elige una fecha entre el %(min)s y el %(max)s."),
    "Invalid value, must be one of: %(values)s.": _l("Elige una de las opciones de la lista."),
    "Invalid value, can't be any of: %(values)s.": _l("Ese valor no está permitido en este campo."),
    "This field cannot be edited.": _l("Este campo no se puede cambiar."),
    "This field is disabled and cannot have a value.": _l("Este campo no se puede cambiar."),
    "Invalid CSRF Token.": _l("El formulario caducó. Vuelve a enviarlo."),
    "CSRF token missing.": _l("El formulario caducó. Vuelve a enviarlo."),
    "CSRF failed.": _l("El formulario caducó. Vuelve a enviarlo."),
    "CSRF token expired.": _l("El formulario caducó. Vuelve a enviarlo."),
    "Invalid field name '%s'.": _l("Revisa lo que escribiste en este campo."),
    # Flask-WTF's file fields (filled with str.format afterwards)
    "File does not have an approved extension: {extensions}": _l("Sube un archivo de tipo {extensions}."),
    "File does not have an approved extension.": _l("Sube un archivo de un tipo permitido."),
}


PLURALS = {
    "Field must be at least %(min)d character long.": "min",
    "Field cannot be longer than %(max)d character.": "max",
    "Field must be exactly %(max)d character long.": "exact",
    "'%(value)s' is not a valid choice for this field.": "choice",
}


def _plural(kind: str, n: int) -> str:
    """The plural message with its placeholder left for WTForms to fill."""
    catalogue = get_translations()
    if kind == "min":
        return catalogue.ungettext(
            "Escribe al menos %(min)d carácter.", "Escribe al menos %(min)d caracteres.", n
        )
    if kind == "max":
        return catalogue.ungettext(
            "Escribe como máximo %(max)d carácter.", "Escribe como máximo %(max)d caracteres.", n
        )
    if kind == "exact":
        return catalogue.ungettext(
            "Escribe exactamente %(max)d carácter.", "Escribe exactamente %(max)d caracteres.", n
        )
    return gettext("Marca solo opciones de la lista.")


class Catalogue:
    """The `translations` object WTForms asks for its messages (gettext / ngettext, and the
    `ugettext` / `ungettext` names Flask-WTF uses)."""

    def gettext(self, string: str) -> str:
        message = MESSAGES.get(string)
        if message is not None:
            # WTForms fills the placeholders afterwards: keep them, translate the words.
            return str(message)
        return gettext("Revisa lo que escribiste en este campo.")

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        kind = PLURALS.get(singular)
        return self.gettext(singular) if kind is None else _plural(kind, n)

    ugettext = gettext
    ungettext = ngettext


CATALOGUE = Catalogue()


def _meta_translations(self, form):
    return CATALOGUE if has_request_context() else None


def install() -> None:
    """Plain `wtforms.Form` classes (subforms, filter forms) ask DefaultMeta for translations:
    give them ours too (Flask-WTF forms get theirs from the request)."""
    DefaultMeta.get_translations = _meta_translations
