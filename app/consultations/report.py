"""Accountability report section: the topics citizens prioritised and how many took part, by
territory and population group (protected with the same rules as the public results page)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.characterization import published
from app.core import time
from app.core.registry import ReportPeriod, ReportSection, ReportTable
from app.extensions import db

from . import results
from .models import Consultation, ConsultationTopic, ConsultationTopicEvent

TOP_TOPICS = 10


def consultations_in(period: ReportPeriod) -> list[Consultation]:
    stmt = select(Consultation).where(Consultation.is_public.is_(True))
    if period.event_id is not None:
        linked = (
            select(ConsultationTopic.consultation_id)
            .join(ConsultationTopicEvent, ConsultationTopicEvent.topic_id == ConsultationTopic.id)
            .where(ConsultationTopicEvent.event_id == period.event_id)
        )
        stmt = stmt.where(Consultation.id.in_(linked))
    else:
        start = time.from_local(datetime.combine(period.start, datetime.min.time()))
        end = time.from_local(datetime.combine(period.end + timedelta(days=1), datetime.min.time()))
        stmt = stmt.where(Consultation.opens_at < end, Consultation.closes_at >= start)
    return list(db.session.scalars(stmt.order_by(Consultation.opens_at)))


def sections(period: ReportPeriod) -> list[ReportSection]:
    viewer = published.viewer()
    section = ReportSection("topics", 10, _("Temas priorizados por la ciudadanía"))
    found = consultations_in(period)
    section.paragraphs.append(_("Consultas de priorización en el periodo: %(n)s.", n=len(found)))
    for consultation in found:
        by_territory = results.compute(consultation, "territory", viewer)
        section.paragraphs.append(
            _(
                "«%(title)s»: %(people)s personas respondieron.",
                title=consultation.title,
                people=by_territory.respondents,
            )
        )
        section.tables.append(
            ReportTable(
                _("Temas más votados: %(title)s", title=consultation.title),
                [_("Puesto"), _("Tema"), _("Personas")],
                [[str(r["rank"]), r["label"], r["display"]] for r in by_territory.ranking[:TOP_TOPICS]],
            )
        )
        section.tables.append(
            ReportTable(
                _("Participación por comuna o corregimiento: %(title)s", title=consultation.title),
                [_("Comuna o corregimiento"), _("Personas"), _("Temas más votados")],
                [
                    [g["label"], g["people"], "; ".join(t["label"] for t in g["top"])]
                    for g in by_territory.groups
                ],
            )
        )
        groups = [d for d, _label in by_territory.dimensions if d not in ("territory", "zone")]
        if groups:
            by_group = results.compute(consultation, groups[0], viewer)
            section.tables.append(
                ReportTable(
                    _(
                        "Participación por %(group)s: %(title)s",
                        group=by_group.dimension_label.lower(),
                        title=consultation.title,
                    ),
                    [by_group.dimension_label, _("Personas"), _("Temas más votados")],
                    [
                        [g["label"], g["people"], "; ".join(t["label"] for t in g["top"])]
                        for g in by_group.groups
                    ],
                )
            )
    if found:
        section.paragraphs.append(published.note())
    return [section]


def datasets() -> list:
    from app.core.registry import OpenDataset

    def rows() -> list[list]:
        out = []
        for consultation in db.session.scalars(
            select(Consultation)
            .where(Consultation.is_public.is_(True), Consultation.results_published_at.is_not(None))
            .order_by(Consultation.opens_at)
        ):
            result = results.compute(consultation, "territory", published.viewer())
            for r in result.ranking:
                out.append(
                    [
                        consultation.id,
                        consultation.title,
                        time.to_local(consultation.opens_at).date(),
                        time.to_local(consultation.closes_at).date(),
                        r["rank"],
                        r["label"],
                        r["value"],
                    ]
                )
        return out

    return [
        OpenDataset(
            "resultados-consultas",
            _("Resultados de las consultas de priorización"),
            _(
                "Temas que la ciudadanía priorizó en cada consulta publicada, con el número de personas que "
                "eligió "
                "cada tema."
            ),
            _("Participación ciudadana"),
            _("Cada vez que se publica una consulta"),
            [
                ("consulta_id", "integer", _("Número interno de la consulta")),
                ("consulta", "text", _("Título de la consulta")),
                ("fecha_apertura", "date", _("Día en que abrió la consulta (hora de Colombia)")),
                ("fecha_cierre", "date", _("Día en que cerró la consulta")),
                ("puesto", "integer", _("Lugar del tema en el ranking de la consulta")),
                ("tema", "text", _("Tema de la consulta")),
                (
                    "personas",
                    "integer",
                    _("Personas que eligieron el tema; vacío si la cifra está protegida"),
                ),
            ],
            rows,
            people=("personas",),
        )
    ]
