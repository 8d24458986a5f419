from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from app.core.fields import RadioField, SelectField


class ReportForm(FlaskForm):
    scope = RadioField(
        _l("Periodo del informe"),
        choices=[("year", _l("Un año (vigencia)")), ("event", _l("Un evento"))],
        default="year",
    )
    year = IntegerField(_l("Año"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    event = SelectField(_l("Evento"), validators=[Optional()], coerce=str)
