"""Characterisation exports: aggregated tables for every dashboard role, profile rows for the
steward only (CSV and XLSX), each with a data dictionary. All go through `app.core.exports`
(streamed, formula-neutralised, audited).

No row-level microdata leaves for anyone but the steward (`exports.personal`): one row per
participation with barrio, event and date singles people out (nearly every row was unique on
those columns), so analysts and admins get tables, not rows. The steward's row export is audited
as personal. Aggregated tables are protected by `disclosure` for everyone but the steward,
exactly as on the dashboard (same function, same figures), and audited with what they held.

Rows stream from a server-side cursor as plain tuples (no ORM objects), so memory stays flat.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select, type_coerce

from app.characterization import dashboard, disclosure, queries
from app.characterization.queries import D, Filters, P
from app.core import exports
from app.extensions import db

ROW_COLUMNS = (
    "capability",
    "object_id",
    "on_date",
    "channel",
    "life_course",
    "sex",
    "gender_identity",
    "sexual_orientation",
    "ethnicity",
    "disability",
    "disability_types",
    "victim",
    "migrant",
    "campesino",
    "zone",
    "territory",
    "subterritory",
    "value_group",
    "organisation",
)
CODED = set(ROW_COLUMNS) - {"object_id", "on_date", "organisation"}  # columns holding codes
AGG_HEADER = (
    "tabla",
    "variable",
    "codigo",
    "etiqueta",
    "variable_columna",
    "codigo_columna",
    "etiqueta_columna",
    "participaciones",
    "protegida",
)
EXPORTS = {"perfiles", "tablas"}


def row_columns(full: bool) -> tuple[str, ...]:
    return ROW_COLUMNS if full else tuple(c for c in ROW_COLUMNS if c != "organisation")


def _descriptions() -> dict[str, str]:
    from flask_babel import gettext as _

    names = queries.variable_labels()
    return {
        "capability": names["capability"],
        "object_id": _("Identificador del evento, consulta, encuesta u objeto"),
        "on_date": _("Fecha de participación (AAAA-MM-DD; en la exportación anonimizada solo AAAA-MM)"),
        "channel": names["channel"],
        "disability": _("Discapacidad (1 sí, 0 no, vacío sin respuesta)"),
        "disability_types": _("Tipos de discapacidad declarados, separados por «;»"),
        "organisation": _("Nombre de la organización (solo en la exportación con datos personales)"),
        **{k: v for k, v in names.items() if k not in ("disability", "disability_type")},
        "tabla": _("Tabla del tablero"),
        "variable": _("Variable de las filas"),
        "codigo": _("Código de la fila"),
        "etiqueta": _("Etiqueta de la fila"),
        "variable_columna": _("Variable de las columnas (cruces)"),
        "codigo_columna": _("Código de la columna"),
        "etiqueta_columna": _("Etiqueta de la columna"),
        "participaciones": _(
            "Número de participaciones (registros de caracterización, no personas); "
            "«x» si la cifra protegida es menor que k"
        ),
        "protegida": _("1 si la cifra se muestra como «x» (menos de k tras la protección)"),
    }


def dictionary_rows(columns) -> list[tuple]:
    """(column, description, code, label) for every column and every code of coded columns."""
    descriptions = _descriptions()
    out = []
    for column in columns:
        out.append((column, descriptions.get(column, column), "", ""))
        variable = "disability_type" if column == "disability_types" else column
        if column in CODED or column in ("variable", "variable_columna"):
            if column in ("variable", "variable_columna"):
                labels = queries.variable_labels()
            else:
                labels = queries.code_labels(variable)
            for code, label in labels.items():
                out.append((column, "", code, label))
    return out


DICT_HEADER = ("columna", "descripcion", "codigo", "etiqueta")


def _rows_stmt(filters: Filters, full: bool, text_dates: bool = False):
    """The export's SELECT. `text_dates`: the date read as the database gives it (ISO text on
    SQLite, a date on PostgreSQL), for CSV, where both are written alike; read without a
    conversion per row."""
    source = P
    if db.engine.dialect.name == "postgresql":
        # One merge join of both tables in id order (about half the time of a subquery per row).
        codes = (
            select(D.c.profile_id, func.string_agg(D.c.code, ";").label("codes"))
            .group_by(D.c.profile_id)
            .subquery()
        )
        types_sub = codes.c.codes
        source = P.outerjoin(codes, codes.c.profile_id == P.c.id)
    else:  # SQLite: a lookup per row is quicker than materialising the grouped codes
        types_sub = select(func.group_concat(D.c.code, ";")).where(D.c.profile_id == P.c.id).scalar_subquery()
    if full:
        date_col = type_coerce(P.c.on_date, db.String) if text_dates else P.c.on_date
    else:
        date_col = func.substr(func.cast(P.c.on_date, db.String), 1, 7)
    columns = []
    for name in row_columns(full):
        if name == "on_date":
            columns.append(date_col)
        elif name == "disability":
            columns.append(
                case((P.c.has_disability.is_(True), "1"), (P.c.has_disability.is_(False), "0"), else_="")
            )
        elif name == "disability_types":
            columns.append(types_sub)
        else:
            columns.append(P.c[name])
    cond = filters.conditions()
    stmt = select(*columns).select_from(source)
    if cond:
        stmt = stmt.where(and_(*cond))
    return stmt.order_by(P.c.id)  # random ids: the order says nothing about who came when


def profile_rows(filters: Filters, full: bool, text_dates: bool = False):
    """Export rows as plain DB-API tuples from a server-side cursor (every value prepared in SQL,
    `exports.plain_rows`). A generator: the query runs when the download starts streaming, in the
    stream's own session."""
    yield from exports.plain_rows(_rows_stmt(filters, full, text_dates))


def aggregated_rows(filters: Filters, viewer, cross: tuple[str, str] | None = None):
    """The dashboard's tables (protected for the viewer) as rows of AGG_HEADER."""
    from flask_babel import gettext as _

    def shown(v):
        return disclosure.MARKER if v is None else v

    for table in dashboard.summary(filters, viewer):
        for row in table.rows:
            yield (
                _("Totales"),
                table.variable,
                row["code"],
                row["label"],
                "",
                "",
                "",
                shown(row["value"]),
                int(row["value"] is None),
            )
        if not table.multi:
            yield (
                _("Totales"),
                table.variable,
                "TOTAL",
                _("Total"),
                "",
                "",
                "",
                shown(table.total),
                int(table.total is None),
            )
    if cross:
        ct = dashboard.crosstab(cross[0], cross[1], filters, viewer)
        t = ct.table
        name = _("Cruce")
        for r, rl in ct.rows:
            for c, cl in ct.cols:
                v = t.cells[(r, c)]
                yield (name, ct.row_var, r, rl, ct.col_var, c, cl, shown(v), int(v is None))
            v = t.row_totals[r]
            yield (name, ct.row_var, r, rl, ct.col_var, "TOTAL", _("Total"), shown(v), int(v is None))
        for c, cl in ct.cols:
            v = t.col_totals[c]
            yield (name, ct.row_var, "TOTAL", _("Total"), ct.col_var, c, cl, shown(v), int(v is None))
        yield (
            name,
            ct.row_var,
            "TOTAL",
            _("Total"),
            ct.col_var,
            "TOTAL",
            _("Total"),
            shown(t.total),
            int(t.total is None),
        )


def _audit_filters(filters: Filters, viewer, extra: dict | None = None) -> dict:
    viewer = dashboard.as_viewer(viewer)
    return {**filters.as_dict(), "exact": viewer.exact, "k": viewer.k, **(extra or {})}


def _tables_content(cross) -> dict:
    """What a table export held, for its audit entry."""
    return {
        "cross": list(cross or ()),
        "contents": "protected tables",
        "unit": "participations",
        "variables": list(dashboard.SUMMARY_VARIABLES) + ["disability_type"],
    }


def rows_csv(filters: Filters, full: bool = True):
    """Row-level profiles: the steward only (the route checks `exports.personal`); personal."""
    columns = row_columns(full)
    return exports.csv_response(
        "caracterizacion-perfiles.csv",
        columns,
        profile_rows(filters, full, text_dates=True),
        what="characterization.profiles",
        filters=_audit_filters(filters, None, {"full": full, "columns": list(columns)}),
        personal=True,
    )


def rows_xlsx(filters: Filters, full: bool = True):
    columns = row_columns(full)
    return exports.xlsx_response(
        "caracterizacion-perfiles.xlsx",
        [
            ("perfiles", columns, profile_rows(filters, full)),
            ("diccionario", DICT_HEADER, dictionary_rows(columns)),
        ],
        what="characterization.profiles",
        filters=_audit_filters(filters, None, {"full": full, "columns": list(columns)}),
        personal=True,
    )


def tables_csv(filters: Filters, viewer, cross):
    return exports.csv_response(
        "caracterizacion-tablas.csv",
        AGG_HEADER,
        aggregated_rows(filters, viewer, cross),
        what="characterization.tables",
        filters=_audit_filters(filters, viewer, _tables_content(cross)),
    )


def tables_xlsx(filters: Filters, viewer, cross):
    return exports.xlsx_response(
        "caracterizacion-tablas.xlsx",
        [
            ("tablas", AGG_HEADER, aggregated_rows(filters, viewer, cross)),
            ("diccionario", DICT_HEADER, dictionary_rows(AGG_HEADER)),
        ],
        what="characterization.tables",
        filters=_audit_filters(filters, viewer, _tables_content(cross)),
    )


def dictionary_csv(kind: str, full: bool):
    columns = AGG_HEADER if kind == "tablas" else row_columns(full)
    return exports.csv_response(
        f"caracterizacion-diccionario-{kind}.csv",
        DICT_HEADER,
        dictionary_rows(columns),
        what="characterization.dictionary",
        filters={"kind": kind},
    )


exports.declare(
    "characterization.profiles",
    _l("Perfiles de caracterización, una fila por perfil"),
    permissions=("exports.personal",),
    personal=True,
)
exports.declare(
    "characterization.tables",
    _l("Tablas de caracterización protegidas"),
    permissions=("exports.anonymised",),
    personal=False,
)
exports.declare(
    "characterization.dictionary",
    _l("Diccionario de datos de la caracterización"),
    permissions=("exports.anonymised",),
    personal=False,
)
exports.declare(
    "characterization.baseline",
    _l("Línea base de población"),
    permissions=("dashboards.view",),
    personal=False,
)
