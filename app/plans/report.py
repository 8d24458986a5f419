"""Accountability report sections: improvement-plan progress per action with its status light, and
the state of the plan actions that answer events (the follow-up of commitments)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core import registry, time
from app.core.registry import ReportPeriod, ReportSection, ReportTable
from app.plans import labels, queries


def _pct(value) -> str:
    return "—" if value is None else f"{value:.0f} %"


def sections(period: ReportPeriod) -> list[ReportSection]:
    today = min(time.today(), period.end)
    years = set(range(period.start.year, period.end.year + 1))
    plans = [p for p in queries.list_plans() if years & set(p.years)]
    # A multi-year plan is reported for the period's year (the last one when the period spans several),
    # with the whole plan's progress in its paragraph.
    report_year = period.end.year
    section = ReportSection("plans", 50, _("Avance del plan de mejoramiento"))
    commitments = ReportSection("commitments_state", 61, _("Estado de los compromisos"))
    followed = []
    for plan in plans:
        overview = queries.plan_overview(plan, today, year=report_year if plan.multi_year else None)
        actions = overview["actions"]
        if period.event_id is not None:
            actions = [a for a in actions if period.event_id in (a["action"].event_ids or [])]
            if not actions:
                continue
        if plan.multi_year:
            whole = queries.plan_overview(plan, today)
            section.paragraphs.append(
                _(
                    "«%(name)s» (%(years)s): avance de %(year)s %(pct)s, estado %(status)s; avance del plan "
                    "completo %(whole)s, estado %(whole_status)s.",
                    name=plan.name,
                    years=plan.years_label,
                    year=overview["year"],
                    pct=_pct(overview["progress"]),
                    status=str(labels.STATUS[overview["status"]]).lower(),
                    whole=_pct(whole["progress"]),
                    whole_status=str(labels.STATUS[whole["status"]]).lower(),
                )
            )
        else:
            section.paragraphs.append(
                _(
                    "«%(name)s» (%(year)s): avance general %(pct)s, estado %(status)s.",
                    name=plan.name,
                    year=plan.year,
                    pct=_pct(overview["progress"]),
                    status=str(labels.STATUS[overview["status"]]).lower(),
                )
            )
        title = (
            _("Avance por acción: %(name)s", name=plan.name)
            if not plan.multi_year
            else _("Avance por acción en %(year)s: %(name)s", year=overview["year"], name=plan.name)
        )
        section.tables.append(
            ReportTable(
                title,
                [_("N°"), _("Acción"), _("Avance"), _("Estado")],
                [
                    [
                        str(a["action"].number),
                        a["action"].title,
                        _pct(a["progress"]),
                        str(labels.STATUS[a["status"]]),
                    ]
                    for a in actions
                ],
            )
        )
        section.lights[len(section.tables) - 1] = [a["status"] for a in actions]
        for a in actions:
            for event_id in a["action"].event_ids or []:
                if period.event_id is not None and event_id != period.event_id:
                    continue
                found = registry.get().call("event_summary", event_id)
                if found:
                    followed.append(
                        [
                            found[0]["title"],
                            f"{a['action'].number}. {a['action'].title}",
                            _pct(a["progress"]),
                            str(labels.STATUS[a["status"]]),
                        ]
                    )
    if not section.tables and period.event_id is not None:
        section.paragraphs.append(_("Ninguna acción de los planes de mejoramiento responde a este evento."))
    elif not section.tables:
        section.paragraphs.append(_("No hay planes de mejoramiento para este periodo."))
    commitments.paragraphs.append(
        _("Acciones de los planes que responden a compromisos de los eventos: %(n)s.", n=len(followed))
    )
    if followed:
        commitments.tables.append(
            ReportTable(
                _("Seguimiento de los compromisos"),
                [_("Evento"), _("Acción"), _("Avance"), _("Estado")],
                followed,
            )
        )
        commitments.lights[0] = [_status_code(row[3]) for row in followed]
    return [section, commitments]


def _status_code(label: str) -> str:
    return next((code for code, text in labels.STATUS.items() if str(text) == label), "no_goal")


def datasets() -> list:
    from app.core.registry import OpenDataset

    def rows() -> list[list]:
        out = []
        for plan in queries.list_plans(published_only=True):
            # one row per task, or per task and year in a multi-year plan (that year's target)
            for year in plan.years if plan.multi_year else [None]:
                overview = queries.plan_overview(plan, year=year)
                for a in overview["actions"]:
                    for t in a["tasks"]:
                        task = t["task"]
                        out.append(
                            [
                                plan.id,
                                plan.name,
                                year or plan.year,
                                plan.years_label,
                                a["action"].number,
                                a["action"].title,
                                task.description,
                                task.indicator_name,
                                str(labels.UNIT[task.unit]),
                                t["goal"],
                                t["achieved"],
                                t["progress"],
                                str(labels.STATUS[t["status"]]),
                            ]
                        )
        return out

    return [
        OpenDataset(
            "avance-planes",
            _("Avance de los planes de mejoramiento"),
            _("Cada tarea de los planes publicados con su indicador, meta, valor logrado, avance y estado."),
            _("Planeación"),
            _("Trimestral"),
            [
                ("plan_id", "integer", _("Número interno del plan")),
                ("plan", "text", _("Nombre del plan")),
                ("anio", "integer", _("Año del plan, o año de seguimiento en un plan de varios años")),
                ("vigencia", "text", _("Años que cubre el plan (por ejemplo 2024–2033)")),
                ("accion_numero", "integer", _("Número de la acción")),
                ("accion", "text", _("Acción de mejora")),
                ("tarea", "text", _("Tarea")),
                ("indicador", "text", _("Indicador de seguimiento")),
                ("unidad", "text", _("Unidad de medida")),
                (
                    "meta",
                    "number",
                    _("Meta de la tarea (la del año en un plan de varios años); vacío si no tiene"),
                ),
                ("logrado", "number", _("Valor logrado a la fecha; vacío si no hay reporte")),
                ("avance_porcentaje", "number", _("Avance frente a la meta (0 a 100)")),
                ("estado", "text", _("Estado: al día, en riesgo, atrasada, cumplida o sin meta")),
            ],
            rows,
        )
    ]
