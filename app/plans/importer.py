"""Reading plan tables: Medellín's tab-separated improvement plan and Cartago's action-plan layout
(XLSX, or its tab-separated text form). Parsing only: `commands.import_plan` writes.

Both layouts are read by their header row, so columns may come in any order:

* Medellín: `# | Acción de mejora | Tareas | Responsable | Tiempo inicio | Tiempo terminación |
  Indicador de seguimiento | Unidad de medida | Meta | Observaciones`. A row with an empty `#` and
  an empty action carries a further task of the action above. The title lines and the header
  repeat at a page break; they are skipped.
* Cartago: a preamble of `KEY: value` lines (OBJETIVO, ALCANCE, DEPENDENCIA RESPONSABLE…, FECHA
  DEL PLAN, DEPENDENCIAS PARTICIPANTES…), then a two-row header: `N° | ACTIVIDADES | TAREA(S)… |
  MES 1…12 | PRODUCTOS… ENTREGABLES | INDICADOR (FÓRMULA, RESULTADO) | RESPONSABLES |
  SEGUIMIENTO TRIMESTRAL (I…IV)`, optionally followed by our export's extra columns (META,
  UNIDAD DE MEDIDA, OBSERVACIONES). A month is "marked" by any mark in its cell; numbers in the
  follow-up columns become reports of the task's first responsible office.
* Multi-year plans (a ten-year public-policy strategic plan, as followed by the LGBTIQ+ monitoring
  procedure): a `VIGENCIA: 2024 - 2033` line (any two years), and per task `Meta 2024 … Meta 2033`
  (yearly targets), optionally `Meta 2026-I`… (targets per period within a year),
  `Avance 2024`… (the figure reached in that year), `Tipo de meta` (Acumulada / Anual),
  `Corresponsables` (co-responsible offices, who report with the responsible one) and `Meta total`.

Every row either becomes a task or is reported with its line number and the reason (an *error*
stops the import; a *warning* says what was assumed or skipped).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from app.core import uploads
from app.core.text import clean
from app.plans.offices import OfficeMatcher, _raw_words

MAX_ROWS = 3000
MAX_COLUMNS = 80
MAX_TEXT = 4000
MONTHS = {
    "enero": 1,
    "ene": 1,
    "febrero": 2,
    "feb": 2,
    "marzo": 3,
    "mar": 3,
    "abril": 4,
    "abr": 4,
    "mayo": 5,
    "may": 5,
    "junio": 6,
    "jun": 6,
    "julio": 7,
    "jul": 7,
    "agosto": 8,
    "ago": 8,
    "septiembre": 9,
    "setiembre": 9,
    "sep": 9,
    "sept": 9,
    "set": 9,
    "octubre": 10,
    "oct": 10,
    "noviembre": 11,
    "nov": 11,
    "diciembre": 12,
    "dic": 12,
}
ROMANS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}
YEAR_TARGET = re.compile(r"meta (20\d\d)(?: (i|ii|iii|iv|v|vi|\d{1,2}))?")
YEAR_FIGURE = re.compile(r"(avance|logro|resultado|seguimiento) (20\d\d)")
YEAR_RANGE = re.compile(r"\b(20\d\d)\s*(?:-|–|—|a|al|hasta)\s*(20\d\d)\b")


@dataclass
class Issue:
    line: int
    reason: str
    level: str = "error"  # "error" stops the import; "warning" does not


@dataclass
class ParsedTask:
    line: int
    description: str
    responsible_text: str
    codes: list[str]
    start_month: int
    end_month: int
    months: list[int]
    deliverable: str = ""
    indicator_name: str = ""
    indicator_formula: str = ""
    unit: str = "number"
    goal: float | None = None
    observations: str = ""
    follow_up: dict[int, float] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    accumulation: str = "cumulative"
    targets: dict[tuple[int, int], float] = field(default_factory=dict)  # (year, period or 0) -> goal
    yearly_follow_up: dict[int, float] = field(default_factory=dict)  # year -> figure reached


@dataclass
class ParsedAction:
    line: int
    number: int
    title: str
    tasks: list[ParsedTask] = field(default_factory=list)


@dataclass
class ParsedPlan:
    layout: str = ""
    name: str = ""
    year: int | None = None
    end_year: int | None = None
    kind: str = "improvement"
    owner_text: str = ""
    owner_code: str | None = None
    owner_unknown: str = ""  # the owner office the file names and the catalog does not know
    objective: str = ""
    scope: str = ""
    process: str = ""
    subprocess: str = ""
    plan_date: date | None = None
    # document control (Cartago's format): entity, NIT, document code, version, approval date
    entity_name: str = ""
    entity_nit: str = ""
    document_code: str = ""
    document_version: str = ""
    approved_on: date | None = None
    participating_text: str = ""
    participating_codes: list[str] = field(default_factory=list)
    actions: list[ParsedAction] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    unknown_offices: dict[str, list[int]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def task_count(self) -> int:
        return sum(len(a.tasks) for a in self.actions)

    def error(self, line: int, reason: str) -> None:
        self.issues.append(Issue(line, reason, "error"))

    def warn(self, line: int, reason: str) -> None:
        self.issues.append(Issue(line, reason, "warning"))


class ImportFileError(ValueError):
    """The file cannot be read at all (format, encoding, size)."""


# ---------------------------------------------------------------------------- reading rows


def read_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """[(line number, cells)] from an XLSX workbook (first sheet) or tab-separated UTF-8 text."""
    if data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ImportFileError(
            _("El archivo no es texto separado por tabulaciones ni un libro de Excel (.xlsx).")
        )
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if number > MAX_ROWS:
            raise ImportFileError(
                _("El archivo tiene más de %(n)s filas; divídelo en planes más pequeños.", n=MAX_ROWS)
            )
        rows.append((number, [clean(c.replace("**", "")) for c in line.split("\t")[:MAX_COLUMNS]]))
    return rows


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - openpyxl is a runtime dependency of plans
        raise ImportFileError(
            _("Este servidor no puede leer archivos .xlsx; súbelo como texto separado por tabulaciones.")
        ) from exc
    try:
        uploads.check_archive(data)  # before openpyxl inflates anything (zip bombs)
    except uploads.UploadError as exc:
        raise ImportFileError(str(exc)) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any broken workbook is the same message to the person
        raise ImportFileError(
            _("No pudimos abrir el libro de Excel: el archivo está dañado o no es .xlsx.")
        ) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
        if number > MAX_ROWS:
            raise ImportFileError(
                _("El archivo tiene más de %(n)s filas; divídelo en planes más pequeños.", n=MAX_ROWS)
            )
        rows.append((number, [_cell_text(v) for v in values]))
    workbook.close()
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()[:10]
    return clean(str(value))


# ---------------------------------------------------------------------------- header


def _norm(text: str) -> str:
    return " ".join(_raw_words(text))


def _main_key(text: str) -> str | None:
    n = _norm(text)
    raw = (text or "").strip()
    if raw in ("#", "N°", "Nº", "No.", "No", "N.°") or n in ("n", "no", "num", "numero", "item"):
        return "number"
    for key, test in (
        ("co_responsible", lambda: n.startswith("corresponsable")),
        ("accumulation", lambda: n.startswith(("tipo de meta", "acumulacion", "tipo de acumulacion"))),
        ("action", lambda: n.startswith(("accion", "actividad"))),
        ("task", lambda: n.startswith("tarea")),
        ("responsible", lambda: n.startswith("responsable")),
        ("start", lambda: "inicio" in n),
        ("end", lambda: "terminacion" in n or n in ("fin", "tiempo fin", "mes fin", "fecha fin")),
        ("indicator", lambda: n.startswith("indicador")),
        ("unit", lambda: n.startswith("unidad")),
        ("goal", lambda: n == "meta" or n.startswith("meta ")),
        ("observations", lambda: n.startswith("observacion")),
        ("deliverable", lambda: "entregable" in n or n.startswith("producto")),
        ("months", lambda: n in ("mes", "meses", "cronograma", "cronograma mes")),
        ("follow_up", lambda: n.startswith("seguimiento")),
        ("formula", lambda: n.startswith("formula")),
        ("result", lambda: n.startswith("resultado")),
    ):
        if test():
            return key
    return None


def _is_header(cells: list[str]) -> bool:
    keys = {_main_key(c) for c in cells if c}
    return "action" in keys and "task" in keys


def _columns(header: list[str], sub: list[str] | None) -> dict:
    """Column map {key: index, 'months': {1: index…}, 'periods': {1: index…}}."""
    columns: dict = {"months": {}, "periods": {}, "targets": {}, "yearly": {}}
    group = None
    width = max(len(header), len(sub or []))
    for index in range(width):
        main = header[index] if index < len(header) else ""
        below = (sub[index] if sub and index < len(sub) else "").strip()
        yearly = YEAR_TARGET.fullmatch(_norm(main)) if main else None
        if yearly:
            local = ROMANS.get(
                yearly.group(2) or "", int(yearly.group(2)) if (yearly.group(2) or "").isdigit() else 0
            )
            columns["targets"][(int(yearly.group(1)), local)] = index
            group = None
            continue
        reached = YEAR_FIGURE.fullmatch(_norm(main)) if main else None
        if reached:
            columns["yearly"][int(reached.group(2))] = index
            group = None
            continue
        key = _main_key(main) if main else None
        if main:
            group = key
        if group == "months" and below.isdigit() and 1 <= int(below) <= 12:
            columns["months"][int(below)] = index
        elif group == "follow_up" and re.fullmatch(r"20\d\d", below):
            columns["yearly"][int(below)] = index
        elif group == "follow_up" and below.lower() in ROMANS:
            columns["periods"][ROMANS[below.lower()]] = index
        elif group == "indicator" and below:
            sub_key = _main_key(below)
            if sub_key in ("formula", "result"):
                columns.setdefault(sub_key, index)
        elif key and key not in ("months", "follow_up") and key not in columns:
            columns[key] = index
    if "indicator" in columns and "formula" in columns and columns["indicator"] == columns["formula"]:
        del columns["indicator"]
    return columns


def _is_subheader(cells: list[str], columns: dict) -> bool:
    for key in ("number", "action", "task"):
        index = columns.get(key)
        if index is not None and index < len(cells) and cells[index]:
            return False
    texts = {c.strip().lower() for c in cells if c}
    return bool(texts & {"1", "2", "i", "ii"}) or any(
        _main_key(c) in ("formula", "result") for c in cells if c
    )


# ---------------------------------------------------------------------------- preamble

PREAMBLE_KEYS = (
    ("name", ("nombre del plan",)),
    ("year", ("ano", "vigencia", "periodo del plan", "horizonte")),
    ("owner", ("dependencia responsable",)),
    ("participating", ("dependencias participantes",)),
    ("objective", ("objetivo",)),
    ("scope", ("alcance",)),
    ("date", ("fecha del plan",)),
    ("subprocess", ("sub proceso", "subproceso")),
    ("process", ("proceso",)),
    ("nit", ("nit",)),
    ("document_code", ("codigo",)),
    ("document_version", ("version",)),
    ("approved", ("fecha aprobacion", "fecha de aprobacion")),
    ("page", ("pagina",)),
)
NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
SPANISH_DATE = re.compile(r"(\d{1,2})\s+de\s+([a-záéíóú]+)\s+(?:de|del)\s+(\d{4})", re.I)


def _preamble(plan: ParsedPlan, rows: list[tuple[int, list[str]]]) -> list[str]:
    titles = []
    for _line, cells in rows:
        text = " ".join(c for c in cells if c).strip()
        if not text:
            continue
        key, value = None, ""
        if ":" in text:
            head, value = text.split(":", 1)
            head_n = _norm(head)
            for name, prefixes in PREAMBLE_KEYS:
                if any(head_n == p or head_n.startswith(p + " ") for p in prefixes):
                    key, value = name, value.strip()
                    break
        if key == "name":
            plan.name = value[:255]
        elif key == "year":
            span = YEAR_RANGE.search(value)
            found = re.search(r"\b(20\d\d)\b", value)
            plan.year = int(found.group(1)) if found else None
            if span and int(span.group(2)) > int(span.group(1)):
                plan.year, plan.end_year = int(span.group(1)), int(span.group(2))
        elif key == "owner":
            plan.owner_text = value
        elif key == "participating":
            plan.participating_text = value
        elif key in ("objective", "scope", "process", "subprocess"):
            setattr(plan, key, value[:MAX_TEXT])
        elif key == "date":
            match = SPANISH_DATE.search(value)
            if match and match.group(2).lower() in MONTHS:
                try:
                    plan.plan_date = date(
                        int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1))
                    )
                except ValueError:
                    pass
        elif key == "nit":
            plan.entity_nit = value.strip("* ")[:40]
        elif key in ("document_code", "document_version"):
            setattr(plan, key, value.strip("* ")[:60])
        elif key == "approved":
            match = NUMERIC_DATE.search(value)
            if match:
                try:
                    plan.approved_on = date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
                except ValueError:
                    pass
        elif key == "page":
            pass
        elif ":" not in text:
            titles.append(text)
    plain = [t.strip("* ") for t in titles]
    for index, title in enumerate(plain):
        if _norm(title).startswith("alcaldia"):
            following = plain[index + 1] if index + 1 < len(plain) else ""
            joined = f"{title} {following}" if _norm(following).startswith("de ") else title
            plan.entity_name = joined[:255]
            break
    action_title = re.compile(r"^(formato )?plan de accion( |$)")
    if any(action_title.match(_norm(t)) for t in titles):
        plan.kind = "action"
    named = [t for t in titles if _norm(t).startswith("plan ") and not action_title.match(_norm(t))]
    if plan.name:
        pass
    elif named:
        plan.name = named[0][:255]
    elif plan.kind == "action" and plan.objective:
        plan.name = _("Plan de acción: %(objective)s", objective=plan.objective)[:255]
    elif titles:
        plan.name = titles[0][:255]
    # Medellín's table opens with the strategy it belongs to ("ESTRATEGIA DE RENDICIÓN DE CUENTAS
    # DISTRITAL 2024") before the plan's name: kept as the plan's process, printed back by its layout.
    strategy = [
        t
        for t in titles
        if t != plan.name
        and not _norm(t).startswith(("plan ", "alcaldia", "municipio"))
        and not action_title.match(_norm(t))
    ]
    if not plan.process and strategy and any(t == plan.name for t in titles):
        plan.process = strategy[0][:255]
    for text in [*titles, plan.plan_date.isoformat() if plan.plan_date else ""] if plan.year is None else []:
        found = re.search(r"\b(20\d\d)\b", text)
        if found:
            plan.year = int(found.group(1))
            break
    return titles


# ---------------------------------------------------------------------------- rows


def _month(value: str) -> int | None:
    v = _norm(value)
    if v.isdigit() and 1 <= int(v) <= 12:
        return int(v)
    return MONTHS.get(v)


def _unit(value: str, goal_text: str, indicator: str) -> str | None:
    v = _norm(value)
    if v.startswith(("porcentaje", "porcentual", "percent")) or value.strip() == "%":
        return "percentage"
    if v.startswith(("numero", "cantidad", "unidad", "numerico", "number")):
        return "number"
    if v:
        return None
    if "%" in goal_text:
        return "percentage"
    ind = _norm(indicator)
    if ind.startswith(("porcentaje", "proporcion")):
        return "percentage"
    if ind.startswith(("numero", "cantidad", "total")):
        return "number"
    return None


def _number(value: str) -> float | None:
    v = value.replace("%", "").replace(" ", "").strip()
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", v):  # 1.000 (Colombian thousands)
        v = v.replace(".", "")
    v = v.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", v):
        return None
    return float(v)


def parse(rows: list[tuple[int, list[str]]], matcher: OfficeMatcher) -> ParsedPlan:
    """Parse rows into a plan; problems land in `plan.issues` with their line numbers."""
    plan = ParsedPlan()
    header_at = next((i for i, (_l, cells) in enumerate(rows) if _is_header(cells)), None)
    if header_at is None:
        plan.error(
            0,
            _(
                "No encontramos la fila de encabezados (debe tener al menos las columnas de acción o "
                "actividad y de tareas)."
            ),
        )
        return plan
    titles = _preamble(plan, rows[:header_at])
    header = rows[header_at][1]
    following = rows[header_at + 1][1] if header_at + 1 < len(rows) else []
    columns = _columns(header, None)
    sub = following if _is_subheader(following, columns) else None
    if sub:
        columns = _columns(header, sub)
    plan.layout = "cartago" if (columns["months"] or "formula" in columns) else "medellin"
    target_years = sorted({y for y, _p in columns["targets"]} | set(columns["yearly"]))
    if target_years:
        plan.layout = "multi_year"
        if plan.end_year is None and len(target_years) > 1:
            plan.year, plan.end_year = min(target_years[0], plan.year or 9999), target_years[-1]
    missing = [k for k in ("task", "responsible") if k not in columns]
    if missing:
        plan.error(
            rows[header_at][0], _("Faltan columnas en el encabezado: %(cols)s.", cols=", ".join(missing))
        )
        return plan
    header_key = [_norm(c) for c in header]
    sub_key = [_norm(c) for c in sub] if sub else None
    title_keys = {_norm(t) for t in titles}
    current: ParsedAction | None = None
    numbers: set[int] = set()
    for line, cells in rows[header_at + 1 :]:
        keyed = [_norm(c) for c in cells]
        if not any(keyed) and not any(cells):
            continue
        if keyed == header_key or (sub_key is not None and keyed == sub_key):
            continue  # header repeated at a page break
        filled = [c for c in cells if c]
        if len(filled) == 1 and (_norm(filled[0]) in title_keys):
            continue  # title repeated at a page break
        if len(filled) <= 1:
            plan.warn(
                line,
                _(
                    "Texto fuera de la tabla; no se importó: «%(text)s».",
                    text=filled[0][:80] if filled else "",
                ),
            )
            continue
        current = _row(plan, matcher, columns, line, cells, current, numbers)
    if not plan.actions and not plan.errors:
        plan.error(rows[header_at][0], _("La tabla no tiene ninguna acción."))
    _offices(plan, matcher)
    return plan


def _get(cells: list[str], columns: dict, key: str) -> str:
    index = columns.get(key)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _row(plan, matcher, columns, line, cells, current, numbers):
    get = lambda key: _get(cells, columns, key)  # noqa: E731
    for value in cells:
        if len(value) > MAX_TEXT:
            plan.error(line, _("Una celda tiene más de %(n)s caracteres.", n=MAX_TEXT))
            return current
    number_text, title = get("number"), get("action")
    if number_text or title:
        number = _number(number_text) if number_text else (current.number + 1 if current else 1)
        if number is None or not float(number).is_integer():
            plan.error(
                line, _("El número de la acción «%(value)s» no es un número entero.", value=number_text)
            )
            return current
        number = int(number)
        if not title:
            plan.error(line, _("Falta el nombre de la acción %(n)s.", n=number))
            return current
        if number in numbers:
            plan.error(line, _("La acción número %(n)s está repetida.", n=number))
            return current
        numbers.add(number)
        current = ParsedAction(line, number, title)
        plan.actions.append(current)
    elif current is None:
        plan.error(line, _("Esta fila trae una tarea pero no tiene acción y no hay una acción antes."))
        return current
    task = _task(plan, matcher, columns, line, cells, get)
    if task is not None:
        current.tasks.append(task)
    return current


def _task(plan, matcher, columns, line, cells, get) -> ParsedTask | None:
    errors_before = len(plan.errors)
    description = get("task")
    if not description:
        plan.error(line, _("Falta la tarea."))
    responsible = get("responsible")
    if not responsible:
        plan.error(line, _("Falta el responsable."))
    marked = sorted(
        m
        for m, index in columns["months"].items()
        if index < len(cells) and cells[index].strip() and _norm(cells[index]) not in ("0", "no")
    )
    start_text, end_text = get("start"), get("end")
    start = end = None
    if start_text or end_text:
        start, end = _month(start_text), _month(end_text)
        if start is None:
            plan.error(
                line,
                _(
                    "No reconocemos el mes de inicio «%(value)s» (usa el nombre del mes o su número).",
                    value=start_text,
                ),
            )
        if end is None:
            plan.error(
                line,
                _(
                    "No reconocemos el mes de terminación «%(value)s» (usa el nombre del mes o su número).",
                    value=end_text,
                ),
            )
        if start and end and end < start:
            plan.error(line, _("El mes de terminación es anterior al de inicio."))
        months = list(range(start, end + 1)) if start and end else []
    elif marked:
        months, start, end = marked, marked[0], marked[-1]
    else:
        months, start, end = list(range(1, 13)), 1, 12
        plan.warn(line, _("La tarea no tiene meses marcados; se asumió de enero a diciembre."))
    indicator, formula = get("indicator"), get("formula")
    goal_text = get("goal")
    unit = _unit(get("unit"), goal_text, indicator or formula)
    if unit is None:
        if get("unit"):
            plan.error(
                line,
                _(
                    "No reconocemos la unidad de medida «%(value)s» (usa Porcentaje o Número).",
                    value=get("unit"),
                ),
            )
        else:
            plan.error(line, _("Falta la unidad de medida y no se puede deducir del indicador."))
    if not (indicator or formula):
        plan.error(line, _("Falta el indicador."))
    goal = None
    if goal_text:
        goal = _number(goal_text)
        if goal is None or goal <= 0:
            plan.error(line, _("La meta «%(value)s» debe ser un número mayor que cero.", value=goal_text))
        elif unit == "percentage" and goal > 100:
            plan.error(line, _("La meta «%(value)s» pasa del 100 %%.", value=goal_text))
    elif not any(cells[i].strip() for i in columns["targets"].values() if i < len(cells)):
        plan.warn(line, _("La tarea no tiene meta; defínela para que se pueda calcular su avance."))
    follow_up = {}
    for period, index in columns["periods"].items():
        value = cells[index].strip() if index < len(cells) else ""
        if value:
            number = _number(value)
            if number is None:
                plan.warn(
                    line,
                    _(
                        "El seguimiento %(period)s «%(value)s» no es un número; no se importó.",
                        period=period,
                        value=value[:40],
                    ),
                )
            else:
                follow_up[period] = number
    accumulation = "cumulative"
    kind_text = _norm(get("accumulation"))
    if kind_text.startswith(("anual", "por periodo", "por ano", "suma", "flujo", "no acumulada")):
        accumulation = "per_period" if unit == "number" else "cumulative"
    elif kind_text and not kind_text.startswith(("acumulada", "acumulativa", "acumulado", "stock")):
        plan.error(
            line,
            _(
                "No reconocemos el tipo de meta «%(value)s» (usa Acumulada o Anual).",
                value=get("accumulation")[:40],
            ),
        )
    targets = {}
    for (year, local), index in columns["targets"].items():
        value = cells[index].strip() if index < len(cells) else ""
        if not value:
            continue
        number = _number(value)
        if number is None or number <= 0:
            plan.error(
                line,
                _(
                    "La meta de %(year)s «%(value)s» debe ser un número mayor que cero.",
                    year=year,
                    value=value[:40],
                ),
            )
        elif unit == "percentage" and number > 100:
            plan.error(
                line, _("La meta de %(year)s «%(value)s» pasa del 100 %%.", year=year, value=value[:40])
            )
        else:
            targets[(year, local)] = number
    yearly_follow_up = {}
    for year, index in columns["yearly"].items():
        value = cells[index].strip() if index < len(cells) else ""
        if value:
            number = _number(value)
            if number is None:
                plan.warn(
                    line,
                    _(
                        "El avance de %(year)s «%(value)s» no es un número; no se importó.",
                        year=year,
                        value=value[:40],
                    ),
                )
            else:
                yearly_follow_up[year] = number
    if len(plan.errors) > errors_before:
        return None
    match = matcher.match(responsible)
    codes, unknown = list(match.codes), list(match.unknown)
    co_text = get("co_responsible")
    if co_text:
        co = matcher.match(co_text)
        codes += [c for c in co.codes if c not in codes]
        unknown += [u for u in co.unknown if u not in unknown]
        responsible = f"{responsible}; {co_text}"
    return ParsedTask(
        line=line,
        description=description,
        responsible_text=responsible[:1000],
        codes=codes,
        unknown=unknown,
        start_month=start,
        end_month=end,
        months=months,
        deliverable=get("deliverable"),
        indicator_name=indicator or formula,
        indicator_formula=formula,
        unit=unit,
        goal=goal,
        observations=get("observations"),
        follow_up=follow_up,
        accumulation=accumulation,
        targets=targets,
        yearly_follow_up=yearly_follow_up,
    )


def _offices(plan: ParsedPlan, matcher: OfficeMatcher) -> None:
    for action in plan.actions:
        for task in action.tasks:
            for name in task.unknown:
                plan.unknown_offices.setdefault(name, []).append(task.line)
    if plan.owner_text:
        owner = matcher.match(plan.owner_text)
        plan.owner_code = owner.codes[0] if owner.codes else None
        for name in owner.unknown:
            plan.unknown_offices.setdefault(name, []).append(0)
        if plan.owner_code is None and owner.unknown:
            plan.owner_unknown = owner.unknown[0]
    if plan.participating_text:
        participating = matcher.match(plan.participating_text)
        plan.participating_codes = participating.codes
        for name in participating.unknown:
            plan.unknown_offices.setdefault(name, []).append(0)
    codes_in_tasks = [c for a in plan.actions for t in a.tasks for c in t.codes]
    if not plan.participating_codes:
        plan.participating_codes = list(dict.fromkeys(codes_in_tasks))
    if plan.owner_code is None and not plan.owner_unknown:
        # No owner stated: the office that leads most tasks, counting the offices the catalog does
        # not know as well, so another entity's table never lands on an unrelated office.
        firsts = [
            ("code", t.codes[0]) if t.codes and not t.unknown else ("name", t.unknown[0])
            for a in plan.actions
            for t in a.tasks
            if t.codes or t.unknown
        ]
        if firsts:
            kind, value = max(dict.fromkeys(firsts), key=firsts.count)
            if kind == "code":
                plan.owner_code = value
            else:
                plan.owner_unknown = value
