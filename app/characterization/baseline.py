"""Population baselines (e.g. DANE projections) for representativeness.

CSV, UTF-8 (with or without BOM), comma or semicolon separated, one header row:

    territorio,curso_de_vida,sexo,poblacion
    01,JU,1,10234
    01,JU,2,10876
    ...

- `territorio`: comuna or corregimiento code of the catalog (empty: the whole municipality).
- `curso_de_vida`: life-course code (PI, IN, AD, JU, AT, VE) or empty (all ages).
- `sexo`: sex code (1 Hombre, 2 Mujer, 3 Intersexual) or empty (both).
- `poblacion`: people (whole number, no thousands separators).

Rows are summed per column, so give one consistent breakdown (e.g. every comuna × age band ×
sex). Loading replaces the previous baseline entirely, in one transaction.
"""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from sqlalchemy import delete

from app.catalogs import services as catalogs
from app.characterization.models import PopulationBaseline
from app.core import audit
from app.extensions import db

COLUMNS = {"territorio": "territory", "curso_de_vida": "life_course", "sexo": "sex", "poblacion": "population"}
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
            raise BaselineError(_("Línea %(n)s: el archivo no es un CSV válido (una celda es demasiado larga o "
                                  "tiene comillas sin cerrar).", n=reader.line_num)) from exc
        if any(len(v) > MAX_CELL for v in values):
            raise BaselineError(_("Línea %(n)s: una celda tiene más de %(max)s caracteres.", n=reader.line_num,
                                  max=MAX_CELL))
        yield values


def parse(raw: bytes) -> list[dict]:
    """Validate a baseline CSV; return rows or raise BaselineError listing the problems."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BaselineError(_("El archivo no está en UTF-8. Guárdalo como «CSV UTF-8» e inténtalo de nuevo.")) from exc
    if "\x00" in text:
        raise BaselineError(_("El archivo no parece un CSV de texto."))
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = _rows(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in ("territorio", "poblacion") if c not in header]
    if missing:
        raise BaselineError(_("Faltan columnas: %(cols)s. Las columnas son territorio, curso_de_vida, sexo y poblacion.",
                              cols=", ".join(missing)))
    territories = {t.code for t in catalogs.top_territories(include_inactive=True)}
    valid = {"life_course": set(catalogs.labels("life_course")), "sex": set(catalogs.labels("sex"))}
    rows, errors, seen = [], [], set()
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise BaselineError(_("El archivo tiene más de %(n)s filas.", n=MAX_ROWS))
        record = {COLUMNS[h]: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h in COLUMNS}
        record.setdefault("life_course", "")
        record.setdefault("sex", "")
        if record["territory"] and record["territory"] not in territories:
            errors.append(_("Fila %(n)s: el territorio «%(v)s» no está en el catálogo.", n=number, v=record["territory"][:40]))
        for key in ("life_course", "sex"):
            if record[key] and record[key] not in valid[key]:
                errors.append(_("Fila %(n)s: el código «%(v)s» no existe.", n=number, v=record[key][:20]))
        population = record.get("population", "")
        if not population.isdigit() or len(population) > 9:
            errors.append(_("Fila %(n)s: la población debe ser un número entero sin puntos ni comas.", n=number))
        key = (record["territory"], record["life_course"], record["sex"])
        if key in seen:
            errors.append(_("Fila %(n)s: ese grupo ya está en otra fila.", n=number))
        seen.add(key)
        rows.append(record)
        if len(errors) >= 20:
            break
    if errors:
        raise BaselineError(" ".join(errors))
    if not rows:
        raise BaselineError(_("El archivo no tiene filas de datos."))
    return rows


def load(raw: bytes, source: str) -> int:
    """Replace the baseline with the file's rows (all or nothing); return the row count."""
    rows = parse(raw)
    db.session.execute(delete(PopulationBaseline))
    db.session.add_all(PopulationBaseline(territory=r["territory"], life_course=r["life_course"], sex=r["sex"],
                                          population=int(r["population"]), source=source) for r in rows)
    audit.record("characterization_baseline_loaded", target="characterization_baseline",
                 details={"rows": len(rows), "source": source}, commit=False)
    db.session.commit()
    return len(rows)
