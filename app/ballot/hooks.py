"""What the urna virtual offers other pages through registry hooks (home, search, events,
characterisation dashboards, transparency). Nothing here reveals personal data: only the public
archive version of a question is ever shown outside the staff inbox."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import gettext as _

from . import queries, rules


def home() -> list[dict]:
    return [
        {
            "title": _("Urna virtual"),
            "text": _(
                "Haz una pregunta, una propuesta o una solicitud a la administración. Recibes un radicado y "
                "la respuesta llega dentro de los plazos de ley."
            ),
            "url": url_for("ballot.deposit"),
            "action": _("Hacer una pregunta"),
        }
    ]


def search(query: str) -> list[dict]:
    rows, _total = queries.archive(query, 1, limit=20)
    return [
        {
            "title": q.public_title or q.radicado,
            "url": url_for("ballot.archive_detail", question_id=q.id),
            "kind": _("Respuesta de la urna virtual"),
            "text": q.public_question or "",
        }
        for q in rows
    ]


def event_page_sections(event_id: int) -> list[dict]:
    """The questions an event will answer: public title when published, otherwise only the
    radicado and the kind (never the citizen's text)."""
    rows = queries.event_questions(event_id)
    if not rows:
        return []
    items = []
    for q in rows:
        if q.public:
            items.append(
                {
                    "text": q.public_title or q.radicado,
                    "url": url_for("ballot.archive_detail", question_id=q.id),
                }
            )
        else:
            items.append(
                {
                    "text": _("%(radicado)s · %(kind)s", radicado=q.radicado, kind=rules.kind_label(q.kind)),
                    "url": None,
                }
            )
    return [{"title": _("Preguntas de la urna virtual que se responderán en este evento"), "items": items}]


def characterization_objects() -> list[dict]:
    return [
        {
            "capability": "ballot",
            "object_id": str(year),
            "label": _("Urna virtual %(year)s", year=year),
            "date": date(year, 1, 1),
        }
        for year in queries.years()
    ]


def transparency_items(section: str) -> list[dict]:
    if section not in ("rendicion", "control"):
        return []
    years = queries.years()
    if not years:
        return []
    f = queries.figures(years[0])
    if section == "rendicion":
        return [
            {
                "title": _("Preguntas y respuestas de la urna virtual"),
                "url": url_for("ballot.archive"),
                "text": _(
                    "%(published)s respuestas publicadas; %(answered)s de %(received)s solicitudes "
                    "respondidas en %(year)s.",
                    published=f["published"],
                    answered=f["answered"],
                    received=f["received"],
                    year=f["year"],
                ),
            }
        ]
    on_time = f["on_time_pct"] if f["on_time_pct"] is not None else "—"
    return [
        {
            "title": _("Tiempos de respuesta de la urna virtual"),
            "url": url_for("ballot.figures"),
            "text": _(
                "%(pct)s %% de las respuestas de %(year)s salieron dentro del plazo legal; %(overdue)s "
                "solicitudes "
                "abiertas están vencidas.",
                pct=on_time,
                year=f["year"],
                overdue=f["overdue_open"],
            ),
        }
    ]
