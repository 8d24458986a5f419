from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from app.core.auth import ROLES
from app.core.fields import SelectField
from app.core.text import NoMarkup, single_line


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Correo institucional"),
        validators=[DataRequired(_l("Escribe tu correo.")), Length(max=255)],
        filters=[single_line],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Contraseña"),
        validators=[DataRequired(_l("Escribe tu contraseña.")), Length(max=512)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Contraseña actual"),
        validators=[DataRequired(_l("Escribe tu contraseña actual.")), Length(max=512)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("Nueva contraseña"),
        validators=[DataRequired(_l("Escribe la nueva contraseña.")), Length(max=512)],
        description=_l("Mínimo 12 caracteres. Una frase fácil de recordar funciona bien."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repite la nueva contraseña"),
        validators=[
            DataRequired(_l("Repite la nueva contraseña.")),
            EqualTo("new", _l("Las dos contraseñas no coinciden.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _role_choices():
    return [(k, str(v)) for k, v in ROLES.items()]


class UserForm(FlaskForm):
    email = EmailField(
        _l("Correo institucional"),
        validators=[DataRequired(_l("Escribe el correo.")), Length(max=255)],
        filters=[single_line],
    )
    name = StringField(_l("Nombre"), validators=[Length(max=255), NoMarkup()], filters=[single_line])
    role = SelectField(_l("Rol"), choices=_role_choices)
    offices = SelectMultipleField(
        _l("Dependencias (solo para edición; vacío = todas)"), choices=[], validate_choice=False
    )
    password = PasswordField(
        _l("Contraseña inicial"),
        validators=[Length(max=512)],
        description=_l("Mínimo 12 caracteres. Compártela por un canal seguro y pide cambiarla."),
        render_kw={"autocomplete": "new-password"},
    )
    active = BooleanField(_l("Cuenta activa"), default=True)
