"""Shared WTForms fields: every form imports its choice fields from here.

`SelectField` and `RadioField` behave as WTForms' own, but check a submitted value against the
choices with one set lookup. WTForms builds a tuple per choice for that check on every
submission; the public forms carry a dozen choice fields (the characterisation section), and the
event sign-in is posted by hundreds of phones within minutes.
"""

from wtforms import RadioField as _RadioField
from wtforms import SelectField as _SelectField
from wtforms import SelectMultipleField, widgets
from wtforms.validators import ValidationError

# WTForms' own message, translated by WTForms' catalog (not ours): kept out of our extraction.
NOT_A_CHOICE = "Not a valid choice."


def _values(choices) -> list:
    """The values of WTForms choices: (value, label[, render_kw]) pairs or plain values, in a
    list or grouped in a dict of option groups."""
    items = [c for group in choices.values() for c in group] if isinstance(choices, dict) else choices
    return [c[0] if isinstance(c, tuple | list) else c for c in items]


class _QuickChoiceCheck:
    def pre_validate(self, form):
        if self.process_errors or not self.validate_choice or self.choices is None:
            return super().pre_validate(form)
        try:
            known = self.data in {self.coerce(value) for value in _values(self.choices)}
        except TypeError:  # values that cannot go in a set: WTForms' own check
            return super().pre_validate(form)
        if not known:
            raise ValidationError(self.invalid_choice_message or self.gettext(NOT_A_CHOICE))


class SelectField(_QuickChoiceCheck, _SelectField):
    pass


class RadioField(_QuickChoiceCheck, _RadioField):
    pass


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes (render with the `choice_group` macro)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
