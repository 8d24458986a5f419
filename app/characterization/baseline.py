"""Population baselines (e.g. DANE projections) for representativeness.

CSV, UTF-8 (with or without BOM), comma or semicolon separated, one header row. Only `poblacion`
is required; every other column is optional and empty means "all":

    territorio,sexo,edad_desde,edad_hasta,poblacion
    01,1,14,17,4210
    01,2,14,17,4090
    01,1,65,,20311
    ...

- `territorio`: comuna or corregimiento code of the catalog.
- `sexo`: sex code (1 Hombre, 2 Mujer, 3 Intersexual).
- `edad_desde`, `edad_hasta`: the ages of the row in whole years, both included (`edad_hasta`
  empty: no upper limit). Any grouping works (single ages, five-year groups, DANE's 0-11/12-17…);
  the comparison uses the age groups that both the baseline and the life-course bands can tell
  apart (see `age_plan`). `curso_de_vida` (PI, IN, AD, JU, AT, VE) is still accepted instead:
  it stands for its band's ages.
- `etnia`, `discapacidad` (1 con, 0 sin), `victima`, `zona`: codes of the catalog, for the
  differential and zone comparisons.
- `poblacion`: people (whole number, no thousands separators).

Each variable is compared over the rows that carry it, summed, so list each group of a variable
once (e.g. every sex × age group; or every comuna, all ages). Loading replaces the previous
baseline entirely, in one transaction. The shipped baselines (`data/baseline_<entity>.json`) hold
the same columns, with their source and year.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import delete

from app.catalogs import files as catalog_files
from app.catalogs import queries as catalogs
from app.characterization.models import PopulationBaseline
from app.core import audit
from app.extensions import db

COLUMNS = {
    "territorio": "territory",
    "curso_de_vida": "life_course",
    "sexo": "sex",
    "edad_desde": "age_from",
    "edad_hasta": "age_to",
    "etnia": "ethnicity",
    "discapacidad": "disability",
    "victima": "victim",
    "zona": "zone",
    "poblacion": "population",
}
GROUP_CODES = ("sex", "ethnicity", "victim", "zone")  # validated against the catalog list of that name
DATA = Path(__file__).parent / "data"
MAX_AGE = 130
MAX_ROWS = 20_000


class BaselineError(ValueError):
    """The file cannot be loaded; the message (with line numbers) is shown to the person."""


MAX_CELL = 200  # no code, name or number in a baseline is longer


def _rows(reader):
    """The reader's rows; a malformed CSV (a cell over the csv module's limit, a stray quote) or
    an oversized cell is a BaselineError naming the line, never a 500."""
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BaselineError(
                _(
                    "Línea %(n)s: el archivo no es un CSV válido (una celda es demasiado larga o "
                    "tiene comillas sin cerrar).",
                    n=reader.line_num,
                )
            ) from exc
        if any(len(v) > MAX_CELL for v in values):
            raise BaselineError(
                _("Línea %(n)s: una celda tiene más de %(max)s caracteres.", n=reader.line_num, max=MAX_CELL)
            )
        yield values


def parse(raw: bytes) -> list[dict]:
    """Validate a baseline CSV; return rows or raise BaselineError listing the problems."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BaselineError(
            _("El archivo no está en UTF-8. Guárdalo como «CSV UTF-8» e inténtalo de nuevo.")
        ) from exc
    if "\x00" in text:
        raise BaselineError(_("El archivo no parece un CSV de texto."))
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = _rows(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip().lower() for h in next(reader, [])]
    if "poblacion" not in header:
        raise BaselineError(
            _(
                "Falta la columna poblacion. Las columnas son territorio, sexo, edad_desde, "
                "edad_hasta, etnia, discapacidad, victima, zona y poblacion."
            )
        )
    records = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(records) >= MAX_ROWS:
            raise BaselineError(_("El archivo tiene más de %(n)s filas.", n=MAX_ROWS))
        records.append(
            (
                number,
                {
                    COLUMNS[h]: (values[i].strip() if i < len(values) else "")
                    for i, h in enumerate(header)
                    if h in COLUMNS
                },
            )
        )
    return validate(records)


def _age(value, number: int, errors: list) -> int | None:
    text = "" if value is None else str(value).strip()
    if text == "":
        return None
    if not text.isdigit() or int(text) > MAX_AGE:
        errors.append(
            _(
                "Fila %(n)s: la edad debe ser un número entero de años entre 0 y %(max)s.",
                n=number,
                max=MAX_AGE,
            )
        )
        return None
    return int(text)


def validate(records: list[tuple[int, dict]]) -> list[dict]:
    """Check (line number, {column: text}) records; return rows ready to store or raise
    BaselineError listing the problems (at most 20)."""
    territories = {t.code for t in catalogs.top_territories(include_inactive=True)}
    valid = {key: set(catalogs.labels(key)) for key in GROUP_CODES}
    valid["life_course"] = set(life_course_ages())
    valid["disability"] = {"0", "1"}
    rows, errors, seen = [], [], set()
    for number, raw in records:
        record = {key: str(raw.get(key) or "").strip() for key in COLUMNS.values()}
        if record["territory"] and record["territory"] not in territories:
            errors.append(
                _(
                    "Fila %(n)s: el territorio «%(v)s» no está en el catálogo.",
                    n=number,
                    v=record["territory"][:40],
                )
            )
        for key in ("life_course", "disability", *GROUP_CODES):
            if record[key] and record[key] not in valid[key]:
                errors.append(_("Fila %(n)s: el código «%(v)s» no existe.", n=number, v=record[key][:20]))
        age_from, age_to = _age(raw.get("age_from"), number, errors), _age(raw.get("age_to"), number, errors)
        if record["life_course"] in valid["life_course"]:
            if age_from is not None or age_to is not None:
                errors.append(
                    _("Fila %(n)s: usa curso_de_vida o edad_desde y edad_hasta, no ambos.", n=number)
                )
            age_from, age_to = life_course_ages()[record["life_course"]]
        age_from = age_from or 0
        if age_to is not None and age_to < age_from:
            errors.append(_("Fila %(n)s: edad_hasta debe ser igual o mayor que edad_desde.", n=number))
        population = record["population"]
        if not population.isdigit() or len(population) > 9:
            errors.append(
                _("Fila %(n)s: la población debe ser un número entero sin puntos ni comas.", n=number)
            )
        row = {
            **{
                k: record[k]
                for k in ("territory", "life_course", "sex", "ethnicity", "disability", "victim", "zone")
            },
            "age_from": age_from,
            "age_to": age_to,
            "population": int(population) if population.isdigit() else 0,
        }
        key = tuple(
            row[k]
            for k in (
                "territory",
                "life_course",
                "sex",
                "age_from",
                "age_to",
                "ethnicity",
                "disability",
                "victim",
                "zone",
            )
        )
        if key in seen:
            errors.append(_("Fila %(n)s: ese grupo ya está en otra fila.", n=number))
        seen.add(key)
        rows.append(row)
        if len(errors) >= 20:
            break
    if errors:
        raise BaselineError(" ".join(errors))
    if not rows:
        raise BaselineError(_("El archivo no tiene filas de datos."))
    return rows


def load(raw: bytes, source: str) -> int:
    """Replace the baseline with the file's rows (all or nothing); return the row count."""
    return store(parse(raw), source)


def store(rows: list[dict], source: str) -> int:
    db.session.execute(delete(PopulationBaseline))
    db.session.add_all(PopulationBaseline(**row, source=source) for row in rows)
    audit.record(
        "characterization_baseline_loaded",
        target="characterization_baseline",
        details={"rows": len(rows), "source": source},
        commit=False,
    )
    db.session.commit()
    return len(rows)


# ------------------------------------------------------------------------------ shipped baselines


def shipped(entity: str) -> dict | None:
    """The baseline shipped for a catalog entity (source, year, public copy, notes, totals found,
    rows in the import format), or None when there is none."""
    path = DATA / f"baseline_{entity}.json"
    if entity not in catalog_files.ENTITIES or not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def shipped_source(data: dict) -> str:
    """The source kept with every row: who published the figures, which year, where we read them."""
    return f"{data['source']} — {data['public_copy']}"[:160]


def load_shipped(entity: str) -> int:
    """Replace the baseline with the one shipped for `entity` (validated like an upload)."""
    data = shipped(entity)
    if data is None:
        raise BaselineError(_("No hay una línea base incluida para esta entidad."))
    rows = validate(
        [
            (n, {COLUMNS[k]: v for k, v in row.items() if k in COLUMNS})
            for n, row in enumerate(data["rows"], start=1)
        ]
    )
    return store(rows, shipped_source(data))


def table(data: dict) -> tuple[list[str], list[list]]:
    """A shipped baseline in the import format (header, rows): to download, edit and upload."""
    names = [name for name in COLUMNS if name != "curso_de_vida"]
    rows = [["" if row.get(name) is None else row.get(name, "") for name in names] for row in data["rows"]]
    return names, rows


# ------------------------------------------------------------------------------ ages


def life_course_ages() -> dict[str, tuple[int, int | None]]:
    """life-course code -> (first age, last age or None), for the bands that have ages."""
    return {
        e.code: (e.extra["min_age"], e.extra.get("max_age"))
        for e in catalogs.options("life_course", include_inactive=True)
        if e.extra.get("min_age") is not None
    }


def row_ages(row) -> tuple[int, int | None]:
    """A stored row's ages (a row loaded with a life-course code stands for its band)."""
    if row.life_course and row.life_course in life_course_ages():
        return life_course_ages()[row.life_course]
    return row.age_from or 0, row.age_to


def carries_age(row) -> bool:
    return row_ages(row) != (0, None)


@dataclass
class AgeGroup:
    start: int
    end: int | None  # None: no upper limit
    codes: list[str]  # life-course bands counted in this group
    population: int = 0


@dataclass
class AgePlan:
    """What can be compared by age once the ages that cannot take part are left out.

    `floor`: the first age both sides can start from (None: the baseline's ages cannot be
    aligned with the bands); `groups`: consecutive age groups whose limits are limits of both the
    baseline rows and the life-course bands (a band counts whole: its participants are not split);
    `excluded`: bands left out of the participants (under the minimum age, or below `floor`)."""

    minimum: int
    floor: int | None
    groups: list[AgeGroup] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


def age_plan(rows: list[tuple[int, int | None, int]], minimum: int) -> AgePlan:
    """Align baseline rows (first age, last age or None, population) with the life-course bands.

    Bands wholly under `minimum` are left out; a band that straddles it counts from `minimum`
    (nobody younger can take part). A baseline row that straddles it cannot be split (that would
    be an estimate), so the comparison starts at the next limit both sides share."""
    bands = {code: ages for code, ages in life_course_ages().items() if ages[1] is None or ages[1] >= minimum}
    starts = {code: max(lo, minimum) for code, (lo, _hi) in bands.items()}
    kept = [(lo, hi, n) for lo, hi, n in rows if hi is None or hi >= minimum]
    cuts = sorted(set(starts.values()) & {lo for lo, _hi, _n in kept if lo >= minimum})
    too_young = sorted(set(life_course_ages()) - set(bands))
    if not cuts:
        return AgePlan(minimum, None, [], too_young)
    floor = cuts[0]
    groups = []
    for i, start in enumerate(cuts):
        end = cuts[i + 1] - 1 if i + 1 < len(cuts) else None
        codes = [
            c
            for c, s in sorted(starts.items(), key=lambda item: item[1])
            if s >= start and (end is None or s <= end)
        ]
        population = sum(n for lo, _hi, n in kept if lo >= start and (end is None or lo <= end))
        groups.append(AgeGroup(start, end, codes, population))
    excluded = too_young + [c for c, s in starts.items() if s < floor]
    return AgePlan(minimum, floor, groups, sorted(excluded))
