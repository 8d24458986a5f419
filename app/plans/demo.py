"""Demo step (order 70): import Medellín's 2024 improvement plan table, publish it, link it to
demo events and consultation topics, and add follow-up for quarters I and II plus one finding
with its improvement action."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import click
from sqlalchemy import select

from app.core import registry, time
from app.extensions import db
from app.plans import commands, queries
from app.plans.models import Plan

DATA = Path(__file__).parent / "data" / "medellin_2024.tsv"
# How each task is doing relative to its schedule (cycled over the tasks): ahead, on time, behind.
PACE = (1.0, 0.9, 0.5, 1.0, 0.0, 0.8)


def demo_year(today: date) -> int:
    """The year whose first two quarters are over six months back from today, so the demo's
    follow-up is for periods that have begun."""
    return (today - timedelta(days=183)).year


def run() -> None:
    today = time.today()
    year = demo_year(today)
    name = (
        "Plan de acciones de mejora para la cualificación de las estrategias de rendición de cuentas "
        "distrital"
    )
    if db.session.scalar(select(Plan.id).where(Plan.name == name, Plan.year == year)):
        click.echo("  plan already there")
        return
    result = commands.import_plan(
        DATA.read_bytes(), filename=DATA.name, name=name, year=year, publish=True, actor="demo"
    )
    if not result.ok:
        raise click.ClickException("; ".join(i.reason for i in result.parsed.errors))
    plan = queries.get_plan(result.plan.id)
    plan.objective = (
        "Cualificar las estrategias de rendición de cuentas del Distrito: equipo líder, priorización "
        "de temas, formatos con enfoque poblacional, diferencial y territorial, urna virtual, "
        "escuchaderos, nodos territoriales y enfoque de género."
    )
    plan.scope = (
        "Aplica a las dependencias del nivel central que participan en la rendición de cuentas distrital."
    )
    reg = registry.get()
    events = [e for e, _label in reg.call("event_options")][:2]
    topics = [t for t, _label in reg.call("topic_options")][:2]
    for action in plan.actions:
        if action.number == 7 and events:
            action.event_ids = events
        if action.number == 2 and topics:
            action.topic_ids = topics
    db.session.commit()
    _follow_up(plan, today)
    click.echo(f"  plan {plan.id}: {len(plan.actions)} actions, {len(plan.tasks)} tasks, follow-up I–II")


def _follow_up(plan, today: date) -> None:
    for index, task in enumerate(plan.tasks):
        pace = PACE[index % len(PACE)]
        for period in (1, 2):
            end_month = plan.period_span(period)[2]
            ran = [m for m in task.months if m <= end_month]
            if not ran:
                continue
            share = len(ran) / len(task.months) * pace
            for code in task.reporting_codes:
                value = (
                    (5 * round(task.goal * share / 5))
                    if task.unit == "percentage"
                    else int(task.goal * share)
                )
                entry = commands.report(
                    task,
                    period,
                    code,
                    value=float(value),
                    today=today,
                    progress_text=_text(pace, share),
                    difficulties="" if pace >= 0.8 else "Falta de personal asignado.",
                    evidence=["https://www.medellin.gov.co/es/rendicion-de-cuentas/"] if value else [],
                )
                if period == 1:  # quarter I's notes were reviewed; quarter II's wait for the editor
                    commands.review_report(entry, approve=True, actor="demo")
    late = next((t for i, t in enumerate(plan.tasks) if PACE[i % len(PACE)] == 0.0), None)
    commands.add_finding(
        plan,
        "El seguimiento del segundo trimestre muestra tareas sin avance por falta de personal asignado.",
        found_on=date(plan.year, 7, 15),
        task=late,
        period=2,
        improvement={
            "title": "Asignar personal y cronograma de recuperación a las tareas sin avance",
            "description": "Designar un enlace por dependencia y acordar un cronograma de recuperación.",
            "offices": [plan.owner_office],
            "start_month": 8,
            "end_month": 10,
            "indicator_name": "Tareas sin avance con cronograma de recuperación acordado",
            "unit": "percentage",
            "goal": 100.0,
        },
        actor="demo",
    )


def _text(pace: float, share: float) -> str:
    if share >= 1:
        return "Tarea cumplida; el entregable está publicado."
    if pace >= 0.9:
        return "Avance según el cronograma acordado."
    if pace > 0:
        return "Avance parcial; se reprogramaron algunas actividades."
    return "Sin avance en el periodo."
