"""Accountability report section: questions received through the urna and how many were answered
within the legal term (Ley 1755 de 2015), by kind and by office. Counts of requests, not of
people: no characterisation figure here."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Integer, cast, func, select

from app.catalogs import queries as catalogs
from app.core.registry import ReportPeriod, ReportSection, ReportTable
from app.extensions import db

from .models import BallotQuestion
from .rules import KINDS, kind_label

ANSWERED = ("answered", "closed")


def _where(stmt, period: ReportPeriod):
    if period.event_id is not None:
        return stmt.where(BallotQuestion.event_id == period.event_id)
    return stmt.where(BallotQuestion.filed_on >= period.start, BallotQuestion.filed_on <= period.end)


def figures_by(column, period: ReportPeriod) -> dict:
    """{group: (received, answered, answered on time)}."""
    stmt = _where(
        select(
            column,
            func.count(),
            func.sum(cast(BallotQuestion.status.in_(ANSWERED), Integer)),
            func.sum(cast(BallotQuestion.answered_on_time.is_(True), Integer)),
        ),
        period,
    )
    return {key: (n, int(a or 0), int(t or 0)) for key, n, a, t in db.session.execute(stmt.group_by(column))}


def _pct(on_time: int, answered: int) -> str:
    return f"{round(100 * on_time / answered)} %" if answered else "—"


def sections(period: ReportPeriod) -> list[ReportSection]:
    by_kind = figures_by(BallotQuestion.kind, period)
    by_office = figures_by(BallotQuestion.office_code, period)
    received = sum(v[0] for v in by_kind.values())
    answered = sum(v[1] for v in by_kind.values())
    on_time = sum(v[2] for v in by_kind.values())
    section = ReportSection("ballot", 30, _("Preguntas y propuestas recibidas por la urna virtual"))
    section.paragraphs.append(
        _(
            "Recibidas: %(received)s. Respondidas: %(answered)s, de ellas %(on_time)s dentro del "
            "término legal (%(pct)s).",
            received=received,
            answered=answered,
            on_time=on_time,
            pct=_pct(on_time, answered),
        )
    )
    if not received:
        return [section]
    header = [_("Recibidas"), _("Respondidas"), _("Dentro del término"), _("% a tiempo")]
    kinds = [k for k in KINDS if k in by_kind] + sorted(k for k in by_kind if k not in KINDS)
    section.tables.append(
        ReportTable(
            _("Por tipo de solicitud"),
            [_("Tipo")] + header,
            [[kind_label(k), *map(str, by_kind[k][:3]), _pct(by_kind[k][2], by_kind[k][1])] for k in kinds],
        )
    )
    names = {o.code: o.name for o in catalogs.offices(include_inactive=True)}
    offices = sorted(by_office, key=lambda c: (c is None, names.get(c or "", c or "")))
    section.tables.append(
        ReportTable(
            _("Por dependencia"),
            [_("Dependencia")] + header,
            [
                [
                    names.get(c, c) if c else _("Sin asignar"),
                    *map(str, by_office[c][:3]),
                    _pct(by_office[c][2], by_office[c][1]),
                ]
                for c in offices
            ],
        )
    )
    return [section]


def datasets() -> list:
    from flask_babel import gettext as _

    from app.core.registry import OpenDataset

    def rows() -> list[list]:
        names = {o.code: o.name for o in catalogs.offices(include_inactive=True)}
        stmt = (
            select(
                BallotQuestion.year,
                BallotQuestion.kind,
                BallotQuestion.office_code,
                func.count(),
                func.sum(cast(BallotQuestion.status.in_(ANSWERED), Integer)),
                func.sum(cast(BallotQuestion.answered_on_time.is_(True), Integer)),
                func.avg(BallotQuestion.business_days_to_answer),
            )
            .group_by(BallotQuestion.year, BallotQuestion.kind, BallotQuestion.office_code)
            .order_by(BallotQuestion.year, BallotQuestion.kind, BallotQuestion.office_code)
        )
        return [
            [
                year,
                kind_label(kind),
                names.get(office, office) if office else _("Sin asignar"),
                n,
                int(a or 0),
                int(t or 0),
                round(float(avg), 1) if avg is not None else None,
            ]
            for year, kind, office, n, a, t, avg in db.session.execute(stmt)
        ]

    return [
        OpenDataset(
            "estadisticas-urna",
            _("Estadísticas de la urna virtual"),
            _(
                "Preguntas, propuestas y solicitudes recibidas por la urna virtual por año, tipo y "
                "dependencia, cuántas "
                "se respondieron y cuántas dentro del término legal (Ley 1755 de 2015)."
            ),
            _("Transparencia"),
            _("Diaria"),
            [
                ("anio", "integer", _("Año de radicación")),
                ("tipo", "text", _("Tipo de solicitud")),
                ("dependencia", "text", _("Dependencia que responde")),
                ("recibidas", "integer", _("Solicitudes recibidas")),
                ("respondidas", "integer", _("Solicitudes respondidas")),
                ("a_tiempo", "integer", _("Respondidas dentro del término legal")),
                (
                    "dias_habiles_promedio",
                    "number",
                    _("Días hábiles promedio para responder; vacío si no hay respuestas"),
                ),
            ],
            rows,
        )
    ]
