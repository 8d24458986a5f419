"""Follow-up in bulk: one office's tasks of one period as an XLSX it fills and uploads back.

Layout (sheet "Seguimiento"), always in Spanish like the entity's other formats:

    row 1  SEGUIMIENTO DEL PLAN | plan name
    row 2  PLAN (NO CAMBIAR)    | plan id
    row 3  DEPENDENCIA (NO CAMBIAR) | office code | office name
    row 4  PERIODO (NO CAMBIAR) | period number | roman label and months
    row 6  header (HEADERS); rows 7… one task each

The columns VALOR, AVANCE CUALITATIVO, DIFICULTADES and EVIDENCIAS are the ones to fill; the
others are there to read. VALOR shows the task's one shared figure for the period (co-responsible
offices report one figure); the notes are the office's own. The file reads back any number of
times: `diff` compares it with what is stored and lists only what would change. A blank VALOR
leaves the stored value as it is.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

import xlsxwriter
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.auth import may
from app.core.exports import safe_cell
from app.plans import labels, progress, rules
from app.plans.models import Plan, PlanReport, PlanTask

SHEET = "Seguimiento"
HEADERS = (
    "ID TAREA",
    "N° ACCIÓN",
    "TAREA",
    "INDICADOR",
    "UNIDAD DE MEDIDA",
    "META",
    "VALOR",
    "AVANCE CUALITATIVO",
    "DIFICULTADES",
    "EVIDENCIAS (UN ENLACE POR LÍNEA)",
)
C_ID, C_VALUE, C_TEXT, C_DIFF, C_EVID = 0, 6, 7, 8, 9
HEADER_ROW = 5  # 0-based: row 6 in the spreadsheet
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
MAX_TEXT = 5000


class BulkFileError(ValueError):
    """The file cannot be read as a follow-up workbook (message for the person)."""


@dataclass
class Sheet:
    plan_id: int
    office: str
    period: int
    rows: list[tuple[int, list]]  # (spreadsheet line, cells)


@dataclass
class Change:
    """What one row would change: fields [(field, label, before, after)]."""

    line: int
    task: PlanTask
    report: PlanReport | None
    value: float | None
    progress_text: str
    difficulties: str
    evidence: list[str]
    fields: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass
class Diff:
    sheet: Sheet
    changes: list[Change] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def fingerprint(self) -> str:
        """A digest of exactly what would change (the confirm step refuses a different outcome)."""
        data = [(c.task.id, c.fields) for c in self.changes]
        return hashlib.sha256(
            json.dumps([self.sheet.plan_id, self.sheet.office, self.sheet.period, data], default=str).encode()
        ).hexdigest()


# ---------------------------------------------------------------------------- writing


def office_tasks(plan: Plan, office: str) -> list[PlanTask]:
    return [t for t in plan.tasks if office in t.reporting_codes]


def current_entry(task: PlanTask, period: int, office: str) -> PlanReport | None:
    return next((r for r in task.reports if r.period == period and r.office_code == office), None)


def write(path: str, plan: Plan, office: str, office_name: str, period: int) -> int:
    """Write the office's workbook for `period`; return the number of task rows."""
    with force_locale("es_CO"):
        return _write(path, plan, office, office_name, period)


def _months(start: int, end: int) -> str:
    return (
        f"{labels.MONTHS[start - 1]} a {str(labels.MONTHS[end - 1]).lower()}"
        if start != end
        else str(labels.MONTHS[start - 1])
    )


def _write(path, plan, office, office_name, period) -> int:
    workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet(SHEET)
    bold = workbook.add_format({"bold": True})
    head = workbook.add_format(
        {"bold": True, "border": 1, "text_wrap": True, "valign": "top", "bg_color": "#DCE6F1"}
    )
    locked = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top", "bg_color": "#F2F2F2"})
    fill = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top", "bg_color": "#FFF2CC"})
    year, start, end = plan.period_span(period)
    sheet.write_row(0, 0, ["SEGUIMIENTO DEL PLAN", safe_cell(plan.name)], bold)
    sheet.write_row(1, 0, ["PLAN (NO CAMBIAR)", plan.id])
    sheet.write_row(2, 0, ["DEPENDENCIA (NO CAMBIAR)", office, safe_cell(office_name)])
    sheet.write_row(
        3, 0, ["PERIODO (NO CAMBIAR)", period, f"{plan.period_name(period)}: {_months(start, end)} {year}"]
    )
    sheet.write(4, 0, "Llena las columnas amarillas. Deja VALOR en blanco si no cambias el valor.")
    sheet.write_row(HEADER_ROW, 0, list(HEADERS), head)
    for col, width in enumerate((9, 9, 50, 40, 14, 9, 10, 50, 40, 50)):
        sheet.set_column(col, col, width)
    figures = {}
    rows = 0
    for rows, task in enumerate(office_tasks(plan, office), start=1):
        figures = progress.period_figures(task, period)
        entry = current_entry(task, period, office)
        r = HEADER_ROW + rows
        sheet.write_number(r, C_ID, task.id, locked)
        sheet.write_number(r, 1, task.action.number, locked)
        sheet.write_string(r, 2, str(safe_cell(task.description)), locked)
        sheet.write_string(r, 3, str(safe_cell(task.indicator_name)), locked)
        sheet.write_string(r, 4, str(labels.UNIT.get(task.unit, task.unit)), locked)
        goal = task.year_target(year) if plan.multi_year else task.goal
        if goal is not None:
            sheet.write_number(r, 5, goal, locked)
        else:
            sheet.write_blank(r, 5, None, locked)
        if period in figures:
            sheet.write_number(r, C_VALUE, figures[period], fill)
        else:
            sheet.write_blank(r, C_VALUE, None, fill)
        sheet.write_string(r, C_TEXT, str(safe_cell(entry.progress_text if entry else "")), fill)
        sheet.write_string(r, C_DIFF, str(safe_cell(entry.difficulties if entry else "")), fill)
        sheet.write_string(r, C_EVID, "\n".join(entry.evidence) if entry else "", fill)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    workbook.close()
    return rows


# ---------------------------------------------------------------------------- reading


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def read(data: bytes) -> Sheet:
    """Read an uploaded follow-up workbook (first sheet). Raises BulkFileError."""
    from openpyxl import load_workbook

    if not data:
        raise BulkFileError(_("El archivo está vacío."))
    if len(data) > MAX_BYTES:
        raise BulkFileError(_("El archivo pesa más de 5 MB: sube la hoja de seguimiento que descargaste."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise BulkFileError(
            _("No pudimos leer el archivo: sube la hoja de seguimiento en formato XLSX.")
        ) from None
    try:
        cells = [
            list(row)
            for _i, row in zip(
                range(HEADER_ROW + MAX_ROWS + 2), book.worksheets[0].iter_rows(values_only=True), strict=False
            )
        ]
    finally:
        book.close()
    if len(cells) > HEADER_ROW + MAX_ROWS + 1:
        raise BulkFileError(_("El archivo tiene más de %(n)s filas.", n=MAX_ROWS))

    def meta(row: int) -> int | None:
        return _int(cells[row][1]) if len(cells) > row and len(cells[row]) > 1 else None

    header = [str(c or "").strip().upper() for c in cells[HEADER_ROW]] if len(cells) > HEADER_ROW else []
    plan_id, period = meta(1), meta(3)
    office = str(cells[2][1] or "").strip() if len(cells) > 2 and len(cells[2]) > 1 else ""
    if plan_id is None or period is None or not office or tuple(header[: len(HEADERS)]) != HEADERS:
        raise BulkFileError(
            _(
                "Este archivo no es una hoja de seguimiento de Participa (no cambies las filas "
                "de arriba ni los títulos de las columnas): descárgala de nuevo."
            )
        )
    rows = []
    for index, row in enumerate(cells[HEADER_ROW + 1 :], start=HEADER_ROW + 2):
        row = list(row) + [None] * (len(HEADERS) - len(row))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        rows.append((index, row))
    return Sheet(plan_id, office, period, rows)


def _number(value) -> float | None:
    """A cell as a number; '' -> None; raises ValueError for text that is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(" ", "").rstrip("%")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):  # 1.234,5
        text = text.replace(".", "")
    return float(text.replace(",", "."))


def _text(value) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").strip()
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _fmt(value) -> str:
    return "" if value is None else labels.number(value)


def diff(sheet: Sheet, plan: Plan, *, user=None, today=None) -> Diff:
    """Compare the uploaded sheet with what is stored: every row is checked with the same rules as
    the one-task form (`commands.report`); rows that change nothing are only counted."""
    from app.core import time

    today = today or time.today()
    result = Diff(sheet)
    office, period = sheet.office, sheet.period
    if not 1 <= period <= plan.period_count:
        result.errors.append((4, _("Ese periodo no existe en este plan.")))
        return result
    if not rules.period_started(plan, period, today):
        result.errors.append(
            (
                4,
                _(
                    "El periodo %(p)s todavía no ha empezado; solo se reportan periodos en curso o pasados.",
                    p=plan.period_name(period),
                ),
            )
        )
        return result
    tasks = {t.id: t for t in office_tasks(plan, office)}
    if not tasks:
        result.errors.append((3, _("La dependencia «%(code)s» no tiene tareas en este plan.", code=office)))
        return result
    if user is not None and not may(user, "content.edit", [office]):
        result.errors.append(
            (3, _("Solo las personas que editan contenidos de esa dependencia pueden reportar por ella."))
        )
        return result
    seen = set()
    for line, row in sheet.rows:
        task = tasks.get(_int(row[C_ID]))
        if task is None:
            result.errors.append(
                (
                    line,
                    _(
                        "La tarea de esta fila no es de esta dependencia en este plan: no "
                        "cambies la columna ID TAREA."
                    ),
                )
            )
            continue
        if task.id in seen:
            result.errors.append((line, _("Esta tarea está repetida en el archivo.")))
            continue
        seen.add(task.id)
        try:
            value = _number(row[C_VALUE])
        except ValueError:
            result.errors.append((line, _("VALOR debe ser un número (por ejemplo 12 o 12,5).")))
            continue
        if value is not None and value < 0:
            result.errors.append((line, _("El valor no puede ser negativo.")))
            continue
        if value is not None and task.unit == "percentage" and value > 100:
            result.errors.append((line, _("Un porcentaje no puede pasar de 100.")))
            continue
        text, difficulties = _text(row[C_TEXT]), _text(row[C_DIFF])
        if len(text) > MAX_TEXT or len(difficulties) > MAX_TEXT:
            result.errors.append((line, _("Cada texto puede tener hasta %(n)s caracteres.", n=MAX_TEXT)))
            continue
        try:
            evidence = rules.parse_evidence(_text(row[C_EVID]))
        except rules.PlanError as exc:
            result.errors.append((line, str(exc)))
            continue
        entry = current_entry(task, period, office)
        figure = progress.period_figures(task, period).get(period)
        before = (entry.progress_text, entry.difficulties, list(entry.evidence)) if entry else ("", "", [])
        change = Change(line, task, entry, value, text, difficulties, evidence)
        if value is not None and value != figure:
            change.fields.append(("value", _("Valor"), _fmt(figure), _fmt(value)))
        if text != before[0]:
            change.fields.append(("progress_text", _("Avance cualitativo"), before[0], text))
        if difficulties != before[1]:
            change.fields.append(("difficulties", _("Dificultades"), before[1], difficulties))
        if evidence != before[2]:
            change.fields.append(("evidence", _("Evidencias"), "\n".join(before[2]), "\n".join(evidence)))
        if change.fields:
            result.changes.append(change)
        else:
            result.unchanged += 1
    return result
