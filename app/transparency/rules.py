"""The six subsections of the "Participa" transparency section (Resolución MinTIC 1519 de 2020,
section 6) and the links staff may publish in them."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# Keys are the `section` argument of the `transparency_items` hook (see CONTRIBUTING.md).
SECTIONS = (
    (
        "diagnostico",
        _l("Diagnóstico e identificación de problemas"),
        _l(
            "Espacios en los que la ciudadanía ayuda a identificar los problemas y las necesidades que la "
            "entidad debe "
            "atender, y lo que se encontró."
        ),
    ),
    (
        "planeacion",
        _l("Planeación y presupuesto participativo"),
        _l(
            "Cómo participa la ciudadanía en la formulación de planes y programas y en la priorización del "
            "presupuesto, "
            "y el avance de esos planes."
        ),
    ),
    (
        "consulta",
        _l("Consulta ciudadana"),
        _l(
            "Consultas abiertas a la ciudadanía y sus resultados, por ejemplo los temas priorizados para la "
            "rendición "
            "de cuentas."
        ),
    ),
    (
        "colaboracion",
        _l("Colaboración e innovación abierta"),
        _l("Ejercicios en los que la ciudadanía propone ideas y soluciones junto con la entidad."),
    ),
    (
        "rendicion",
        _l("Rendición de cuentas"),
        _l(
            "Audiencias públicas, espacios de diálogo y demás eventos de rendición de cuentas, con su "
            "asistencia, "
            "las preguntas de la ciudadanía y sus respuestas, y las evaluaciones."
        ),
    ),
    (
        "control",
        _l("Control social"),
        _l(
            "Información para veedurías y para quien hace seguimiento a la gestión: planes de mejoramiento, "
            "su avance "
            "y los hallazgos."
        ),
    ),
)

SECTION_KEYS = frozenset(key for key, _title, _text in SECTIONS)

# A link staff may publish: a web address or an address of the portal (never javascript: or data:,
# and never `//host` or `/\host`, which browsers read as another site without its scheme).
URL_RE = re.compile(r"^(https?://[^\s<>\"']{3,990}|/(?![/\\])[^\s<>\"']{0,990})$", re.I)
