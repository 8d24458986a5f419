"""The staff form of a transparency item and the typed data it gives `commands.save_item`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.fields import SelectField
from app.core.text import NoMarkup, clean, single_line
from app.transparency.commands import ItemData
from app.transparency.rules import SECTIONS


class ItemForm(FlaskForm):
    section = SelectField(_l("Subsección"), validators=[DataRequired()])
    title = StringField(
        _l("Título"), filters=[single_line], validators=[DataRequired(), Length(max=200), NoMarkup()]
    )
    url = StringField(
        _l("Enlace"),
        filters=[single_line],
        validators=[DataRequired(), Length(max=1000)],
        description=_l("Dirección del documento o la página: https://… o una dirección del portal."),
    )
    text = TextAreaField(_l("Descripción"), filters=[clean], validators=[Optional(), Length(max=1000)])


def item_form(item=None) -> ItemForm:
    form = ItemForm(obj=item)
    form.section.choices = [("", _("— Elige —"))] + [(k, str(t)) for k, t, _x in SECTIONS]
    return form


def item_data(form: ItemForm) -> ItemData:
    return ItemData(
        section=form.section.data, title=form.title.data, url=form.url.data, text=form.text.data or ""
    )
