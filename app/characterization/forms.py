"""The characterisation section: one reusable WTForms form embedded by every citizen form.

    from app.characterization.forms import profile_section
    class SignInForm(FlaskForm):
        ...
        profile = FormField(profile_section(("life_course", "sex", "ethnicity", "value_group")))

Territory (zone, comuna/corregimiento, barrio/vereda) and the consent block are always included.
Sensitive questions are optional and offer "Prefiero no responder". Render it with
`{% from "_macros/characterization.html" import characterization_section %}`.
"""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.catalogs import queries as catalogs
from app.catalogs.models import CATALOG_MODELS
from app.characterization.rules import SENSITIVE, Answers
from app.core.cache import cached_query
from app.core.fields import MultiCheckboxField, RadioField, SelectField
from app.core.i18n import label
from app.core.text import NoMarkup, single_line

# Every variable a form may ask, in display order. Territory is always asked.
VARIABLES = (
    "life_course",
    "sex",
    "gender_identity",
    "sexual_orientation",
    "ethnicity",
    "disability",
    "victim",
    "migrant",
    "campesino",
    "value_group",
)
TERRITORIAL = ("zone", "territory", "subterritory")
DEFAULT_VARIABLES = VARIABLES
POPULATION = ("life_course", "sex", "gender_identity", "sexual_orientation")
DIFFERENTIAL = ("ethnicity", "disability", "victim", "migrant", "campesino")

QUESTIONS = {
    "life_course": _l("¿En qué rango de edad estás?"),
    "sex": _l("Sexo asignado al nacer"),
    "gender_identity": _l("¿Cómo te reconoces? (identidad de género)"),
    "sexual_orientation": _l("Orientación sexual"),
    "ethnicity": _l("De acuerdo con tu cultura, pueblo o rasgos físicos, te reconoces como:"),
    "disability": _l("¿Tienes alguna discapacidad? Marca todas las que apliquen."),
    "victim": _l("¿Eres víctima del conflicto armado?"),
    "migrant": _l("Situación migratoria"),
    "campesino": _l("¿Te consideras campesino o campesina?"),
    "zone": _l("¿Dónde vives?"),
    "territory": _l("Comuna o corregimiento donde vives"),
    "subterritory": _l("Barrio o vereda"),
    "value_group": _l("¿A qué grupo perteneces o representas?"),
    "organisation": _l("Nombre de la organización que representas"),
}
SENSITIVE_NOTE = _l("Opcional. Dato sensible: puedes no responder.")


def _life_course_choices():
    from app.core.i18n import selected_language

    return list(_life_course_choices_in(selected_language()))


@cached_query(*CATALOG_MODELS, ttl=30.0)
def _life_course_choices_in(lang: str) -> tuple[tuple[str, str], ...]:
    """The life-course choices with their ages, in `lang` (the request's language)."""
    return tuple(_build_life_course_choices())


def _build_life_course_choices():
    from flask_babel import gettext as _

    out = []
    for e in catalogs.options("life_course"):
        lo, hi = e.extra.get("min_age"), e.extra.get("max_age")
        if lo is None:
            out.append((e.code, label(e)))
        elif hi is None:
            out.append((e.code, _("%(label)s (%(lo)s años o más)", label=label(e), lo=lo)))
        else:
            out.append((e.code, _("%(label)s (%(lo)s a %(hi)s años)", label=label(e), lo=lo, hi=hi)))
    return out


class ProfileSectionBase(Form):
    """All fields; `profile_section()` builds subclasses that keep only the asked variables."""

    life_course = RadioField(QUESTIONS["life_course"], validators=[Optional()], choices=[])
    sex = RadioField(QUESTIONS["sex"], validators=[Optional()], choices=[])
    gender_identity = RadioField(
        QUESTIONS["gender_identity"], validators=[Optional()], choices=[], description=SENSITIVE_NOTE
    )
    sexual_orientation = RadioField(
        QUESTIONS["sexual_orientation"], validators=[Optional()], choices=[], description=SENSITIVE_NOTE
    )
    ethnicity = RadioField(
        QUESTIONS["ethnicity"], validators=[Optional()], choices=[], description=SENSITIVE_NOTE
    )
    disability = MultiCheckboxField(
        QUESTIONS["disability"], validators=[Optional()], choices=[], description=SENSITIVE_NOTE
    )
    victim = RadioField(QUESTIONS["victim"], validators=[Optional()], choices=[], description=SENSITIVE_NOTE)
    migrant = SelectField(QUESTIONS["migrant"], validators=[Optional()], choices=[])
    campesino = RadioField(QUESTIONS["campesino"], validators=[Optional()], choices=[])
    zone = RadioField(
        QUESTIONS["zone"],
        validators=[Optional()],
        choices=[],
        description=_l(
            "«Centro poblado» es un caserío con casas juntas fuera de la cabecera; «rural disperso», fincas "
            "y veredas "
            "con casas separadas."
        ),
    )
    territory = SelectField(QUESTIONS["territory"], validators=[Optional()], choices=[])
    subterritory = SelectField(
        QUESTIONS["subterritory"],
        validators=[Optional()],
        choices=[],
        validate_choice=False,
        description=_l(
            "Elige primero tu comuna o corregimiento: la lista muestra sus barrios o "
            "veredas. Si no sabes o no está, deja «No sé o no está en la lista»."
        ),
    )
    # "Ver los barrios de esta comuna": without JavaScript, narrows the list and shows the form again.
    refine = BooleanField()
    value_group = SelectField(QUESTIONS["value_group"], validators=[Optional()], choices=[])
    organisation = StringField(
        QUESTIONS["organisation"], validators=[Optional(), Length(max=160), NoMarkup()], filters=[single_line]
    )
    guardian_name = StringField(
        _l("Nombre de tu madre, padre o representante legal"),
        validators=[Optional(), Length(max=160), NoMarkup()],
        filters=[single_line],
    )
    guardian_consent = BooleanField(
        _l(
            "Mi representante legal conoce y autoriza el tratamiento de mis datos, incluidas las preguntas "
            "sensibles."
        )
    )
    consent = BooleanField(_l("Autorizo el tratamiento de mis datos personales para los fines descritos."))
    # The "send without them" button shown when answers came without consent (see validate()).
    discard = BooleanField()

    asked: tuple[str, ...] = VARIABLES
    # Forms that accept a submission without consent (the answers are then dropped) ask first
    # instead of dropping answers silently; a form that needs consent anyway leaves this off.
    ask_before_dropping: bool = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prefer_blank = ""
        setters = {
            "life_course": _life_course_choices,
            "migrant": lambda: catalogs.choices("migrant", blank=prefer_blank),
            "territory": lambda: catalogs.territory_choices(blank=_l("No sé o prefiero no decirlo")),
            "value_group": lambda: catalogs.choices("value_group", blank=prefer_blank),
        }
        for name in self.asked + TERRITORIAL:
            if name not in self._fields or name == "subterritory":
                continue
            self[name].choices = setters[name]() if name in setters else catalogs.choices(name)
        self.subterritory_groups = catalogs.subterritory_groups()
        self._valid_subterritories = catalogs.subterritory_codes()
        self.subterritory_tree = catalogs.subterritory_tree()

    @property
    def narrowed_groups(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(comuna code, name, barrios) groups for the barrio select: only the chosen comuna's once
        one is chosen (second move), every group before (first move, or without a choice)."""
        chosen = self.territory.data if "territory" in self._fields else None
        if chosen in self.subterritory_tree and self.subterritory_tree[chosen][1]:
            name, kids = self.subterritory_tree[chosen]
            return [(chosen, name, kids)]
        return [(code, name, kids) for code, (name, kids) in self.subterritory_tree.items() if kids]

    # --- validation ---------------------------------------------------------------------
    def validate_subterritory(self, field):
        if field.data and field.data not in self._valid_subterritories:
            raise ValidationError(_l("Elige un barrio o vereda de la lista."))
        parent = self.subterritory_tree.get(self.territory.data or "")
        if field.data and parent and field.data not in {code for code, _name in parent[1]}:
            raise ValidationError(
                _l(
                    "Ese barrio o vereda no es de la comuna o corregimiento que elegiste. "
                    "Elígelo de nuevo en la lista."
                )
            )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.refine.data:  # not a submission: show the form again with the list narrowed
            self.subterritory.errors = []
            return False
        if "guardian_name" in self._fields and self.guardian_consent.data and not self.guardian_name.data:
            self.guardian_name.errors = [
                *self.guardian_name.errors,
                str(_l("Escribe el nombre de tu representante legal, o desmarca su autorización.")),
            ]
            ok = False
        if self.ask_before_dropping and self.dropped_without_asking():
            self.consent.errors = [
                *self.consent.errors,
                str(
                    _l(
                        "Respondiste preguntas de caracterización sin marcar la autorización, y sin ella no "
                        "podemos "
                        "guardarlas. Marca la autorización, o usa el botón «Enviar sin mis respuestas de "
                        "caracterización»."
                    )
                ),
            ]
            ok = False
        return ok

    def has_answers(self) -> bool:
        """Whether any characterisation or territory question was answered."""
        names = (*self.asked, *TERRITORIAL, "organisation")
        return any(self[n].data for n in names if n in self._fields)

    def dropped_without_asking(self) -> bool:
        return not self.consent.data and not self.discard.data and self.has_answers()

    # --- helpers for services and templates ---------------------------------------------
    def sensitive_fields(self):
        return [self[n] for n in SENSITIVE if n in self._fields]

    def plain_fields(self):
        return [
            self[n] for n in self.asked if n in self._fields and n not in SENSITIVE and n != "value_group"
        ]


@cache
def profile_section(
    variables: tuple[str, ...] = DEFAULT_VARIABLES,
    *,
    organisation: bool = True,
    ask_before_dropping: bool = False,
) -> type[ProfileSectionBase]:
    """A section form class asking `variables` (plus territory and consent). With
    `ask_before_dropping`, answers sent without consent are refused with a message and a
    "send without them" button, never dropped silently (forms where consent is optional)."""
    unknown = set(variables) - set(VARIABLES)
    if unknown:
        raise ValueError(f"Unknown characterisation variables: {sorted(unknown)}")
    asked = tuple(v for v in VARIABLES if v in variables)
    drop = [v for v in VARIABLES if v not in asked]
    if "value_group" not in asked or not organisation:
        drop.append("organisation")
    if "life_course" not in asked:
        drop += ["guardian_name", "guardian_consent"]
    attrs = {name: None for name in drop}
    attrs["asked"] = asked
    attrs["ask_before_dropping"] = ask_before_dropping
    return type("ProfileSection", (ProfileSectionBase,), attrs)


def answers_of(section: ProfileSectionBase) -> Answers:
    """The typed data of a validated section, for `commands.record` and the rules: the answers
    of the fields the form asked (blank ones as None) and the consent boxes."""
    values = {}
    for name in (*VARIABLES, "zone", "territory", "subterritory", "organisation"):
        if name in section._fields:
            value = section[name].data
            values[name] = value if value not in ("", None, []) else None
    guardian = "guardian_consent" in section._fields
    return Answers(
        values=values,
        consent=bool(section.consent.data),
        guardian_consent=guardian and bool(section.guardian_consent.data),
        guardian_name=(section.guardian_name.data or None) if guardian else None,
    )
