"""Streaming exports (CSV and XLSX) with the audit entry every export must leave.

    return exports.csv_response("asistencia.csv", header, rows_iterable, what="events.attendance",
                                filters={"event": 3}, personal=True)

CSV rows are read while the response streams, *after* the view has returned and the request's
database session has been closed (Flask pushes the contexts again for the stream, with a new
session). So a CSV's rows must be lazy: a generator function, or a function returning rows, whose
query runs when the stream starts (use a server-side cursor inside it, e.g.
`yield from plain_rows(stmt)`, plain DB-API tuples, the fastest), so memory stays flat
however many rows there are. An already executed result is refused: its cursor would be gone.

CSV comes in two variants, chosen with the query parameter `separador`:
- default (`punto-y-coma`): semicolons, UTF-8 with BOM, what Excel with Colombian (es-CO)
  settings opens in columns with accents intact;
- `coma`: commas, UTF-8 without BOM, for data tools (R, pandas, LibreOffice with defaults).
Every text cell is quoted (so a separator inside a cell never splits it, whichever variant the
reader assumes), and formulas are neutralised with a leading apostrophe wherever a spreadsheet
could start a cell: at the start of the value and after any `;` or `,` inside it (a reader that
splits on the other separator would otherwise start a cell there). Times are stored UTC and
written in Bogotá wall-clock time.

Every export is declared once in the exporter registry (`declare`, called by the package's
`exports.py`): its key (the audit entry's target), a label, the permissions of which a user needs
one, and whether it may hold personal data. The streaming responses and the background jobs refuse
an undeclared key (`UndeclaredExport`), and a streamed export asked by a user who holds none of its
permissions answers 403, whatever the view checked before: `EXPORTERS` is the one list an auditor
or the data-protection officer reads to know what can leave the database and who can take it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain, islice

import xlsxwriter
from flask import Response, abort, current_app, has_request_context, request, stream_with_context
from flask_login import current_user
from sqlalchemy.engine import Result

from app.core import audit, auth, time


@dataclass(frozen=True)
class Exporter:
    """One kind of file that can leave the database."""

    key: str  # the audit entry's target, e.g. "events.attendance"; "opendata.*" covers a family
    label: object  # what staff and the audit log call it (a lazy string)
    permissions: tuple[str, ...]  # a user needs one of them; () for public files (open data)
    personal: bool  # may hold personal data (identities, row-level profiles)


EXPORTERS: dict[str, Exporter] = {}


class UndeclaredExport(LookupError):
    """An export whose key no package declared: a programming error, never shown to a visitor."""


def declare(key: str, label, *, permissions: tuple[str, ...], personal: bool) -> Exporter:
    """Declare an export (in the package's `exports.py`, at import). Permissions must exist in
    `app.core.auth.PERMISSIONS`; an export that may hold personal data must name some."""
    unknown = [p for p in permissions if p not in auth.PERMISSIONS]
    if unknown:
        raise ValueError(f"export {key!r}: unknown permissions {unknown}")
    if personal and not permissions:
        raise ValueError(f"export {key!r} holds personal data: it needs a permission")
    exporter = EXPORTERS[key] = Exporter(key, label, tuple(permissions), personal)
    return exporter


def declared(what: str) -> Exporter:
    """The declaration of export `what` (exact key, or its family "prefix.*")."""
    exporter = EXPORTERS.get(what) or EXPORTERS.get(what.rsplit(".", 1)[0] + ".*")
    if exporter is None:
        raise UndeclaredExport(f"export {what!r} is not declared (app.core.exports.declare)")
    return exporter


def may_take(user, what: str) -> bool:
    """May `user` take export `what`? (Office scope, where it applies, is the view's to check.)"""
    exporter = declared(what)
    return not exporter.permissions or any(auth.may(user, p) for p in exporter.permissions)


def _check(what: str) -> None:
    if not may_take(current_user if has_request_context() else None, what):
        abort(403)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SEPARATORS = {"punto-y-coma": ";", "coma": ","}
# A cell a spreadsheet could read as a formula: at the start, or after a separator or a line break
# inside the value (and blanks).
_CSV_RISK = re.compile(r"^[=+\-@\t\r]|[;,\r\n]\s*[=+\-@\t\r]")
_AFTER_SEPARATOR = re.compile(r"([;,\r\n])(\s*)(?=[=+\-@\t\r])")


def safe_cell(value):
    """Neutralise spreadsheet formulas in text cells (XLSX, and the start of a CSV cell)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_csv_text(value: str) -> str:
    """A text cell that no spreadsheet reads as a formula, whatever separator it splits on: an
    apostrophe before a formula character at the start and after every `;`, `,` or line break."""
    if not _CSV_RISK.search(value):
        return value
    value = _AFTER_SEPARATOR.sub(r"\1\2'", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def separator_choice() -> str:
    """The CSV variant asked for (`?separador=coma` for data tools), semicolons by default."""
    asked = request.args.get("separador", "") if has_request_context() else ""
    return asked if asked in SEPARATORS else "punto-y-coma"


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):  # stored UTC -> Bogotá wall clock, converted here only
        return time.wall_clock(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return value
    return safe_csv_text(str(value))


def stamped(name: str) -> str:
    """`name` with the local date and time before its extension: asistencia-20261121-0930.csv."""
    stamp = time.local_now().strftime("%Y%m%d-%H%M")
    base, ext = os.path.splitext(name)
    return f"{base}-{stamp}{ext}"


BATCH = 2000  # rows written (and checked) at a time
# Types the csv module writes exactly as `_csv_value` would (dates as ISO text, numbers bare,
# None as ""): a batch of only these takes the fast path. Exact types: bool, datetime and str
# subclasses go through `_csv_value`.
_PLAIN_TYPES = frozenset({str, type(None), int, float, date})
# In written CSV text, a "-" that could start a formula: after a quote (a cell's start), a
# separator, a line break or a blank. Checked from the dash (literal prefix: a fast scan).
_DASH_AFTER = re.compile(r'-(?<=[";,\s]-)')


def _maybe_formula(text: str, rows: int) -> bool:
    """Whether CSV text written by the fast path may hold a cell a spreadsheet reads as a formula.
    Never says no when a cell is risky (it may say yes for a harmless one: that batch is then
    written cell by cell). Risky cells have a formula character at their start or after a
    separator or line break (and blanks): `=`, `+`, `@` and tab are rare and flag a batch
    wherever they are; a carriage return beyond the rows' own line ends flags it; a dash flags it
    only after a quote, a separator or a blank."""
    if "=" in text or "+" in text or "@" in text or "\t" in text:
        return True
    if text.count("\r") != rows:
        return True
    return "-" in text and _DASH_AFTER.search(text) is not None


def _batches(rows: Iterable[Sequence], size: int = BATCH):
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def csv_stream(
    header: Sequence[str],
    rows: Iterable[Sequence],
    counter: list[int] | None = None,
    separator: str = "punto-y-coma",
    progress: Callable[[int], None] | None = None,
):
    """Yield CSV text chunks (for Excel: semicolons, BOM first; `separator="coma"`: commas, no BOM).
    `counter[0]` receives the number of data rows; `progress(n)` is called after each batch.

    Rows are written a batch at a time by the csv module (C), then the written text is checked
    for anything a spreadsheet could read as a formula (`_maybe_formula`); a batch with non-plain
    values (datetimes, booleans) or a possible formula is written again cell by cell, with every
    rule of `_csv_value`. Both ways give the same bytes."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=SEPARATORS[separator], quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n"
    )
    if separator == "punto-y-coma":
        yield "\ufeff"
    writer.writerow([safe_csv_text(str(h)) for h in header])
    yield buffer.getvalue()
    risk = _CSV_RISK.search
    plain = _PLAIN_TYPES.issuperset
    n = 0
    for batch in _batches(rows):
        buffer.seek(0)
        buffer.truncate()
        if plain(map(type, chain.from_iterable(batch))):
            writer.writerows(batch)
            text = buffer.getvalue()
            if not _maybe_formula(text, len(batch)):
                n += len(batch)
                yield text
                if progress is not None:
                    progress(n)
                continue
            buffer.seek(0)
            buffer.truncate()
        for row in batch:
            # Plain text cells as they are; everything else through _csv_value.
            writer.writerow([v if (v.__class__ is str and not risk(v)) else _csv_value(v) for v in row])
        n += len(batch)
        yield buffer.getvalue()
        if progress is not None:
            progress(n)
    if counter is not None:
        counter[0] = n


def plain_rows(stmt, size: int = 5000):
    """The rows of a SELECT as plain DB-API tuples, `size` at a time from a server-side cursor
    (PostgreSQL) or SQLite's stepping cursor, on the session's connection and transaction: no
    result objects per row, so exports read about as fast as a bare script. Statements whose
    columns need converting after reading (a date on SQLite) are read through SQLAlchemy instead.
    A generator: the query runs when iteration starts."""
    import secrets

    from app.extensions import db

    conn = db.session.connection()
    dialect = conn.dialect
    if any(
        c.type.dialect_impl(dialect).result_processor(dialect, None) is not None
        for c in stmt.selected_columns
    ):
        yield from conn.execute(stmt.execution_options(stream_results=True, yield_per=size))
        return
    compiled = stmt.compile(dialect=dialect)
    params = compiled.construct_params()
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None and name in params:
            params[name] = process(params[name])
    args = [params[name] for name in compiled.positiontup] if dialect.positional else params
    raw = conn.connection.dbapi_connection
    if dialect.name == "postgresql":
        cursor = raw.cursor(name=f"participa_rows_{secrets.token_hex(4)}")
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(str(compiled), args)
        while batch := cursor.fetchmany(size):
            yield from batch
    finally:
        cursor.close()


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence] | Callable[[], Iterable[Sequence]],
    *,
    what: str,
    filters: dict | None = None,
    personal: bool = False,
    separator: str | None = None,
) -> Response:
    """A streamed CSV download that writes its audit entry (who, what, filters, rows) when done.
    `rows`: a list, a generator, or a function returning rows, run when the stream starts.
    `separator`: "coma" for data tools (open data), otherwise what the visitor asked for."""
    _check(what)
    if isinstance(rows, Result):
        raise TypeError(
            "csv_response needs lazy rows (a generator or a function): an executed result's "
            "cursor is closed with the request's session before the response streams"
        )
    counter = [0]
    separator = separator or separator_choice()

    def generate():
        completed = False
        try:
            yield from csv_stream(header, rows() if callable(rows) else rows, counter, separator)
            completed = True
        finally:
            audit.record(
                "export",
                target=what,
                details={
                    "format": "csv",
                    "separator": separator,
                    "filters": filters or {},
                    "rows": counter[0],
                    "personal": personal,
                    "completed": completed,
                },
            )

    response = Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{stamped(filename)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def write_xlsx(path: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> int:
    """Write sheets [(name, header, rows)] with XlsxWriter in constant-memory mode; return the
    number of data rows in the first sheet."""
    workbook = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    bold = workbook.add_format({"bold": True})
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    first_count = 0
    for index, (name, header, rows) in enumerate(sheets):
        sheet = workbook.add_worksheet(name[:31])
        sheet.write_row(0, 0, list(header), bold)
        r = 0
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime):  # stored UTC -> Bogotá wall clock, converted here only
                    sheet.write_datetime(r, c, time.wall_clock(value), stamp)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value)
                elif isinstance(value, bool):
                    sheet.write_number(r, c, 1 if value else 0)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(safe_cell(value)))
        if index == 0:
            first_count = r
    workbook.close()
    return first_count


def download(body: bytes, filename: str, mimetype: str, *, inline: bool = False) -> Response:
    """A file built in memory (a PDF, a QR image) as a download, never cached. Audit personal data
    before calling it."""
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "no-store"},
    )


def workbook_response(
    filename: str,
    write: Callable[[str], int],
    *,
    what: str,
    filters: dict | None = None,
    personal: bool = False,
) -> Response:
    """Run `write(path) -> rows` on a temporary file (constant memory), audit the export, and
    stream the file, deleting it afterwards. For workbooks of any layout."""
    _check(what)
    tmp_dir = current_app.config.get("PARTICIPA_EXPORT_DIR") or None
    fd, path = tempfile.mkstemp(suffix=os.path.splitext(filename)[1], dir=tmp_dir)
    os.close(fd)
    try:
        rows = write(path)
    except Exception:
        os.unlink(path)
        raise
    audit.record(
        "export",
        target=what,
        details={
            "format": os.path.splitext(filename)[1].lstrip("."),
            "filters": filters or {},
            "rows": rows,
            "personal": personal,
            "completed": True,
        },
    )

    def generate():
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(256 * 1024):
                    yield chunk
        finally:
            os.unlink(path)

    response = Response(
        generate(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{stamped(filename)}"'
    response.headers["Content-Length"] = str(os.path.getsize(path))
    response.headers["Cache-Control"] = "no-store"
    return response


def xlsx_response(
    filename: str,
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]],
    *,
    what: str,
    filters: dict | None = None,
    personal: bool = False,
) -> Response:
    """Plain tables [(sheet name, header, rows)] as a streamed, audited XLSX download."""
    return workbook_response(
        filename, lambda path: write_xlsx(path, sheets), what=what, filters=filters, personal=personal
    )
