"""Exports written to a file by a background job (see `app.core.jobs`), not streamed to a browser.

The same format as the streamed downloads of `app.core.exports` (its `csv_stream` writes the CSV,
its formula neutralisation applies to XLSX), with progress reported every few thousand rows and
the export's audit entry written in the name of the person who asked.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from app.core import audit, exports

PROGRESS_EVERY = 5000  # rows between progress calls (the job writes at most every 2 s)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"


def counted(rows: Iterable[Sequence], progress: Callable[[int], None] | None):
    """`rows` unchanged, calling `progress(n)` every PROGRESS_EVERY rows."""
    if progress is None:
        yield from rows
        return
    n = 0
    for row in rows:
        yield row
        n += 1
        if n % PROGRESS_EVERY == 0:
            progress(n)


def write_csv(path: str, header: Sequence[str], rows: Iterable[Sequence],
              progress: Callable[[int], None] | None = None) -> int:
    """Write the CSV (exactly what the streamed download sends) to `path`; return the data rows."""
    counter = [0]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for chunk in exports.csv_stream(header, counted(rows, progress), counter):
            handle.write(chunk)
    return counter[0]


def write_xlsx(path: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]],
               progress: Callable[[int], None] | None = None) -> int:
    """Write an XLSX workbook (first sheet's rows reported as progress); return its data rows.

    With rustpy-xlsxwriter installed (a Rust writer, streaming, constant memory) it writes the
    file; measured about 7-8 times faster than XlsxWriter's constant-memory mode for the same
    rows (bench/bench_exports.py). Without it, XlsxWriter as the streamed downloads do."""
    if not sheets:
        raise ValueError("no sheets")
    first, *rest = sheets
    sheets = [(first[0], first[1], counted(first[2], progress)), *rest]
    if _fast_writer() is not None:
        return _write_xlsx_fast(path, sheets)
    return exports.write_xlsx(path, sheets)


def _fast_writer():
    if os.environ.get("PARTICIPA_XLSX_WRITER", "") == "xlsxwriter":
        return None
    try:
        from rustpy_xlsxwriter import FastExcel
    except ImportError:
        return None
    return FastExcel


def _write_xlsx_fast(path: str, sheets) -> int:
    """The same cells as `exports.write_xlsx`: formulas neutralised, booleans as 1/0, headers bold."""
    formula = frozenset(exports.FORMULA_START)
    counts = []

    def records(header, rows):
        keys = list(header)
        n = 0
        for row in rows:
            n += 1
            yield {k: (("'" + v) if (v.__class__ is str and v and v[0] in formula)
                       else (int(v) if v.__class__ is bool else v)) for k, v in zip(keys, row, strict=False)}
        counts.append(n)

    book = _fast_writer()(path).format(bold_headers=True)
    for name, header, rows in sheets:
        book = book.sheet(name[:31], records(header, rows))
    book.save()
    return counts[0] if counts else 0


def audit_export(owner_id: int | None, what: str, path: str, *, rows: int, filters: dict | None = None,
                 personal: bool = False, job_id: int | None = None) -> None:
    """The export's audit entry, as a streamed export writes it, in the name of the person who asked."""
    audit.record("export", target=what, actor=owner(owner_id),
                 details={"format": os.path.splitext(path)[1].lstrip("."), "filters": filters or {}, "rows": rows,
                          "personal": personal, "completed": True, "background": True, "job": job_id})


class _Owner:
    def __init__(self, id_: int, email: str):
        self.id, self.email = id_, email


def owner(owner_id: int | None):
    """The staff member a job runs for, as the audit log names them (core reads the table, it
    does not import the accounts package)."""
    from sqlalchemy import select

    from app.extensions import db

    if owner_id is None:
        return None
    users = db.metadata.tables["staff_user"]
    email = db.session.execute(select(users.c.email).where(users.c.id == owner_id)).scalar()
    return _Owner(owner_id, email or "")


def plain(value):
    """JSON-safe form of a filter value for job params (dates as ISO text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
