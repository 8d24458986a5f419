"""Staff forms of the plans capability."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.fields import MultiCheckboxField, RadioField, SelectField, english_version
from app.core.text import NoMarkup, clean, single_line
from app.plans.rules import METADATA

MONTH_CHOICES = [
    (1, _l("Enero")),
    (2, _l("Febrero")),
    (3, _l("Marzo")),
    (4, _l("Abril")),
    (5, _l("Mayo")),
    (6, _l("Junio")),
    (7, _l("Julio")),
    (8, _l("Agosto")),
    (9, _l("Septiembre")),
    (10, _l("Octubre")),
    (11, _l("Noviembre")),
    (12, _l("Diciembre")),
]
UNIT_CHOICES = [("percentage", _l("Porcentaje")), ("number", _l("Número"))]
KIND_CHOICES = [("improvement", _l("Plan de mejoramiento")), ("action", _l("Plan de acción"))]
ACCUMULATION_CHOICES = [
    ("cumulative", _l("Acumulado: cada reporte dice lo logrado desde el inicio")),
    ("per_period", _l("Por periodo: cada reporte dice lo logrado en ese periodo y se suman")),
]


class PlanForm(FlaskForm):
    name = StringField(
        _l("Nombre del plan"), filters=[single_line], validators=[DataRequired(), Length(max=255), NoMarkup()]
    )
    name_en = english_version(_l("Nombre del plan en inglés"), 255)
    year = IntegerField(_l("Año"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    end_year = IntegerField(
        _l("Último año (planes de varios años)"),
        validators=[Optional(), NumberRange(min=2000, max=2100)],
        description=_l(
            "Déjalo en blanco si el plan es de un solo año. En un plan de varios años (por ejemplo, "
            "una política pública a diez años) cada tarea tiene una meta por año."
        ),
    )
    kind = RadioField(
        _l("Tipo de plan"), choices=KIND_CHOICES, default="improvement", validators=[InputRequired()]
    )
    owner_office = SelectField(_l("Dependencia responsable del plan"), validators=[DataRequired()])
    offices = MultiCheckboxField(_l("Dependencias participantes"), validators=[Optional()])
    objective = TextAreaField(_l("Objetivo"), filters=[clean], validators=[Optional(), Length(max=4000)])
    scope = TextAreaField(_l("Alcance"), filters=[clean], validators=[Optional(), Length(max=4000)])
    periods = StringField(
        _l("Periodos de seguimiento"),
        filters=[single_line],
        default="1-3, 4-6, 7-9, 10-12",
        description=_l(
            "Meses de cada periodo separados por comas: trimestres «1-3, 4-6, 7-9, 10-12»; "
            "cuatrimestres «1-4, 5-8, 9-12»."
        ),
        validators=[DataRequired(), Length(max=100)],
    )
    process_name = StringField(
        _l("Proceso"), filters=[single_line], validators=[Optional(), Length(max=255), NoMarkup()]
    )
    subprocess_name = StringField(
        _l("Subproceso"), filters=[single_line], validators=[Optional(), Length(max=255), NoMarkup()]
    )
    plan_date = DateField(_l("Fecha del plan"), validators=[Optional()])
    entity_name = StringField(
        _l("Entidad"),
        filters=[single_line],
        validators=[Optional(), Length(max=255), NoMarkup()],
        description=_l(
            "Como aparece en el encabezado del formato, por ejemplo «Alcaldía de "
            "Cartago». Vacío: el nombre de la entidad del portal."
        ),
    )
    entity_nit = StringField(
        _l("NIT"), filters=[single_line], validators=[Optional(), Length(max=40), NoMarkup()]
    )
    document_code = StringField(
        _l("Código del documento"),
        filters=[single_line],
        validators=[Optional(), Length(max=60), NoMarkup()],
        description=_l("Código del formato en el sistema de gestión, por ejemplo MESG-AS-F17."),
    )
    document_version = StringField(
        _l("Versión"), filters=[single_line], validators=[Optional(), Length(max=20), NoMarkup()]
    )
    approved_on = DateField(_l("Fecha de aprobación del formato"), validators=[Optional()])
    analysis = TextAreaField(
        _l("Análisis anual"),
        filters=[clean],
        validators=[Optional(), Length(max=10000)],
        description=_l(
            "Conclusiones del seguimiento del año: logros, dificultades y acciones de mejora. "
            "Sale en el informe en PDF."
        ),
    )


class ActionForm(FlaskForm):
    number = IntegerField(_l("Número"), validators=[InputRequired(), NumberRange(min=1, max=999)])
    title = TextAreaField(
        _l("Acción"), filters=[clean], validators=[DataRequired(), Length(max=2000), NoMarkup()]
    )
    title_en = english_version(_l("Acción en inglés"), 2000, long=True)
    event_ids = MultiCheckboxField(_l("Eventos que responde"), coerce=int, validators=[Optional()])
    topic_ids = MultiCheckboxField(_l("Temas de consulta que responde"), coerce=int, validators=[Optional()])


class TaskForm(FlaskForm):
    description = TextAreaField(
        _l("Tarea"), filters=[clean], validators=[DataRequired(), Length(max=2000), NoMarkup()]
    )
    offices = MultiCheckboxField(_l("Dependencias responsables"), validators=[DataRequired()])
    start_month = SelectField(
        _l("Mes de inicio"), choices=MONTH_CHOICES, coerce=int, validators=[InputRequired()]
    )
    end_month = SelectField(
        _l("Mes de terminación"), choices=MONTH_CHOICES, coerce=int, validators=[InputRequired()]
    )
    months = MultiCheckboxField(
        _l("Meses en que corre"),
        choices=MONTH_CHOICES,
        coerce=int,
        validators=[Optional()],
        description=_l("Si no marcas ninguno, corre todos los meses entre el inicio y la terminación."),
    )
    deliverable = TextAreaField(_l("Entregable"), filters=[clean], validators=[Optional(), Length(max=2000)])
    indicator_name = TextAreaField(
        _l("Indicador"), filters=[clean], validators=[DataRequired(), Length(max=2000)]
    )
    indicator_formula = StringField(
        _l("Fórmula del indicador"), filters=[single_line], validators=[Optional(), Length(max=1000)]
    )
    unit = RadioField(_l("Unidad de medida"), choices=UNIT_CHOICES, validators=[InputRequired()])
    goal = DecimalField(
        _l("Meta"),
        places=None,
        validators=[Optional(), NumberRange(min=0, max=10**9)],
        description=_l("En porcentaje, de 1 a 100; en número, la cantidad que se espera lograr."),
    )
    accumulation = RadioField(
        _l("Cómo se reportan los valores"),
        choices=ACCUMULATION_CHOICES,
        default="cumulative",
        validators=[InputRequired()],
    )
    yearly_targets = TextAreaField(
        _l("Metas por año"),
        filters=[clean],
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "Solo en planes de varios años. Una por línea: «2026: 12». Para un periodo dentro del año: "
            "«2026-II: 6». Si dejas la meta general en blanco, se calcula con las metas por año."
        ),
    )
    observations = TextAreaField(
        _l("Observaciones"), filters=[clean], validators=[Optional(), Length(max=2000)]
    )


class ReportForm(FlaskForm):
    office = SelectField(_l("Dependencia que reporta"), validators=[DataRequired()])
    period = SelectField(_l("Periodo"), coerce=int, validators=[InputRequired()])
    value = DecimalField(
        _l("Valor del indicador"), places=None, validators=[Optional(), NumberRange(min=0, max=10**9)]
    )
    progress_text = TextAreaField(
        _l("Avance cualitativo"), filters=[clean], validators=[Optional(), Length(max=4000)]
    )
    difficulties = TextAreaField(
        _l("Dificultades"), filters=[clean], validators=[Optional(), Length(max=4000)]
    )
    evidence = TextAreaField(
        _l("Enlaces de evidencia"),
        filters=[clean],
        validators=[Optional(), Length(max=10000)],
        description=_l("Un enlace por línea (https://…), hasta 10."),
    )


class FindingForm(FlaskForm):
    description = TextAreaField(
        _l("Hallazgo"), filters=[clean], validators=[DataRequired(), Length(max=4000)]
    )
    found_on = DateField(_l("Fecha del hallazgo"), validators=[InputRequired()])
    task = SelectField(_l("Tarea relacionada"), validators=[Optional()])
    period = SelectField(_l("Periodo"), validators=[Optional()])
    create_action = BooleanField(_l("Crear la acción de mejora que este hallazgo exige"))
    action_title = TextAreaField(
        _l("Acción de mejora"), filters=[clean], validators=[Optional(), Length(max=2000), NoMarkup()]
    )
    task_description = TextAreaField(
        _l("Tarea de la acción de mejora"),
        filters=[clean],
        validators=[Optional(), Length(max=2000), NoMarkup()],
    )
    offices = MultiCheckboxField(
        _l("Dependencias responsables de la acción de mejora"), validators=[Optional()]
    )
    start_month = SelectField(_l("Mes de inicio"), choices=MONTH_CHOICES, coerce=int, validators=[Optional()])
    end_month = SelectField(
        _l("Mes de terminación"), choices=MONTH_CHOICES, coerce=int, validators=[Optional()]
    )
    indicator_name = StringField(
        _l("Indicador"), filters=[single_line], validators=[Optional(), Length(max=1000)]
    )
    unit = RadioField(
        _l("Unidad de medida"), choices=UNIT_CHOICES, default="percentage", validators=[Optional()]
    )
    goal = DecimalField(_l("Meta"), places=None, validators=[Optional(), NumberRange(min=0, max=10**9)])


class ImportForm(FlaskForm):
    file = FileField(
        _l("Archivo del plan"),
        description=_l(
            "Tabla separada por tabulaciones (.tsv o .txt, como la de Medellín) o libro de "
            "Excel (.xlsx) con el formato de plan de acción de Cartago. Hasta 2 MB."
        ),
    )
    name = StringField(
        _l("Nombre del plan"),
        filters=[single_line],
        validators=[Optional(), Length(max=255), NoMarkup()],
        description=_l("Déjalo vacío para usar el que trae el archivo."),
    )
    year = IntegerField(
        _l("Año"),
        validators=[Optional(), NumberRange(min=2000, max=2100)],
        description=_l("Déjalo vacío para usar el que trae el archivo."),
    )
    owner = SelectField(_l("Dependencia responsable del plan"), validators=[Optional()])


class ImportConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=64)])
    create_offices = MultiCheckboxField(
        _l("Crear estas dependencias en el catálogo"), validators=[Optional()]
    )
    publish = BooleanField(_l("Publicar el plan en /planes/ al importarlo"))


class FollowUpUploadForm(FlaskForm):
    file = FileField(
        _l("Hoja de seguimiento llena"),
        description=_l(
            "El archivo XLSX que descargaste, con los valores, avances, dificultades y "
            "evidencias de tu dependencia. Hasta 5 MB."
        ),
    )


class FollowUpConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=64)])


class ReviewForm(FlaskForm):
    note = TextAreaField(
        _l("Motivo para devolver"),
        filters=[clean],
        validators=[Optional(), Length(max=2000)],
        description=_l("Solo si devuelves el reporte: la dependencia lo verá."),
    )


# ---------------------------------------------------------------------------- typed data for the commands

FORM_NAMES = {"process": "process_name", "subprocess": "subprocess_name"}  # `process` is a form method
TASK_FIELDS = (
    "description",
    "offices",
    "start_month",
    "end_month",
    "months",
    "deliverable",
    "indicator_name",
    "indicator_formula",
    "unit",
    "accumulation",
    "observations",
)


def number(value) -> float | None:
    """A decimal field's value as the float the commands take (None when empty)."""
    return float(value) if isinstance(value, Decimal | int | float) else None


def plan_data(form: PlanForm) -> dict:
    """What `commands.save_plan` takes, from a validated `PlanForm`."""
    return {
        "name": form.name.data,
        "name_en": form.name_en.data or "",
        "year": form.year.data,
        "end_year": form.end_year.data,
        "kind": form.kind.data,
        "owner_office": form.owner_office.data,
        "offices": form.offices.data or [],
        "objective": form.objective.data or "",
        "scope": form.scope.data or "",
        "periods": form.periods.data,
        "analysis": form.analysis.data or "",
        **{
            key: getattr(form, FORM_NAMES.get(key, key)).data
            or ("" if key not in ("plan_date", "approved_on") else None)
            for key in METADATA
        },
    }


def action_data(form: ActionForm) -> dict:
    """What `commands.save_action` takes, from a validated `ActionForm`."""
    return {
        "number": form.number.data,
        "title": form.title.data,
        "title_en": form.title_en.data or "",
        "event_ids": form.event_ids.data or [],
        "topic_ids": form.topic_ids.data or [],
    }


def task_data(form: TaskForm, *, multi_year: bool) -> dict:
    """What `commands.save_task` takes, from a validated `TaskForm` (yearly targets only for a
    multi-year plan)."""
    data = {k: getattr(form, k).data for k in TASK_FIELDS}
    data["goal"] = number(form.goal.data)
    if multi_year:
        data["targets"] = form.yearly_targets.data or ""
    for key in ("deliverable", "indicator_formula", "observations"):
        data[key] = data[key] or ""
    return data


def improvement_data(form: FindingForm) -> dict:
    """The improvement action a finding creates (`commands.add_finding`), from a `FindingForm`."""
    return {
        "title": form.action_title.data,
        "description": form.task_description.data,
        "offices": form.offices.data or [],
        "start_month": form.start_month.data or 1,
        "end_month": form.end_month.data or 12,
        "indicator_name": form.indicator_name.data,
        "unit": form.unit.data or "percentage",
        "goal": number(form.goal.data),
    }
