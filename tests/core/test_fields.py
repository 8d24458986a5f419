"""Shared choice fields (app/core/fields.py): a quick set lookup, the same answers as WTForms."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from app.core.fields import RadioField, SelectField


class _Choices(Form):
    plain = SelectField(choices=[("", "— Elige —"), ("01", "Popular"), ("02", "Santa Cruz")])
    grouped = SelectField(
        choices={"Comuna 1": [("0101", "Santo Domingo")], "Comuna 2": [("0201", "La Isla")]}
    )
    number = RadioField(coerce=int, choices=[(1, "Sí"), (2, "No")])
    free = SelectField(choices=[("a", "A")], validate_choice=False)


def _errors(data: dict) -> dict:
    form = _Choices(MultiDict(data))
    form.validate()
    return form.errors


def test_values_among_the_choices_pass_plain_grouped_and_coerced():
    assert _errors({"plain": "02", "grouped": "0201", "number": "2", "free": "zz"}) == {}


@pytest.mark.parametrize(
    "name, value",
    [
        ("plain", "03"),
        ("plain", "<script>"),
        ("grouped", "Comuna 1"),
        ("number", "3"),
        ("plain", "01' OR '1'='1"),
    ],
)
def test_a_value_outside_the_choices_is_refused_next_to_its_field(name, value):
    data = {"plain": "01", "grouped": "0101", "number": "1", name: value}
    assert list(_errors(data)) == [name]


def test_a_missing_choice_is_refused_as_wtforms_does():
    assert "number" in _errors({"plain": "01", "grouped": "0101"})
