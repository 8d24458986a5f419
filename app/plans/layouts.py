"""The plan in Medellín's own layout (seed 002, "Plan de acciones de mejora"), column for column:

    strategy title · plan name · # | Acción de mejora | Tareas | Responsable | Tiempo inicio |
    Tiempo terminación | Indicador de seguimiento | Unidad de medida | Meta | Observaciones

An action's number and title go on its first task row only; responsible offices are written as the
entity wrote them (the original text); months by name; the goal as "100%" for percentages. It reads
back with the importer. Always in Spanish (the entity's format).
"""

from __future__ import annotations

import xlsxwriter
from flask import current_app

from app.core import exports as core_exports
from app.core.exports import safe_cell
from app.plans import labels

MEDELLIN_HEADER = (
    "#",
    "Acción de mejora",
    "Tareas",
    "Responsable",
    "Tiempo inicio",
    "Tiempo terminación",
    "Indicador de seguimiento",
    "Unidad de medida",
    "Meta",
    "Observaciones",
)
MONTHS = (
    "Enero",
    "Febrero",
    "Marzo",
    "Abril",
    "Mayo",
    "Junio",
    "Julio",
    "Agosto",
    "Septiembre",
    "Octubre",
    "Noviembre",
    "Diciembre",
)
UNITS = {"percentage": "Porcentaje", "number": "Número"}


def goal_text(task) -> str:
    if task.goal is None:
        return ""
    return f"{labels.number(task.goal)}%" if task.unit == "percentage" else labels.number(task.goal)


def medellin_rows(plan) -> list[list]:
    rows = []
    for action in plan.actions:
        for position, task in enumerate(action.tasks):
            rows.append(
                [
                    action.number if position == 0 else "",
                    action.title if position == 0 else "",
                    task.description,
                    task.responsible_text,
                    MONTHS[task.start_month - 1],
                    MONTHS[task.end_month - 1],
                    task.indicator_name,
                    UNITS.get(task.unit, task.unit),
                    goal_text(task),
                    task.observations,
                ]
            )
    return rows


def write_medellin(path: str, plan) -> int:
    workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("Plan de mejoramiento")
    title = workbook.add_format({"bold": True, "font_size": 12})
    head = workbook.add_format(
        {"bold": True, "border": 1, "text_wrap": True, "valign": "top", "bg_color": "#DCE6F1"}
    )
    cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    for col, width in enumerate((5, 40, 45, 30, 12, 12, 40, 12, 8, 30)):
        sheet.set_column(col, col, width)
    row = 0
    for text in (plan.process or plan.entity_name or current_app.config.get("ENTITY_NAME", ""), plan.name):
        sheet.write_string(row, 0, safe_cell(text), title)
        row += 2
    sheet.write_row(row, 0, list(MEDELLIN_HEADER), head)
    sheet.repeat_rows(row)
    sheet.set_header("&R&8Página &P de &N")
    rows = medellin_rows(plan)
    for values in rows:
        row += 1
        for col, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(row, col, value, cell)
            else:
                sheet.write_string(row, col, safe_cell(value), cell)
    workbook.close()
    return len(rows)


def medellin_response(plan):
    return core_exports.workbook_response(
        f"plan-{plan.id}-medellin.xlsx",
        lambda path: write_medellin(path, plan),
        what="plans.plan_xlsx_medellin",
        filters={"plan": plan.id},
    )
