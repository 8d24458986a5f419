from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from app.core.fields import SelectField
from app.core.text import NoMarkup, single_line

CODE = Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Usa solo letras sin tilde, números, guion o guion bajo."))


class OptionForm(FlaskForm):
    code = StringField(
        _l("Código"),
        validators=[DataRequired(_l("Escribe un código.")), Length(max=40), CODE],
        filters=[single_line],
    )
    label_es = StringField(
        _l("Nombre en español"),
        validators=[DataRequired(_l("Escribe el nombre.")), Length(max=255), NoMarkup()],
        filters=[single_line],
    )
    label_en = StringField(
        _l("Nombre en inglés"), validators=[Length(max=255), NoMarkup()], filters=[single_line]
    )


class TerritoryForm(FlaskForm):
    code = StringField(
        _l("Código"),
        validators=[DataRequired(_l("Escribe un código.")), Length(max=40), CODE],
        filters=[single_line],
    )
    label_es = StringField(
        _l("Nombre"),
        validators=[DataRequired(_l("Escribe el nombre.")), Length(max=255), NoMarkup()],
        filters=[single_line],
    )
    kind = SelectField(
        _l("Tipo"),
        choices=[
            ("comuna", _l("Comuna")),
            ("corregimiento", _l("Corregimiento")),
            ("barrio", _l("Barrio")),
            ("vereda", _l("Vereda")),
        ],
    )
    parent = SelectField(_l("Pertenece a (para barrios y veredas)"), choices=[], validate_choice=False)


class OfficeForm(FlaskForm):
    code = StringField(
        _l("Código"),
        validators=[DataRequired(_l("Escribe un código.")), Length(max=40), CODE],
        filters=[single_line],
    )
    label_es = StringField(
        _l("Nombre"),
        validators=[DataRequired(_l("Escribe el nombre.")), Length(max=255), NoMarkup()],
        filters=[single_line],
    )
    acronym = StringField(_l("Sigla"), validators=[Length(max=40), NoMarkup()], filters=[single_line])


class RenameForm(FlaskForm):
    label_es = StringField(
        _l("Nombre en español"),
        validators=[DataRequired(_l("Escribe el nombre.")), Length(max=255), NoMarkup()],
        filters=[single_line],
    )
    label_en = StringField(
        _l("Nombre en inglés"), validators=[Length(max=255), NoMarkup()], filters=[single_line]
    )
