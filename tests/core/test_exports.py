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

HOSTILE = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "a;=1+1", "a,=1+1",
           "nota; +57 300", "x,-1", "precio;@A1", "ok ;\t=2", "normal, texto; sin riesgo"]


def _download(app, query: str = ""):
    with app.test_request_context(f"/descarga{query}"):
        response = exports.csv_response("prueba.csv", ["columna", "valor"],
                                        lambda: ([f"c{i}", v] for i, v in enumerate(HOSTILE)), what="test.csv")
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
