"""Shared WTForms fields: every form imports its choice fields from here.

`SelectField`, `RadioField` and `MultiCheckboxField` behave as WTForms' own, with three changes:

- a submitted choice is trimmed of surrounding whitespace before anything else looks at it, so a
  whitespace-only value is exactly an empty answer. (WTForms' `Optional()` treats a blank value
  as "not given" and throws away the choice check's error, so `'\\t\\t\\t'` used to pass as a
  code and reach the database or a lookup that raised a 500.)
- the submitted choice is checked with one set lookup. WTForms builds a tuple per choice for that
  check on every submission; the public forms carry a dozen choice fields (the characterisation
  section), and the event sign-in is posted by hundreds of phones within minutes.
- the refusal is our own message, in the page's language, saying what the field needs (never
  WTForms' "Not a valid choice.", and never an echo of the submitted value).
"""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField as _RadioField
from wtforms import SelectField as _SelectField
from wtforms import SelectMultipleField, widgets
from wtforms import StringField as _StringField
from wtforms.validators import ValidationError

CHOOSE_ONE = _l("Elige una de las opciones de la lista.")
MARK_ONE = _l("Marca una de las opciones.")
ONLY_LISTED = _l("Marca solo opciones de la lista.")


def _values(choices) -> list:
    """The values of WTForms choices: (value, label[, render_kw]) pairs or plain values, in a
    list or grouped in a dict of option groups."""
    items = [c for group in choices.values() for c in group] if isinstance(choices, dict) else choices
    return [c[0] if isinstance(c, tuple | list) else c for c in items]


def _trimmed(valuelist) -> list:
    return [v.strip() if isinstance(v, str) else v for v in valuelist]


class _QuickChoiceCheck:
    refusal = CHOOSE_ONE

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = _trimmed(valuelist)
            self.raw_data = valuelist
            try:
                self.data = self.coerce(valuelist[0])
            except (ValueError, TypeError):
                self.data = None
                raise ValueError(self.invalid_choice_message or self.refusal) from None

    def pre_validate(self, form):
        if self.process_errors:
            return  # the coercion error is already the field's error
        if not self.validate_choice or self.choices is None:
            return super().pre_validate(form)
        try:
            known = self.data in {self.coerce(value) for value in _values(self.choices)}
        except (TypeError, ValueError):  # values that cannot go in a set or be coerced: one by one
            known = any(self.data == value for value in _values(self.choices))
        if not known:
            raise ValidationError(self.invalid_choice_message or self.refusal)


class SelectField(_QuickChoiceCheck, _SelectField):
    pass


class RadioField(_QuickChoiceCheck, _RadioField):
    refusal = MARK_ONE


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes (render with the `choice_group` macro). Blank values are dropped."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def process_formdata(self, valuelist):
        valuelist = [v for v in _trimmed(valuelist) if v not in ("", None)]
        self.raw_data = valuelist
        try:
            self.data = [self.coerce(v) for v in valuelist]
        except (ValueError, TypeError):
            self.data = None
            raise ValueError(ONLY_LISTED) from None

    def pre_validate(self, form):
        if self.process_errors or not self.validate_choice or not self.data:
            return
        allowed = set(_values(self.choices or []))
        try:
            allowed = {self.coerce(v) for v in allowed}
        except (TypeError, ValueError):
            pass
        if any(value not in allowed for value in self.data):
            raise ValidationError(ONLY_LISTED)


class CodeField(_StringField):
    """A catalog choice typed as the code printed on a paper form ("CC", "08", "VE"): what staff
    type when they digitise a sheet, where a select box would jump to the first option starting
    with the letter typed ("CC" reached *Cédula de extranjería*, "08" matched nothing). Accepts a
    code of `choices` case-insensitively, and a number equal to a numeric code ("8" for "08");
    anything else is refused with the list of codes. Blank is no answer."""

    def __init__(self, label=None, validators=None, choices=(), **kwargs):
        super().__init__(label, validators, **kwargs)
        self.choices = list(choices)

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = valuelist[0].strip().upper() if isinstance(valuelist[0], str) else ""
            self.raw_data = [self.data]

    def pre_validate(self, form):
        if not self.data:
            self.data = ""
            return
        codes = [str(value) for value in _values(self.choices) if value not in ("", None)]
        exact = {code.upper(): code for code in codes}
        if self.data in exact:
            self.data = exact[self.data]
            return
        if self.data.isdigit():
            numeric = [code for code in codes if code.isdigit() and int(code) == int(self.data)]
            if len(numeric) == 1:
                self.data = numeric[0]
                return
        listed = ", ".join(codes) if len(codes) <= 25 else ", ".join(codes[:25]) + "…"
        raise ValidationError(_l("Escribe uno de los códigos de la planilla: %(codes)s.", codes=listed))


def english_version(label, max_length: int, *, long: bool = False):
    """An optional English version of a staff-written text (a title, a question, a topic). On the
    English site `app.core.ui.localized` shows it; left empty, the Spanish text is shown marked
    lang="es" with a visible "Spanish only" note."""
    from wtforms import TextAreaField
    from wtforms.validators import Length, Optional

    from app.core.text import NoMarkup, clean, single_line

    if long:
        return TextAreaField(
            label,
            validators=[Optional(), Length(max=max_length)],
            filters=[clean],
            description=_l(
                "Si lo dejas vacío, el sitio en inglés muestra el texto en "
                "español con la nota «solo en español»."
            ),
        )
    return _StringField(
        label,
        validators=[Optional(), Length(max=max_length), NoMarkup()],
        filters=[single_line],
        description=_l(
            "Si lo dejas vacío, el sitio en inglés muestra el texto en español con la nota «solo en español»."
        ),
    )
