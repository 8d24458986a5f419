"""Staff forms: the dashboard filters (GET), the baseline upload and the section preview."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, Form, FormField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.catalogs import queries as catalogs
from app.characterization import queries
from app.characterization.forms import profile_section
from app.core import registry, retention
from app.core.fields import SelectField
from app.core.text import NoMarkup, single_line

# Variables offered as intersection filters (capability and context have their own fields).
FILTER_VARIABLES = tuple(v for v in queries.DIMENSIONS if v not in ("capability", "channel"))
TERRITORY_FILTERS = ("territory", "subterritory")
CROSS_VARIABLES = tuple(v for v in queries.DIMENSIONS if v != "subterritory") + ("subterritory",)


def objects() -> list[dict]:
    """Objects offered by capabilities (`characterization_objects` hook)."""
    try:
        return [o for o in registry.get().call("characterization_objects") if o.get("capability")]
    except Exception:  # noqa: BLE001 - a failing provider must not take the dashboard down
        return []


class FilterForm(Form):
    """Read from the query string; every field optional, unknown values refused with a message."""

    class Meta:
        def get_translations(self, form):  # WTForms' own messages in the page's language
            from flask import request

            return getattr(request, "wtforms_translations", None) or super().get_translations(form)

    capacidad = SelectField(_l("Ejercicio de participación"), validators=[Optional()], choices=[])
    objeto = SelectField(_l("Evento, consulta o encuesta"), validators=[Optional()], choices=[])
    desde = DateField(_l("Desde"), validators=[Optional()])
    hasta = DateField(_l("Hasta"), validators=[Optional()])
    tipo_discapacidad = SelectField(_l("Tipo de discapacidad"), validators=[Optional()], choices=[])
    fila = SelectField(_l("Cruzar: filas"), validators=[Optional()], choices=[])
    columna = SelectField(_l("Cruzar: columnas"), validators=[Optional()], choices=[])

    def __init__(self, formdata=None, **kwargs):
        super().__init__(formdata, **kwargs)
        names = queries.variable_labels()
        any_ = str(_l("— Todos —"))
        self.capacidad.choices = [("", any_)] + list(queries.capability_labels().items())
        self.objeto.choices = [("", any_)] + [
            (f"{o['capability']}:{o['object_id']}", str(o["label"])) for o in objects()
        ]
        self.tipo_discapacidad.choices = [("", any_)] + [
            (c, lbl) for c, lbl in queries.code_labels("disability_type").items() if c
        ]
        variables = [(v, names[v]) for v in CROSS_VARIABLES]
        self.fila.choices = [("", str(_l("— Ninguna —")))] + variables
        self.columna.choices = [("", str(_l("— Ninguna —")))] + variables
        self.where_fields = []
        for variable in FILTER_VARIABLES:
            field = SelectField(
                names[variable], choices=[("", any_)] + self._codes(variable), validators=[Optional()]
            ).bind(form=self, name=f"f_{variable}")
            field.process(formdata)
            self.where_fields.append((variable, field))
        self.fields_by_variable = dict(self.where_fields)

    @staticmethod
    def _codes(variable: str) -> list[tuple[str, str]]:
        """(code, label) offered by one group filter ("-" stands for "no answer"). The comuna
        filter offers comunas and corregimientos only, the barrio filter barrios and veredas only:
        each compares its own column of the profile, so no choice can match nobody by design."""
        labels = queries.code_labels(variable)
        if variable in TERRITORY_FILTERS:
            parents = catalogs.territory_parents()
            tops = [t.code for t in catalogs.top_territories(include_inactive=True)]
            codes = tops if variable == "territory" else [c for c in labels if c in parents]
            return [(c, labels.get(c, c)) for c in codes] + [("-", labels[queries.NO_ANSWER])]
        return [(c or "-", lbl) for c, lbl in labels.items()]

    @property
    def subterritory_groups(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(comuna code, name, [(barrio code, name)]) for the barrio filter: only the chosen comuna's
        barrios once a comuna is chosen (the page is sent back narrowed, with or without
        JavaScript), every comuna's otherwise."""
        chosen = self.fields_by_variable["territory"].data
        groups = []
        for top in catalogs.top_territories(include_inactive=True):
            kids = [(c.code, c.name) for c in top.children]
            if kids and (not chosen or chosen in ("-", top.code)):
                groups.append((top.code, top.name, kids))
        return groups

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for _variable, field in self.where_fields:
            ok = field.validate(self) and ok
        comuna, barrio = (self.fields_by_variable[v] for v in TERRITORY_FILTERS)
        if (
            comuna.data
            and barrio.data
            and barrio.data != "-"
            and not barrio.errors
            and catalogs.territory_parents().get(barrio.data) != comuna.data
        ):
            barrio.errors = [
                *barrio.errors,
                str(
                    _l(
                        "Ese barrio o vereda no es de la comuna o corregimiento "
                        "que elegiste. Elígelo de nuevo en la lista."
                    )
                ),
            ]
            ok = False
        if self.desde.data and self.hasta.data and self.desde.data > self.hasta.data:
            self.hasta.errors = [
                *self.hasta.errors,
                str(_l("La fecha final debe ser igual o posterior a la inicial.")),
            ]
            ok = False
        if bool(self.fila.data) != bool(self.columna.data) or (
            self.fila.data and self.fila.data == self.columna.data
        ):
            self.columna.errors = [
                *self.columna.errors,
                str(_l("Elige dos variables distintas para el cruce.")),
            ]
            ok = False
        return ok

    def filters(self) -> queries.Filters:
        capability, object_id = self.capacidad.data or "", ""
        if self.objeto.data:
            capability, _sep, object_id = self.objeto.data.partition(":")
        where = {v: ("" if f.data == "-" else f.data) for v, f in self.where_fields if f.data}
        return queries.Filters(
            capability=capability,
            object_id=object_id,
            date_from=self.desde.data,
            date_to=self.hasta.data,
            where=where,
            disability_type=self.tipo_discapacidad.data or "",
        )

    def cross(self) -> tuple[str, str] | None:
        return (self.fila.data, self.columna.data) if self.fila.data and self.columna.data else None


class BaselineForm(FlaskForm):
    archivo = FileField(
        _l("Archivo CSV de población"), validators=[DataRequired(_l("Elige el archivo CSV."))]
    )
    fuente = StringField(
        _l("Fuente y año (por ejemplo: DANE, proyecciones de población 2025)"),
        validators=[DataRequired(_l("Escribe la fuente de los datos.")), Length(max=160), NoMarkup()],
        filters=[single_line],
    )

    def validate_archivo(self, field):
        name = getattr(field.data, "filename", "") or ""
        if not name.lower().endswith((".csv", ".txt")):
            raise ValidationError(_l("El archivo debe ser un CSV."))


class PreviewForm(FlaskForm):
    """The section exactly as citizens see it, with every variable."""

    profile = FormField(profile_section())


def periods_form(formdata=None) -> FlaskForm:
    """One whole-number field (days) per registered rule."""

    class PeriodsForm(FlaskForm):
        pass

    for rule in retention.rules():
        message = _l(
            "Escribe un número de días entre %(min)s y %(max)s.", min=rule.min_days, max=retention.MAX_DAYS
        )
        setattr(
            PeriodsForm,
            rule.kind,
            IntegerField(
                rule.label(),
                description=rule.description(),
                validators=[
                    InputRequired(message=message),
                    NumberRange(rule.min_days, retention.MAX_DAYS, message),
                ],
                render_kw={"inputmode": "numeric"},
            ),
        )
    current = retention.periods()
    if formdata is not None:
        return PeriodsForm(formdata=formdata)
    return PeriodsForm(formdata=None, data=current)
