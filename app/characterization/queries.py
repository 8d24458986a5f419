"""Aggregate queries behind the dashboard and the exports: always GROUP BY in SQL, never rows in
Python. Counts come back exact; with `keyed=True` each count comes with its cell key
(SUM(record_key) mod 256, computed in the same GROUP BY), which `disclosure.protect` needs.

Filters (`Filters`) are the context (capability, object, date range) plus intersection filters
(any number of variable = code pairs, e.g. sex=2 × zone=3 × victim=1, and a disability type).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import String, and_, cast, exists, func, literal, or_, select, union_all

from app.characterization import summary
from app.characterization.commands import ANSWERED
from app.characterization.disclosure import KEY_RANGE
from app.characterization.forms import QUESTIONS
from app.characterization.models import PROFILE_LISTS, Profile, ProfileDisability
from app.characterization.rules import Answers, what_may_be_kept
from app.extensions import db

P = Profile.__table__
D = ProfileDisability.__table__

# Variables one can count, cross and filter by. "disability" is the yes/no summary
# (has_disability); the types (several per person) are counted separately.
DIMENSIONS = (
    "life_course",
    "sex",
    "gender_identity",
    "sexual_orientation",
    "ethnicity",
    "disability",
    "victim",
    "migrant",
    "campesino",
    "zone",
    "territory",
    "subterritory",
    "value_group",
    "capability",
    "channel",
)
COLUMN = {name: P.c[name] for name in DIMENSIONS if name in P.c}
COLUMN["disability"] = P.c.has_disability
CATALOG_LISTS = PROFILE_LISTS  # the variables whose codes come from a catalog list
NO_ANSWER = ""  # key for "not asked / not answered" in every count


@dataclass
class Filters:
    capability: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    where: dict[str, str] = field(default_factory=dict)  # intersection: variable -> code
    disability_type: str = ""
    # variable -> codes left out ("no answer" stays): the representativeness comparison leaves
    # out the life-course bands of people who cannot take part
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def conditions(self) -> list:
        cond = []
        if self.capability:
            cond.append(P.c.capability == self.capability)
        if self.object_id:
            cond.append(P.c.object_id == self.object_id)
        if self.date_from:
            cond.append(P.c.on_date >= self.date_from)
        if self.date_to:
            cond.append(P.c.on_date <= self.date_to)
        for name, code in self.where.items():
            column = COLUMN[name]
            if name == "disability":
                cond.append(column.is_(None) if code == NO_ANSWER else column.is_(code == "1"))
            else:
                cond.append(column.is_(None) if code == NO_ANSWER else column == code)
        for name, codes in self.exclude.items():
            if codes:
                cond.append(or_(COLUMN[name].is_(None), COLUMN[name].notin_(codes)))
        if self.disability_type:
            # its own alias: a count of the disability rows themselves (`disability_types`) keeps
            # them in its FROM, where the same table here would be correlated away
            declared = D.alias("declared")
            cond.append(
                exists().where(and_(declared.c.profile_id == P.c.id, declared.c.code == self.disability_type))
            )
        return cond

    def as_dict(self) -> dict:
        """For audit entries and links."""
        out = {
            k: v
            for k, v in (
                ("capability", self.capability),
                ("object_id", self.object_id),
                ("date_from", self.date_from and self.date_from.isoformat()),
                ("date_to", self.date_to and self.date_to.isoformat()),
                ("disability_type", self.disability_type),
            )
            if v
        }
        if self.where:
            out["where"] = dict(self.where)
        if any(self.exclude.values()):
            out["exclude"] = {k: list(v) for k, v in self.exclude.items() if v}
        return out


def _key(name: str, value) -> str:
    if value is None:
        return NO_ANSWER
    if name == "disability":
        return "1" if value else "0"
    return str(value)


def _where(stmt, filters: Filters):
    cond = filters.conditions()
    return stmt.where(and_(*cond)) if cond else stmt


def _measures(keyed: bool) -> list:
    """COUNT(*), and with `keyed` the sum of record keys (the cell key before modulo)."""
    return [func.count(), func.coalesce(func.sum(P.c.record_key), 0)] if keyed else [func.count()]


def _value(row, keyed: bool):
    """n, or (n, cell key) for keyed counts."""
    return (int(row[0]), int(row[1]) % KEY_RANGE) if keyed else row[0]


def _from_summary(filters: Filters, group: tuple[str, ...], keyed: bool) -> dict:
    """{group codes: n or (n, cell key)} read from the pre-aggregated summary."""
    return {
        codes: ((n, s % KEY_RANGE) if keyed else n) for codes, (n, s) in summary.read(filters, group).items()
    }


def total(filters: Filters, keyed: bool = False):
    """Records under the filters (keyed: (n, cell key))."""
    if summary.usable(filters):
        return _from_summary(filters, (), keyed)[()]
    row = db.session.execute(_where(select(*_measures(keyed)).select_from(P), filters)).one()
    return _value(row, keyed)


def totals(variable: str, filters: Filters, keyed: bool = False) -> dict[str, int]:
    """{code: records} for one variable ("" = no answer); "disability_type" counts declarations.

    keyed: {code: (records, cell key)} for the disclosure layer."""
    if variable == "disability_type":
        return disability_types(filters, keyed)
    if summary.usable(filters, (variable,)):
        return {codes[0]: value for codes, value in _from_summary(filters, (variable,), keyed).items()}
    column = COLUMN[variable]
    stmt = _where(select(column, *_measures(keyed)).select_from(P), filters).group_by(column)
    return {_key(variable, row[0]): _value(row[1:], keyed) for row in db.session.execute(stmt)}


def all_totals(
    variables: tuple[str, ...], filters: Filters, keyed: bool = False
) -> dict[str, dict[str, int]]:
    """Totals of several variables, one GROUP BY per variable, run side by side.

    PostgreSQL: one UNION ALL statement, whose branches the planner spreads over parallel
    workers (measured faster than GROUPING SETS, which aggregates in a single process).
    SQLite: the queries split over two reader connections (WAL lets readers run together and
    the sqlite3 module releases the GIL while SQLite works)."""
    variables = tuple(v for v in variables if v in COLUMN)
    if (
        variables
        and all(summary.dims_of((v,), filters.where, filters.disability_type) is not None for v in variables)
        and summary.usable(filters, (variables[0],))
    ):
        return {
            v: {code: ((n, s % KEY_RANGE) if keyed else n) for code, (n, s) in counts.items()}
            for v, counts in summary.read_many(filters, variables).items()
        }
    if len(variables) < 2:
        return {v: totals(v, filters, keyed) for v in variables}
    if db.engine.dialect.name == "sqlite" and len(filters.where) >= 2:
        return _one_pass(variables, filters, keyed)
    if db.engine.dialect.name == "postgresql" and len(filters.where) >= 2:
        return _grouping_sets(variables, filters, keyed)
    if db.engine.dialect.name == "postgresql":
        branches = [
            _where(
                select(
                    literal(v).label("variable"), cast(COLUMN[v], String).label("code"), *_measures(keyed)
                ).select_from(P),
                filters,
            ).group_by(COLUMN[v])
            for v in variables
        ]
        out: dict[str, dict[str, int]] = {v: {} for v in variables}
        for row in db.session.execute(union_all(*branches)):
            out[row[0]][_key_text(row[0], row[1])] = _value(row[2:], keyed)
        return out
    engine = db.engine

    def run(chunk):
        with engine.connect() as conn:
            return {
                v: {
                    _key(v, row[0]): _value(row[1:], keyed)
                    for row in conn.execute(
                        _where(select(COLUMN[v], *_measures(keyed)).select_from(P), filters).group_by(
                            COLUMN[v]
                        )
                    )
                }
                for v in chunk
            }

    halves = (variables[0::2], variables[1::2])
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, halves))
    return {v: {**results[0], **results[1]}[v] for v in variables}


def _raw_rows(stmt, not_indexed: bool = False):
    """Plain sqlite3 tuples of a statement (no row objects on the way); `not_indexed` makes
    SQLite read the profile table straight through (`FROM profile NOT INDEXED`). Expanding
    parameters (the IN list of an exclusion) are rendered as plain parameters."""
    conn = db.session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    sql = str(compiled)
    if not_indexed:
        sql = sql.replace("\nFROM profile", "\nFROM profile NOT INDEXED", 1)
    params = compiled.construct_params()
    values = [params[name] for name in (compiled.positiontup or [])]
    values = [v.isoformat() if isinstance(v, date) else v for v in values]  # as SQLAlchemy stores them
    return conn.connection.driver_connection.execute(sql, values)


def _one_pass(variables: tuple[str, ...], filters: Filters, keyed: bool) -> dict[str, dict]:
    """SQLite, two or more intersection conditions: one scan of the table for the matching rows
    (usually a small share), counted here. Per-variable GROUP BYs would each walk one answer
    index and look every row up to test the conditions: measured ten times slower."""
    columns = [COLUMN[v] for v in variables] + [P.c.record_key]
    # With a context or date filter an index narrows the rows; with groups only, a straight
    # scan beats walking an answer index and looking each row up.
    straight = not (filters.capability or filters.object_id or filters.date_from or filters.date_to)
    rows = _raw_rows(_where(select(*columns).select_from(P), filters), not_indexed=straight)
    acc: list[dict] = [{} for _ in variables]
    last = len(variables)
    for row in rows:
        key = row[last]
        for i in range(last):
            cell = acc[i].get(row[i])
            if cell is None:
                acc[i][row[i]] = [1, key]
            else:
                cell[0] += 1
                cell[1] += key
    out = {}
    for i, v in enumerate(variables):
        out[v] = {_key(v, value): ((n, s % KEY_RANGE) if keyed else n) for value, (n, s) in acc[i].items()}
    return out


def _grouping_sets(variables: tuple[str, ...], filters: Filters, keyed: bool) -> dict[str, dict]:
    """PostgreSQL, two or more intersection conditions: one scan with GROUPING SETS over the
    (few) matching rows instead of one scan per variable. GROUPING(column) tells which
    variable a row counts."""
    columns = [COLUMN[v] for v in variables]
    flags = [func.grouping(c) for c in columns]
    stmt = _where(select(*columns, *flags, *_measures(keyed)).select_from(P), filters)
    stmt = stmt.group_by(func.grouping_sets(*columns))
    out: dict[str, dict] = {v: {} for v in variables}
    width = len(variables)
    for row in db.session.execute(stmt):
        index = row[width : 2 * width].index(0)  # the one column this row is grouped by
        out[variables[index]][_key(variables[index], row[index])] = _value(row[2 * width :], keyed)
    return out


def _key_text(name: str, value: str | None) -> str:
    """_key for values that came back as text (PostgreSQL's UNION ALL casts every column)."""
    if value is None:
        return NO_ANSWER
    if name == "disability":
        return "1" if value in ("true", "t", "1") else "0"
    return value


def disability_types(filters: Filters, keyed: bool = False) -> dict[str, int]:
    """{disability code: people declaring it} (a person may declare several). Cell keys come
    from the disability rows' copy of their profile's record key (no join when unfiltered)."""
    if summary.usable(filters, (summary.MULTI,)):
        return {codes[0]: value for codes, value in _from_summary(filters, (summary.MULTI,), keyed).items()}
    cond = filters.conditions()
    measures = [func.count(), func.coalesce(func.sum(D.c.record_key), 0)] if keyed else [func.count()]
    stmt = select(D.c.code, *measures).select_from(D)
    if cond:
        stmt = stmt.join(P, P.c.id == D.c.profile_id).where(and_(*cond))
    return {row[0]: _value(row[1:], keyed) for row in db.session.execute(stmt.group_by(D.c.code))}


def crosstab(row_var: str, col_var: str, filters: Filters, keyed: bool = False) -> dict[tuple[str, str], int]:
    """{(row code, column code): records} for two variables (keyed: (records, cell key)).

    SQLite sorts a two-column GROUP BY through a temporary B-tree; streaming the columns and
    counting them here is about twice as fast there. PostgreSQL hashes the GROUP BY itself."""
    if summary.usable(filters, (row_var, col_var)):
        return _from_summary(filters, (row_var, col_var), keyed)
    a, b = COLUMN[row_var], COLUMN[col_var]
    if db.engine.dialect.name == "sqlite":
        columns = (a, b, P.c.record_key) if keyed else (a, b)
        cursor = _raw_rows(_where(select(*columns).select_from(P), filters))
        if keyed:
            acc: dict[tuple, list[int]] = {}
            for x, y, key in cursor:
                cell = acc.get((x, y))
                if cell is None:
                    acc[(x, y)] = [1, key]
                else:
                    cell[0] += 1
                    cell[1] += key
            return {
                (_key(row_var, x), _key(col_var, y)): (n, s % KEY_RANGE) for (x, y), (n, s) in acc.items()
            }
        counts = Counter(cursor)  # plain sqlite3 tuples: no row objects on the way
        return {(_key(row_var, x), _key(col_var, y)): n for (x, y), n in counts.items()}
    stmt = _where(select(a, b, *_measures(keyed)).select_from(P), filters).group_by(a, b)
    return {
        (_key(row_var, row[0]), _key(col_var, row[1])): _value(row[2:], keyed)
        for row in db.session.execute(stmt)
    }


# ------------------------------------------------------------------------------ labels


def capability_labels() -> dict[str, str]:
    return {
        "events": _("Eventos"),
        "consultations": _("Consultas de priorización"),
        "ballot": _("Urna virtual"),
        "surveys": _("Encuestas de satisfacción"),
        "demo": _("Datos de ejemplo"),
        "preview": _("Vista previa"),
    }


def variable_labels() -> dict[str, str]:
    """variable -> its name (current language), read once per request."""
    from flask import g, has_request_context

    from app.core.i18n import locale_selector

    if not has_request_context():
        return _variable_labels()
    memo = g.setdefault("characterization_variable_labels", {})
    lang = locale_selector()
    if lang not in memo:
        memo[lang] = _variable_labels()
    return dict(memo[lang])


def _variable_labels() -> dict[str, str]:
    return {
        "life_course": _("Curso de vida"),
        "sex": _("Sexo al nacer"),
        "gender_identity": _("Identidad de género"),
        "sexual_orientation": _("Orientación sexual"),
        "ethnicity": _("Autorreconocimiento étnico"),
        "disability": _("Discapacidad"),
        "disability_type": _("Tipo de discapacidad"),
        "victim": _("Víctima del conflicto armado"),
        "migrant": _("Situación migratoria"),
        "campesino": _("Campesino o campesina"),
        "zone": _("Zona"),
        "territory": _("Comuna o corregimiento"),
        "subterritory": _("Barrio o vereda"),
        "value_group": _("Grupo de valor"),
        "capability": _("Ejercicio de participación"),
        "channel": _("Canal"),
    }


def code_labels(variable: str) -> dict[str, str]:
    """code -> label for one variable (current language), "" -> "Sin respuesta". Read once per
    request (a dashboard asks for the same labels dozens of times)."""
    from flask import g, has_request_context

    from app.core.i18n import locale_selector

    if not has_request_context():
        return _code_labels(variable)
    memo = g.setdefault("characterization_code_labels", {})
    key = (variable, locale_selector())
    if key not in memo:
        memo[key] = _code_labels(variable)
    return dict(memo[key])


def _code_labels(variable: str) -> dict[str, str]:
    from app.catalogs import queries as catalogs

    if variable in CATALOG_LISTS:
        out = catalogs.labels(variable)
    elif variable in ("disability_type",):
        out = catalogs.labels("disability")
    elif variable == "disability":
        out = {"1": _("Con discapacidad"), "0": _("Sin discapacidad")}
    elif variable in ("territory", "subterritory"):
        out = catalogs.territory_names()
    elif variable == "capability":
        out = capability_labels()
    elif variable == "channel":
        out = {"web": _("En línea"), "paper": _("Formato en papel"), "staff": _("Registrado por el equipo")}
    else:
        out = {}
    return {**out, NO_ANSWER: _("Sin respuesta")}


def ordered_codes(variable: str, counts: dict) -> list[str]:
    """Catalog order first, then any other code seen, "no answer" last."""
    known = [c for c in code_labels(variable) if c != NO_ANSWER]
    if variable == "territory":
        from app.catalogs import queries as catalogs

        known = [t.code for t in catalogs.top_territories(include_inactive=True)]
    seen = {k[0] if isinstance(k, tuple) else k for k in counts}
    return (
        [c for c in known if c in seen or variable not in ("territory", "subterritory")]
        + sorted(c for c in seen if c not in known and c != NO_ANSWER)
        + [NO_ANSWER]
    )


# ---------------------------------------------------------------------------- the section itself


def preview(answers: Answers) -> dict:
    """What `commands.record()` would store for these answers, with labels, storing nothing
    (the staff preview of the section).

    {"consented", "sensitive_dropped", "minor", "answers": [(question, answer label)]}"""
    kept = what_may_be_kept(
        answers.values,
        consent=answers.consent,
        guardian_consent=answers.guardian_consent,
        guardian_name=answers.guardian_name,
    )
    if not kept.store:
        return {"consented": False, "sensitive_dropped": False, "minor": False, "answers": []}
    names = variable_labels()
    shown = []
    for name, value in kept.answers.items():
        if name == "organisation":
            shown.append((str(QUESTIONS["organisation"]), value or ""))
            continue
        variable = "disability_type" if name == "disability" else name
        labels = code_labels(variable)
        text = (
            "; ".join(labels.get(v, v) for v in value)
            if isinstance(value, list)
            else labels.get(value or "", value)
        )
        shown.append((names.get(variable, name), text))
    return {
        "consented": True,
        "sensitive_dropped": kept.sensitive_dropped,
        "minor": kept.minor,
        "answers": shown,
    }


def answered_here(capability: str, object_id) -> bool:
    """Whether this browser answered the characterisation for this object (`commands.mark_answered`)."""
    from flask import has_request_context, session

    return has_request_context() and f"{capability}:{object_id}" in session.get(ANSWERED, [])
