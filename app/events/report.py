"""Accountability report section: each event held in the period (kind, date, place, attendance,
characterisation of attendees with protected figures, commitments made)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.catalogs import queries as catalogs
from app.characterization import published, queries
from app.characterization.queries import Filters, variable_labels
from app.characterization.report import breakdown
from app.core import time
from app.core.registry import ReportPeriod, ReportSection, ReportTable
from app.events import queries as event_queries
from app.events.models import CLOSED, Event
from app.extensions import db

CHARACTERISATION = ("life_course", "sex", "value_group")


def held_events(period: ReportPeriod) -> list[Event]:
    """Closed events that started in the period (or the period's one event)."""
    stmt = select(Event).where(Event.status == CLOSED)
    if period.event_id is not None:
        stmt = stmt.where(Event.id == period.event_id)
    else:
        start = time.from_local(datetime.combine(period.start, datetime.min.time()))
        end = time.from_local(datetime.combine(period.end + timedelta(days=1), datetime.min.time()))
        stmt = stmt.where(Event.starts_at >= start, Event.starts_at < end)
    return list(db.session.scalars(stmt.order_by(Event.starts_at)))


def attendance(event: Event) -> int:
    return event.attendance_total if event.attendance_total is not None else event_queries.count(event.id)


def sections(period: ReportPeriod) -> list[ReportSection]:
    events = held_events(period)
    kinds = catalogs.labels("event_kind")
    places = catalogs.territory_names()
    section = ReportSection("events", 20, _("Eventos de rendición de cuentas y diálogo"))
    section.paragraphs.append(
        _(
            "Eventos realizados: %(n)s. Asistencia total registrada: %(people)s personas.",
            n=len(events),
            people=sum(attendance(e) for e in events),
        )
    )
    if not events:
        return [section]
    section.tables.append(
        ReportTable(
            _("Eventos realizados"),
            [_("Evento"), _("Tipo"), _("Fecha"), _("Lugar"), _("Asistencia")],
            [
                [
                    e.title,
                    kinds.get(e.kind, e.kind),
                    time.to_local(e.starts_at).strftime("%d/%m/%Y"),
                    ", ".join(p for p in (e.place, places.get(e.territory or "", "")) if p) or "—",
                    str(attendance(e)),
                ]
                for e in events
            ],
        )
    )
    names = variable_labels()
    for e in events:
        filters = Filters(capability="events", object_id=str(e.id))
        rows = []
        for variable in CHARACTERISATION:
            cells, total = breakdown(variable, filters)
            rows += [[names[variable], label, n] for label, n in cells]
        if rows:
            section.tables.append(
                ReportTable(
                    _("Caracterización de asistentes: %(event)s", event=e.title),
                    [_("Variable"), _("Grupo"), _("Personas")],
                    rows,
                )
            )
    section.paragraphs.append(published.note())
    commitments = ReportSection("commitments", 60, _("Compromisos adquiridos en los eventos"))
    made = [e for e in events if e.commitments.strip()]
    commitments.paragraphs.append(
        _("Eventos con compromisos registrados: %(n)s de %(total)s.", n=len(made), total=len(events))
    )
    if made:
        commitments.tables.append(
            ReportTable(
                _("Compromisos por evento"),
                [_("Evento"), _("Compromisos")],
                [[e.title, e.commitments.strip()] for e in made],
            )
        )
    return [section, commitments]


def datasets() -> list:
    from app.core.registry import OpenDataset

    def rows() -> list[list]:
        kinds = catalogs.labels("event_kind")
        names = variable_labels()
        out = []
        for e in db.session.scalars(select(Event).where(Event.status == CLOSED).order_by(Event.starts_at)):
            base = [
                e.id,
                e.title,
                kinds.get(e.kind, e.kind),
                time.to_local(e.starts_at).date(),
                attendance(e),
            ]
            filters = Filters(capability="events", object_id=str(e.id))
            for variable in CHARACTERISATION:
                counts = queries.totals(variable, filters, keyed=True)
                codes = [c for c in queries.ordered_codes(variable, counts) if counts.get(c, (0, 0))[0]]
                cells, _total = published.protect_keyed({c: counts[c] for c in codes})
                labels = queries.code_labels(variable)
                out += [base + [names[variable], labels.get(c) or c, cells[c]] for c in codes]
        return out

    return [
        OpenDataset(
            "asistencia-eventos",
            _("Asistencia a eventos por grupo poblacional"),
            _(
                "Eventos de rendición de cuentas y diálogo realizados, su asistencia y la "
                "caracterización de quienes "
                "asistieron por curso de vida, sexo al nacer y grupo de valor."
            ),
            _("Participación ciudadana"),
            _("Cada vez que se cierra un evento"),
            [
                ("evento_id", "integer", _("Número interno del evento")),
                ("evento", "text", _("Nombre del evento")),
                ("tipo", "text", _("Tipo de evento")),
                ("fecha", "date", _("Día del evento (hora de Colombia)")),
                ("asistencia", "integer", _("Personas registradas en el listado de asistencia")),
                ("variable", "text", _("Variable de caracterización")),
                ("grupo", "text", _("Grupo dentro de la variable")),
                ("personas", "integer", _("Personas del grupo; vacío si la cifra está protegida")),
            ],
            rows,
            people=("personas",),
        )
    ]
