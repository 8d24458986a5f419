"""CSV downloads open right in Excel with Colombian settings (semicolons, UTF-8 BOM), a comma
variant is offered for data tools, and no cell can become a formula, whatever separator the
reader splits on."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from app.core import exports
from app.core.audit import AuditEntry

HOSTILE = [
    '=HYPERLINK("http://x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "a;=1+1",
    "a,=1+1",
    "nota; +57 300",
    "x,-1",
    "precio;@A1",
    "ok ;\t=2",
    "normal, texto; sin riesgo",
]


@pytest.fixture(autouse=True)
def _declared():
    """The exports these tests make, declared as a package declares its own (public, not personal)."""
    for key in ("test.csv", "test"):
        exports.declare(key, key, permissions=(), personal=False)
    yield
    for key in ("test.csv", "test"):
        exports.EXPORTERS.pop(key, None)


def _download(app, query: str = ""):
    with app.test_request_context(f"/descarga{query}"):
        response = exports.csv_response(
            "prueba.csv",
            ["columna", "valor"],
            lambda: ([f"c{i}", v] for i, v in enumerate(HOSTILE)),
            what="test.csv",
        )
        return response, response.get_data()


def _pieces(text: str) -> list[str]:
    """Every cell a careless reader could make: split on either separator, quotes ignored."""
    return [p.strip().strip('"').strip() for line in text.splitlines() for p in re.split(r"[;,]", line)]


def test_default_csv_is_for_excel_in_colombia_semicolons_and_bom(app, db):
    response, body = _download(app)
    assert body.startswith("\ufeff".encode()) and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["columna", "valor"] and len(rows) == 1 + len(HOSTILE)
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.details["separator"] == "punto-y-coma" and entry.details["completed"]


def test_comma_variant_for_data_tools_has_no_bom(app, db):
    _response, body = _download(app, "?separador=coma")
    assert not body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == ["columna", "valor"] and len(rows) == 1 + len(HOSTILE)


@pytest.mark.parametrize("query", ["", "?separador=coma"])
def test_no_cell_starts_a_formula_whichever_separator_the_reader_splits_on(app, db, query):
    _response, body = _download(app, query)
    text = body.decode("utf-8-sig")
    for piece in _pieces(text.replace("\r", "\n")):
        assert piece[:1] not in ("=", "+", "-", "@"), piece
    rows = list(csv.reader(io.StringIO(text), delimiter="," if query else ";"))
    for original, (_c, value) in zip(HOSTILE, rows[1:], strict=True):
        # what was neutralised is only an apostrophe before a formula character; nothing is lost
        assert value.replace("'", "") == original.replace("'", "")


def test_an_executed_query_result_is_refused_as_csv_rows(app, db):
    from app.core.audit import AuditEntry as A

    with app.test_request_context("/"), pytest.raises(TypeError):
        exports.csv_response("x.csv", ["id"], db.session.execute(select(A.id)), what="test")


def test_export_pages_offer_the_comma_variant(client, login_as, catalogs):
    login_as("steward")
    page = client.get("/gestion/caracterizacion/").get_data(as_text=True)
    assert "separador=coma" in page and "CSV con comas" in page


def _cell_by_cell(header, rows, separator=";") -> str:
    """The CSV rules applied to every cell, one at a time (what the fast path must equal)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([exports._csv_value(v) for v in row])
    return out.getvalue()


SNEAKY = HOSTILE + [
    "a;\u00a0-1",
    "x\n=1",
    "x\n-1",
    "-",
    "ok\r",
    "\r",
    "a,\u2003@b",
    "2025-10",
    "fin -3",
    'x";-1',
    'a"";=b',
]


@pytest.mark.parametrize("separator", ["punto-y-coma", "coma"])
def test_large_batches_write_the_same_bytes_as_cell_by_cell_and_no_formula_slips_through(separator):
    """Rows are written a batch at a time and checked afterwards: one hostile cell hidden in a batch
    of thousands of plain rows (or a datetime, a boolean, a negative number) is still neutralised,
    byte for byte as the cell-by-cell rules write it."""
    from datetime import date, datetime

    plain = ("events", "7", "2025-10", None, "", "JAC Santo Domingo", date(2025, 1, 2), 3, 2.5)
    sneaky = SNEAKY + [datetime(2026, 11, 20, 15, 30), True, False, -4, -0.5]
    rows = [plain] * (exports.BATCH * (len(sneaky) + 1))
    for i, value in enumerate(sneaky):  # each alone in its batch, in varying columns and places
        rows[exports.BATCH * i + 37 * i] = (*plain[: i % 5], value, *plain[i % 5 + 1 :])
    header = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
    got = "".join(exports.csv_stream(header, iter(rows), separator=separator))
    sep = exports.SEPARATORS[separator]
    assert got.lstrip("\ufeff") == _cell_by_cell(header, rows, sep)
    for piece in _pieces(got.replace("\r", "\n")):
        assert piece[:1] not in ("=", "+", "@"), piece
        assert piece[:1] != "-" or piece.lstrip("-").replace(".", "").isdigit(), piece  # numbers only


def test_background_xlsx_neutralises_a_formula_hidden_alone_in_a_large_batch(tmp_path):
    """The background XLSX writer hands plain batches to the writer as they are: a formula, a
    boolean or a datetime alone among thousands of plain rows still gets the careful treatment."""
    from datetime import date, datetime

    from openpyxl import load_workbook

    from app.core import export_files

    plain = ("events", "7", "2025-10", None, date(2025, 1, 2), 3)
    sneaky = ["=1+1", "+57 300", "-2+3", "@SUM(A1)", "\t=1", "\r=1", True, datetime(2026, 11, 20, 15, 30)]
    rows = [plain] * (exports.BATCH * (len(sneaky) + 1))
    for i, value in enumerate(sneaky):
        rows[exports.BATCH * i + 11 * i] = (*plain[: i % 4], value, *plain[i % 4 + 1 :])
    path = str(tmp_path / "x.xlsx")
    assert export_files.write_xlsx(path, [("hoja", list("abcdef"), iter(rows))]) == len(rows)
    cells = [
        v
        for row in load_workbook(path, read_only=True)["hoja"].iter_rows(min_row=2, values_only=True)
        for v in row
    ]
    texts = [v for v in cells if isinstance(v, str)]
    assert not [t for t in texts if t[:1] in exports.FORMULA_START]
    assert sum(t.startswith("'") for t in texts) == 6 and not any(isinstance(v, bool) for v in cells)
