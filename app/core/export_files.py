"""Exports written to a file by a background job (see `app.core.jobs`), not streamed to a browser.

The same format as the streamed downloads of `app.core.exports` (its `csv_stream` writes the CSV,
its formula neutralisation applies to XLSX), with progress reported every few thousand rows and
the export's audit entry written in the name of the person who asked.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from itertools import chain, repeat

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


def write_csv(
    path: str, header: Sequence[str], rows: Iterable[Sequence], progress: Callable[[int], None] | None = None
) -> int:
    """Write the CSV (exactly what the streamed download sends) to `path`; return the data rows."""
    counter = [0]
    with open(path, "w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
        for chunk in exports.csv_stream(header, rows, counter, progress=progress):
            handle.write(chunk)
    return counter[0]


def write_xlsx(
    path: str,
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write an XLSX workbook (first sheet's rows reported as progress); return its data rows.

    With rustpy-xlsxwriter installed (a Rust writer, streaming, constant memory) it writes the
    file: about ten times faster than XlsxWriter's constant-memory mode for the same rows
    (bench/bench_exports.py, docs/decisions). Without it, XlsxWriter as the streamed downloads do."""
    if not sheets:
        raise ValueError("no sheets")
    if _fast_writer() is not None:
        return _write_xlsx_fast(path, sheets, progress)
    first, *rest = sheets
    return exports.write_xlsx(path, [(first[0], first[1], counted(first[2], progress)), *rest])


def _fast_writer():
    if os.environ.get("PARTICIPA_XLSX_WRITER", "") == "xlsxwriter":
        return None
    try:
        from rustpy_xlsxwriter import FastExcel
    except ImportError:
        return None
    return FastExcel


_XLSX_PLAIN = frozenset({str, type(None), int, float, date})


def _plain_batch(batch: list) -> bool:
    """Whether every value of `batch` goes to the sheet as it is: plain types only (no booleans or
    datetimes) and no text starting with a formula character (checked on the batch's values joined
    in one string: a negative number also says no, and is then written the careful way)."""
    cells = list(chain.from_iterable(batch))
    if not _XLSX_PLAIN.issuperset(map(type, cells)):
        return False
    text = "\x00" + "\x00".join(map(str, cells))
    return not any(("\x00" + c) in text for c in exports.FORMULA_START)


def _write_xlsx_fast(path: str, sheets, progress=None) -> int:
    """The same cells as `exports.write_xlsx`: formulas neutralised, booleans as 1/0, headers bold.
    Rows go to the writer as dicts (what it takes), built in C for batches of plain values."""
    formula = frozenset(exports.FORMULA_START)
    counts = []

    def careful(keys, row):
        return {
            k: (
                ("'" + v)
                if (v.__class__ is str and v and v[0] in formula)
                else (int(v) if v.__class__ is bool else v)
            )
            for k, v in zip(keys, row, strict=False)
        }

    def records(header, rows, report):
        keys = list(header)
        n = 0
        for batch in exports._batches(rows):
            n += len(batch)
            if _plain_batch(batch):
                yield from map(dict, map(zip, repeat(keys), batch))
            else:
                yield from (careful(keys, row) for row in batch)
            if report is not None:
                report(n)
        counts.append(n)

    book = _fast_writer()(path).format(bold_headers=True)
    for index, (name, header, rows) in enumerate(sheets):
        book = book.sheet(name[:31], records(header, rows, progress if index == 0 else None))
    book.save()
    return counts[0] if counts else 0


def audit_export(
    owner_id: int | None,
    what: str,
    path: str,
    *,
    rows: int,
    filters: dict | None = None,
    personal: bool = False,
    job_id: int | None = None,
) -> None:
    """The export's audit entry, as a streamed export writes it, in the name of the person who asked."""
    exports.declared(what)  # an undeclared export never leaves, even from the queue
    audit.record(
        "export",
        target=what,
        actor=owner(owner_id),
        details={
            "format": os.path.splitext(path)[1].lstrip("."),
            "filters": filters or {},
            "rows": rows,
            "personal": personal,
            "completed": True,
            "background": True,
            "job": job_id,
        },
    )


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
