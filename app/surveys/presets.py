"""Ready-made questionnaires. The standard evaluation of an accountability event follows what
accountability manuals ask every event to measure; its questions carry a `key` so the results of
several events can be compared side by side."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.surveys.models import LONG, NPS, RATING, YESNO

EVENT_EVALUATION = "event_evaluation"
TEMPLATES = {EVENT_EVALUATION: _l("Evaluación de un evento de rendición de cuentas")}


def rating_labels() -> list[str]:
    """The default labels of a 1–5 rating."""
    return [_("Muy malo"), _("Malo"), _("Regular"), _("Bueno"), _("Muy bueno")]


def nps_labels() -> list[str]:
    """The labels of the ends of a 0–10 recommendation scale."""
    return [_("Nada probable"), _("Muy probable")]


def event_evaluation() -> dict:
    """Sections and questions of the standard event evaluation (strings in the current language)."""
    agreement = [
        _("Muy en desacuerdo"),
        _("En desacuerdo"),
        _("Ni de acuerdo ni en desacuerdo"),
        _("De acuerdo"),
        _("Muy de acuerdo"),
    ]
    return {
        "intro": _(
            "Tu opinión nos ayuda a mejorar los próximos espacios de rendición de cuentas. Toma unos dos "
            "minutos y es anónima."
        ),
        "sections": [
            {
                "title": _("Cómo te pareció el evento"),
                "description": "",
                "questions": [
                    {
                        "key": "clarity",
                        "kind": RATING,
                        "required": True,
                        "options": rating_labels(),
                        "text": _("¿Qué tan clara fue la información que se presentó?"),
                    },
                    {
                        "key": "time",
                        "kind": RATING,
                        "required": True,
                        "options": rating_labels(),
                        "text": _("¿Cómo calificas el tiempo que se dio para que la ciudadanía participara?"),
                    },
                    {
                        "key": "relevance",
                        "kind": RATING,
                        "required": True,
                        "options": rating_labels(),
                        "text": _("¿Qué tan pertinentes fueron los temas tratados para ti o tu comunidad?"),
                    },
                    {
                        "key": "logistics",
                        "kind": RATING,
                        "required": True,
                        "options": rating_labels(),
                        "text": _(
                            "¿Cómo calificas la organización y la logística (lugar, horario, convocatoria)?"
                        ),
                    },
                    {
                        "key": "expectations",
                        "kind": RATING,
                        "required": True,
                        "options": agreement,
                        "text": _("El evento cumplió mis expectativas."),
                    },
                    {
                        "key": "recommend",
                        "kind": NPS,
                        "required": False,
                        "options": nps_labels(),
                        "text": _(
                            "¿Qué tan probable es que invites a otras personas a un próximo evento como este?"
                        ),
                    },
                ],
            },
            {
                "title": _("Tus sugerencias"),
                "description": "",
                "questions": [
                    {
                        "key": "answered",
                        "kind": YESNO,
                        "required": False,
                        "options": [],
                        "text": _("¿Hiciste una pregunta o propuesta durante el evento?"),
                    },
                    {
                        "key": "answered_ok",
                        "kind": RATING,
                        "required": False,
                        "options": rating_labels(),
                        "condition": ("answered", 1),
                        "text": _("¿Cómo calificas la respuesta que recibiste?"),
                    },
                    {
                        "key": "suggestions",
                        "kind": LONG,
                        "required": False,
                        "options": [],
                        "text": _("¿Qué sugerencias tienes para mejorar los próximos eventos?"),
                    },
                ],
            },
        ],
    }


def build(template_key: str) -> dict:
    if template_key == EVENT_EVALUATION:
        return event_evaluation()
    raise KeyError(template_key)
