"""Form errors are ours, in the page's language, saying what the field needs: never WTForms'
default wording ("Not a valid choice.", "This field is required."), and whitespace is never a
choice."""

from __future__ import annotations

import re
from pathlib import Path

import wtforms
from babel.messages.pofile import read_po
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import DateField, EmailField, Form, FormField, IntegerField, StringField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from app.ballot.models import BallotQuestion
from app.core import form_messages
from app.core.fields import MultiCheckboxField, RadioField, SelectField
from tests.ballot.conftest import form_data

POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"


def wtforms_defaults() -> set[str]:
    """Every default message WTForms has, in English and in WTForms' own Spanish."""
    english = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(POT.open("rb")) if m.id}
    with (POT.parent / "es" / "LC_MESSAGES" / "wtforms.po").open("rb") as handle:
        spanish = {m.string if isinstance(m.string, str) else m.string[0] for m in read_po(handle) if m.id}
    return english | spanish


class _Inner(Form):
    zone = SelectField("Zona", choices=[("", "—"), ("1", "Urbana")], validators=[Optional()])


class _Sample(FlaskForm):
    class Meta:
        csrf = False

    count = IntegerField("Cuántos", validators=[InputRequired(), NumberRange(min=1, max=9)])
    code = StringField("Código", validators=[InputRequired(), Length(min=3, max=5)])
    email = EmailField("Correo", validators=[Optional(), Email()])
    day = DateField("Día", validators=[Optional()])
    office = SelectField("Dependencia", choices=[("", "—"), ("DAP", "Planeación")], validators=[Optional()])
    kind = RadioField("Tipo", choices=[("a", "A"), ("b", "B")], validators=[InputRequired()])
    months = MultiCheckboxField("Meses", choices=[("1", "Enero"), ("2", "Febrero")], validators=[Optional()])
    inner = FormField(_Inner)


def _errors(app, data: dict, lang: str = "es") -> tuple[dict, _Sample]:
    with app.test_request_context(f"/?lang={lang}", method="POST", data=MultiDict(data)):
        app.preprocess_request()
        form = _Sample()
        form.validate()
        return {k: [str(e) for e in v] if isinstance(v, list) else v for k, v in form.errors.items()}, form


def test_every_wtforms_default_message_has_our_wording():
    ours = set(form_messages.MESSAGES) | set(form_messages.PLURALS)
    missing = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(POT.open("rb")) if m.id} - ours
    assert not missing


def test_refusals_are_in_spanish_say_what_the_field_needs_and_are_never_the_library_wording(app):
    errors, _form = _errors(
        app,
        {
            "count": "muchos",
            "code": "x",
            "email": "no-es-correo",
            "day": "31/31/2026",
            "office": "OTRA",
            "kind": "z",
            "months": ["1", "13"],
            "inner-zone": "9",
        },
    )
    assert errors == {
        "count": ["Escribe un número entero, sin puntos ni letras.", "Escribe un número entre 1 y 9."],
        "code": ["Escribe entre 3 y 5 caracteres."],
        "email": ["Escribe un correo válido, por ejemplo nombre@dominio.co."],
        "day": ["Escribe una fecha válida (día, mes y año)."],
        "office": ["Elige una de las opciones de la lista."],
        "kind": ["Marca una de las opciones."],
        "months": ["Marca solo opciones de la lista."],
        "inner": {"zone": ["Elige una de las opciones de la lista."]},
    }
    defaults = wtforms_defaults()
    flat = [m for v in errors.values() for m in (v if isinstance(v, list) else sum(v.values(), []))]
    assert not any(m in defaults for m in flat)


def test_the_same_refusals_in_english(app):
    errors, _form = _errors(app, {"count": "", "code": "abcdefgh", "kind": "z", "office": "OTRA"}, lang="en")
    assert errors["count"] == ["Fill in this field."]
    assert errors["code"] == ["Write between 3 and 5 characters."]
    assert errors["kind"] == ["Choose one of the options."]
    assert errors["office"] == ["Choose one of the options in the list."]


def test_whitespace_is_never_a_choice(app):
    errors, form = _errors(
        app,
        {
            "count": "3",
            "code": "abcd",
            "office": "\t\t\t",
            "kind": " \t ",
            "months": ["\t", " "],
            "inner-zone": "\n",
        },
    )
    assert errors == {"kind": ["Completa este campo."]}  # whitespace is no answer
    assert form.office.data == "" and form.months.data == [] and form.inner.zone.data == ""
    ok, form = _errors(app, {"count": "3", "code": "abcd", "office": " DAP ", "kind": "a"})
    assert ok == {} and form.office.data == "DAP"


def test_a_whitespace_code_on_the_ballot_form_is_an_empty_answer_not_a_500(client, db, catalogs):
    tabs = "\t\t\t"
    response = client.submit(
        "/urna/",
        form_data(
            office=tabs,
            territory=tabs,
            topic=tabs,
            event=tabs,
            **{"profile-sex": tabs, "profile-territory": tabs},
        ),
    )
    assert response.status_code == 302
    q = db.session.scalar(select(BallotQuestion))
    assert q.office_code is None and q.territory is None and q.topic_id is None and q.event_id is None
    refused = client.submit("/urna/", form_data(kind=tabs, identity=tabs))
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Elige el tipo de solicitud." in html and "Elige si quieres dejar tu nombre." in html
    assert not re.search(r"Not a valid choice|This field is required", html)


def test_a_nul_character_in_any_input_is_dropped_before_any_view_sees_it(client, db, login_as, catalogs):
    login_as("admin")
    assert client.get("/gestion/urna/?q=UV\x00").status_code == 200  # was a 500 on PostgreSQL
    text = "Una pregunta con un \x00 en medio del texto, larga"
    assert client.submit("/urna/", form_data(text=text)).status_code == 302
    assert db.session.scalar(select(BallotQuestion.text)) == "Una pregunta con un  en medio del texto, larga"
