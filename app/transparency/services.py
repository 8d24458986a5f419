"""The six subsections of the "Participa" transparency section and what is published in each."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core import registry

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


@dataclass
class Section:
    key: str
    title: str
    text: str
    items: list[dict] = field(default_factory=list)


def sections() -> list[Section]:
    """Each subsection with the items every capability publishes in it, in hook order.

    A capability whose hook fails is logged and left out, so one fault never hides what the
    others publish.
    """
    hooks = registry.get().hooks.get("transparency_items", [])
    out = []
    for key, title, text in SECTIONS:
        items: list[dict] = []
        for hook in hooks:
            try:
                result = hook(key) or []
            except Exception:  # noqa: BLE001 - one capability's fault must not hide the page
                current_app.logger.exception("transparency_items hook %r failed for %s", hook, key)
                continue
            items.extend(i for i in result if i and i.get("title") and i.get("url"))
        out.append(Section(key, str(title), str(text), items))
    return out
