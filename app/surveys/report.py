"""Accountability report section: satisfaction (CSAT: share of 4–5 ratings) and recommendation
(NPS) per event evaluated, from published surveys. A survey with fewer answers than k shows no
figure (its averages could describe a handful of people)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.characterization import published
from app.core import registry, time
from app.core.registry import ReportPeriod, ReportSection, ReportTable
from app.extensions import db

from . import results
from .models import Survey


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return time.to_local(value).date()
    return value


def surveys_in(period: ReportPeriod) -> list[tuple[Survey, str]]:
    """(survey, what it evaluates) for published surveys of the period: those of its events, and
    those without an event that opened in it."""
    reg = registry.get()
    out = []
    for survey in db.session.scalars(select(Survey).where(Survey.published.is_(True)).order_by(Survey.id)):
        if survey.event_id is not None:
            found = reg.call("event_summary", survey.event_id)
            if not found:
                continue
            if period.event_id is not None:
                if survey.event_id == period.event_id:
                    out.append((survey, found[0]["title"]))
                continue
            if period.start <= _day(found[0]["starts_at"]) <= period.end:
                out.append((survey, found[0]["title"]))
        elif (
            period.event_id is None
            and survey.opens_at
            and period.start <= _day(survey.opens_at) <= period.end
        ):
            out.append((survey, survey.title))
    return out


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} %"


def _nps(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}"


def sections(period: ReportPeriod) -> list[ReportSection]:
    section = ReportSection("surveys", 40, _("Satisfacción de los participantes"))
    rows = []
    for survey, evaluated in surveys_in(period):
        r = results.compute(survey, viewer=published.viewer())
        hidden = r.responses is None
        rows.append(
            [
                evaluated,
                r.responses_display,
                "—" if hidden else _pct(r.satisfaction),
                "—" if hidden else _nps(r.nps),
            ]
        )
    section.paragraphs.append(
        _(
            "Encuestas de satisfacción publicadas en el periodo: %(n)s. Satisfacción (CSAT): "
            "porcentaje de calificaciones 4 o 5 de 5. Recomendación (NPS): porcentaje de "
            "promotores (9–10) menos porcentaje de detractores (0–6).",
            n=len(rows),
        )
    )
    if rows:
        section.tables.append(
            ReportTable(
                _("Satisfacción por evento"),
                [
                    _("Evento o ejercicio"),
                    _("Respuestas"),
                    _("Satisfacción (CSAT)"),
                    _("Recomendación (NPS)"),
                ],
                rows,
            )
        )
        section.paragraphs.append(published.note())
    return [section]


def datasets() -> list:
    from app.core.registry import OpenDataset

    def rows() -> list[list]:
        reg = registry.get()
        out = []
        for survey in db.session.scalars(
            select(Survey)
            .where(Survey.published.is_(True), Survey.results_public.is_(True))
            .order_by(Survey.id)
        ):
            found = reg.call("event_summary", survey.event_id) if survey.event_id is not None else []
            r = results.compute(survey, viewer=published.viewer())
            hidden = r.responses is None
            out.append(
                [
                    survey.id,
                    survey.title,
                    found[0]["title"] if found else "",
                    r.responses,
                    None if hidden or r.satisfaction is None else round(r.satisfaction, 1),
                    None if hidden or r.nps is None else round(r.nps, 1),
                ]
            )
        return out

    return [
        OpenDataset(
            "resultados-encuestas",
            _("Resultados de las encuestas de satisfacción"),
            _(
                "Respuestas, satisfacción (CSAT) y recomendación (NPS) de cada encuesta con "
                "resultados públicos."
            ),
            _("Participación ciudadana"),
            _("Cada vez que se publican resultados"),
            [
                ("encuesta_id", "integer", _("Número interno de la encuesta")),
                ("encuesta", "text", _("Título de la encuesta")),
                ("evento", "text", _("Evento evaluado; vacío si no evalúa un evento")),
                ("respuestas", "integer", _("Respuestas recibidas; vacío si la cifra está protegida")),
                ("satisfaccion_csat", "number", _("Porcentaje de calificaciones 4 o 5 de 5")),
                ("recomendacion_nps", "number", _("Promotores menos detractores, en puntos (−100 a 100)")),
            ],
            rows,
            people=("respuestas",),
        )
    ]
