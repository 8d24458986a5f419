"""The profile summary: the dashboard's one- and two-way counts kept pre-aggregated, each with the
sum of its records' keys, so the broad views (every total, a cross-tab, one group filter) are
read from a few hundred rows instead of counted over every profile.

WHAT IT HOLDS
-------------
`profile_summary` has one row per cell: (capability, variable a, code a, variable b, code b) ->
(n, key_sum), where n is how many profile records fall in the cell and key_sum the plain sum of
their record keys (the cell key is key_sum mod 256, as `queries` computes it from the records).
One-way cells have variable b = "". Variables are the dashboard's (`DIMENSIONS` below, the
disability types included); "no answer" is the code "". Because the sums are the same integers
the records give, a figure read here is **identical** to the one counted from the records, noise
included: the cell-key method is exactly as strong.

A view that leaves codes out (`Filters.exclude`, the ages that cannot take part) subtracts the
cells of each left-out code (`read`); when that would need a third variable, the records count it.

Views the summary cannot answer (a date range, an event, the barrio, or three or more variables
at once) are counted from the records (`queries`). Among them, a **narrow view** (two or more
intersection filters, e.g. women × rural × victims: `narrow`) is counted here by one statement
(`count_narrow`): the records it matches are read once, and every variable, the disability types
and the total are grouped from that one read, in the database; the same integers the GROUP BYs
give, so the same protected figures (tests/characterization/test_narrow_views.py).
`PARTICIPA_NARROW_VIEWS = False` counts them the earlier way.

HOW IT STAYS EXACT
------------------
Every writer of profiles updates the summary **in the same transaction** (`apply`): the profile
buffer's batches and re-writes, the demo loader, and any write through the ORM (a session hook).
Cells are written in a fixed sorted order, aggregated over the whole write, and carry no id: a
batch's summary update shows only the batch's counts per cell, never which row or in which order.

As a safety net, database triggers count every row inserted, deleted or updated in `profile` and
`profile_disability` (`profile_summary_state.changes`) and `apply` counts the rows it accounted
for (`tracked`). When they differ (a bulk load or a manual fix that bypassed the writers) the
summary is not used at all — every view is counted from the records, exact — until
`flask participa rebuild-profile-summary` recomputes it (`rebuild`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from flask import current_app, has_app_context
from sqlalchemy import String, and_, cast, func, literal, literal_column, select, text, true

from app.characterization.models import (
    PROFILE_SUMMARY_DIMS,
    Profile,
    ProfileDisability,
    ProfileSummary,
    ProfileSummaryState,
)
from app.extensions import db

MULTI = "disability_type"  # several codes per profile (the disability rows)
DIMS = PROFILE_SUMMARY_DIMS  # single-valued variables of the summary
ALL_DIMS = (*DIMS, MULTI)
ORDER = {name: i for i, name in enumerate(ALL_DIMS)}
PROXY = "sex"  # any single-valued variable: its one-way cells add up to every record
T = ProfileSummary.__table__
S = ProfileSummaryState.__table__
P = Profile.__table__
D = ProfileDisability.__table__


def code_of(variable: str, values: dict) -> str:
    """The summary's code of one variable of a profile (as `queries` keys its counts)."""
    if variable == "disability":
        value = values.get("has_disability")
        return "" if value is None else ("1" if value else "0")
    value = values.get(variable)
    return "" if value is None else str(value)


def _cells(values: dict, disabilities: Iterable[tuple[str, int]]) -> Iterable[tuple[tuple, int]]:
    """(cell, key) for every cell one profile counts in."""
    capability, key = str(values["capability"]), int(values["record_key"])
    codes = [(v, code_of(v, values)) for v in DIMS]
    multi = sorted(set((str(c), int(k)) for c, k in disabilities))
    for i, (va, ca) in enumerate(codes):
        yield (capability, va, ca, "", ""), key
        for vb, cb in codes[i + 1 :]:
            yield (capability, va, ca, vb, cb), key
        for cb, dkey in multi:  # counted like the disability rows: with their copy of the key
            yield (capability, va, ca, MULTI, cb), dkey
    for cb, dkey in multi:
        yield (capability, MULTI, cb, "", ""), dkey


def deltas(added: Iterable[tuple[dict, list]], removed: Iterable[tuple[dict, list]] = ()) -> list[dict]:
    """Aggregated changes of the summary for profiles added and removed (each a (column values,
    [(disability code, key)]) pair), in the cells' sorted order (never the rows' order)."""
    acc: dict[tuple, list[int]] = {}
    for sign, group in ((1, added), (-1, removed)):
        for values, disabilities in group:
            for cell, key in _cells(values, disabilities):
                entry = acc.setdefault(cell, [0, 0])
                entry[0] += sign
                entry[1] += sign * key
    names = ("capability", "var_a", "code_a", "var_b", "code_b")
    return [
        {**dict(zip(names, cell, strict=True)), "n": n, "key_sum": s}
        for cell, (n, s) in sorted(acc.items())
        if n or s
    ]


_COLUMNS = ("capability", "var_a", "code_a", "var_b", "code_b", "n", "key_sum")


def _upsert(conn, rows: list[dict]) -> None:
    """Add the rows' n and key_sum to their cells (created when missing), in one executemany of the
    driver (SQLAlchemy's per-row processing cost more than the statement itself here)."""
    if not rows:
        return
    mark = "%s" if conn.dialect.paramstyle in ("format", "pyformat") else "?"
    keys = ", ".join(c.name for c in T.primary_key.columns)
    marks = ", ".join([mark] * len(_COLUMNS))
    sql = (
        f"INSERT INTO profile_summary ({', '.join(_COLUMNS)}) VALUES ({marks}) "  # noqa: S608 - constants
        f"ON CONFLICT ({keys}) DO UPDATE SET n = profile_summary.n + excluded.n, "
        "key_sum = profile_summary.key_sum + excluded.key_sum"
    )
    conn.exec_driver_sql(sql, [tuple(row[c] for c in _COLUMNS) for row in rows])


def apply(conn, added: list[tuple[dict, list]], removed: list[tuple[dict, list]] = ()) -> None:
    """Update the summary for profiles just inserted (`added`) or deleted (`removed`) on `conn`,
    inside the writer's own transaction; each item is (profile column values, [(disability code,
    disability row's record key)]). Counts the rows accounted for (`tracked`)."""
    removed = list(removed)
    _upsert(conn, deltas(added, removed))
    rows = sum(1 + len(d) for _v, d in added) + sum(1 + len(d) for _v, d in removed)
    conn.execute(S.update().where(S.c.id == 1).values(tracked=S.c.tracked + rows))


def enabled() -> bool:
    return not has_app_context() or bool(current_app.config.get("PARTICIPA_PROFILE_SUMMARY", True))


def current(conn=None) -> bool:
    """True when every profile write since the last rebuild went through `apply`."""
    conn = conn or db.session
    row = conn.execute(select(S.c.changes, S.c.tracked).where(S.c.id == 1)).first()
    return row is not None and row[0] == row[1]


# ------------------------------------------------------------------------------ reading


def _cell_dims(group: tuple[str, ...], where: dict[str, str], disability_type: str) -> list[str] | None:
    """The summary variables a view needs (sorted), or None when its cells cannot answer it."""
    needed = {g for g in group if g != "capability"} | set(where)
    if disability_type:
        needed.add(MULTI)
    if not needed <= set(ALL_DIMS) or len(needed) > 2:
        return None
    return sorted(needed, key=ORDER.__getitem__)


def dims_of(group: tuple[str, ...], where: dict[str, str], disability_type: str) -> list[str] | None:
    """The summary variables a view needs (sorted), or None when this module cannot answer it:
    neither from its cells nor as a narrow view (`narrow`). Call `usable` for the whole view."""
    dims = _cell_dims(group, where, disability_type)
    if dims is None and _narrow_possible(group, where, disability_type):
        return sorted(
            {g for g in group if g != "capability"} | set(where) | ({MULTI} if disability_type else set())
        )
    return dims


def _excluded(filters) -> tuple[str, tuple[str, ...]] | None:
    """The one variable whose codes the view leaves out (`Filters.exclude`, e.g. the life-course
    bands of people who cannot take part) and those codes, or None when it leaves nothing out.
    "No answer" is never left out, so a "" among the codes changes nothing. Raises ValueError
    when several variables are left out (the cells cannot answer that)."""
    items = [(v, tuple(c for c in codes if c != "")) for v, codes in filters.exclude.items()]
    items = [(v, codes) for v, codes in items if codes]
    if len(items) > 1:
        raise ValueError("several excluded variables")
    return items[0] if items else None


def _answers_exclusion(filters, group: tuple[str, ...]) -> bool:
    """Can the cells leave out the excluded codes of this view: drop them from its groups, or
    subtract the cells of each excluded code (which need one more variable than the view)?"""
    try:
        excluded = _excluded(filters)
    except ValueError:
        return False
    if excluded is None:
        return True
    variable, codes = excluded
    if variable not in DIMS or variable == "disability":  # yes/no: not the codes `queries` excludes
        return False
    if variable in group or variable in filters.where:
        return True
    where = {**filters.where, variable: codes[0]}
    return _cell_dims(group, where, filters.disability_type) is not None


def from_cells(filters, group: tuple[str, ...]) -> bool:
    """Can the summary's cells answer this view (and are they up to date)?"""
    if not enabled() or filters.object_id or filters.date_from or filters.date_to:
        return False
    if _cell_dims(group, filters.where, filters.disability_type) is None:
        return False
    if not _answers_exclusion(filters, group):
        return False
    return current()


def usable(filters, group: tuple[str, ...] = ()) -> bool:
    """Can this module answer the view: from the summary's cells, or counted from the records in
    one pass as a narrow view (`narrow`)?"""
    return from_cells(filters, group) or narrow(filters, group)


def read_many(filters, variables: tuple[str, ...]) -> dict[str, dict[str, tuple[int, int]]]:
    """One-way counts of several variables in one statement (one round trip): {variable: {code:
    (n, key_sum)}}. Call `usable` for each variable first."""
    from sqlalchemy import union_all

    if not all(from_cells(filters, (v,)) for v in variables):
        counted = count_narrow(filters, [(v,) for v in variables])
        return {v: {codes[0]: value for codes, value in counted[(v,)].items()} for v in variables}
    if _excluded(filters):
        return {v: {codes[0]: value for codes, value in read(filters, (v,)).items()} for v in variables}
    branches = [_grouped(filters, (v,)).add_columns(literal(v).label("variable")) for v in variables]
    out: dict[str, dict[str, tuple[int, int]]] = {v: {} for v in variables}
    for code, n, s, variable in db.session.execute(union_all(*branches)):
        out[variable][code] = (int(n), int(s))
    return out


def _grouped(filters, group: tuple[str, ...]):
    dims = _cell_dims(group, filters.where, filters.disability_type) or [PROXY]
    conditions = dict(filters.where)
    if filters.disability_type:
        conditions[MULTI] = filters.disability_type
    va, vb = dims[0], (dims[1] if len(dims) > 1 else "")
    column = {va: T.c.code_a, vb: T.c.code_b, "capability": T.c.capability}
    cond = [T.c.var_a == va, T.c.var_b == vb]
    if filters.capability:
        cond.append(T.c.capability == filters.capability)
    cond += [column[name] == code for name, code in conditions.items()]
    keys = [column[g] for g in group]
    return (
        select(*keys, func.sum(T.c.n), func.sum(T.c.key_sum))
        .where(and_(*cond))
        .group_by(*keys)
        .having(func.sum(T.c.n) > 0)
    )


def read(filters, group: tuple[str, ...] = ()) -> dict[tuple, tuple[int, int]]:
    """{group codes: (n, key_sum)} under the filters (cells with n > 0; with no group, {(): (n,
    key_sum)} even when n is 0). Call `usable` first."""
    if not from_cells(filters, group):
        return count_narrow(filters, [group])[group]
    excluded = _excluded(filters)
    if excluded is None:
        return _read_cells(filters, group)
    # left-out codes: their records are taken away, cell by cell (n and key sum), so every figure
    # is the one the records give with the exclusion (cells with n > 0, as `queries` keeps them)
    variable, codes = excluded
    plain = replace(filters, exclude={})
    if variable in filters.where:
        return _read_cells(plain, group) if filters.where[variable] not in codes else _empty(group)
    counts = _read_cells(plain, group)
    if variable in group:
        at = group.index(variable)
        return {key: value for key, value in counts.items() if key[at] not in codes}
    for code in codes:
        left_out = _read_cells(replace(plain, where={**plain.where, variable: code}), group)
        for key, (n, s) in left_out.items():
            kept_n, kept_s = counts[key]
            counts[key] = (kept_n - n, kept_s - s)
    return {key: value for key, value in counts.items() if value[0] > 0 or not group}


def _empty(group: tuple[str, ...]) -> dict[tuple, tuple[int, int]]:
    return {(): (0, 0)} if not group else {}


def _read_cells(filters, group: tuple[str, ...]) -> dict[tuple, tuple[int, int]]:
    """`read` from the cells, the exclusions aside."""
    dims = _cell_dims(group, filters.where, filters.disability_type)
    conditions = dict(filters.where)
    if filters.disability_type:
        conditions[MULTI] = filters.disability_type
    if not dims:
        dims = [PROXY]
    va, vb = dims[0], (dims[1] if len(dims) > 1 else "")
    column = {va: T.c.code_a, vb: T.c.code_b, "capability": T.c.capability}
    cond = [T.c.var_a == va, T.c.var_b == vb]
    if filters.capability:
        cond.append(T.c.capability == filters.capability)
    cond += [column[name] == code for name, code in conditions.items()]
    keys = [column[g] for g in group] or [literal("")]
    stmt = (
        select(*keys, func.sum(T.c.n), func.sum(T.c.key_sum))
        .where(and_(*cond))
        .group_by(*keys)
        .having(func.sum(T.c.n) > 0)
    )
    if not group:
        stmt = select(func.sum(T.c.n), func.sum(T.c.key_sum)).where(and_(*cond))
        n, s = db.session.execute(stmt).one()
        return {(): (int(n or 0), int(s or 0))}
    width = len(group)
    return {tuple(row[:width]): (int(row[width]), int(row[width + 1])) for row in db.session.execute(stmt)}


# ------------------------------------------------------------------------------ narrow views

NARROW_CONDITIONS = 2  # intersection conditions (groups and a disability type) that make a view narrow


def _countable(variable: str) -> bool:
    return variable == MULTI or variable == "disability" or variable in P.c


def _narrow_possible(group: tuple[str, ...], where: dict[str, str], disability_type: str) -> bool:
    if has_app_context() and not current_app.config.get("PARTICIPA_NARROW_VIEWS", True):
        return False
    if len(where) + bool(disability_type) < NARROW_CONDITIONS:
        return False
    return all(_countable(v) for v in (*group, *where)) and (MULTI not in group or len(group) == 1)


def narrow(filters, group: tuple[str, ...] = ()) -> bool:
    """Is this a narrow view: one the summary's cells cannot answer, cut by two or more
    intersection conditions (e.g. women × rural × victims)? Its records are counted in one pass
    (`count_narrow`) instead of one GROUP BY per variable."""
    return enabled() and _narrow_possible(group, filters.where, filters.disability_type)


def one_pass(filters, variables: tuple[str, ...]) -> bool:
    """Should a dashboard count these variables (and the disability types) of a narrow view in
    one pass (`count_narrow`), rather than read them from the summary's cells?"""
    return all(narrow(filters, (v,)) for v in variables) and not all(
        from_cells(filters, (v,)) for v in variables
    )


def _straight(expr):
    """SQLite: the condition with every profile column behind a unary plus, so no answer index
    is used for it. SQLite would otherwise walk the index of one condition (a third of the table
    for sex = 2) and look every row up by its random id: measured 30 times slower than reading
    the table straight through and testing each row (`NOT INDEXED` is not honoured here)."""
    from sqlalchemy import Column, literal_column
    from sqlalchemy.sql import visitors

    def replace(element):
        if isinstance(element, Column) and element.table is P and element.name != "id":
            return literal_column(f"+{P.name}.{element.name}", type_=element.type)
        return None

    return visitors.replacement_traverse(expr, {}, replace)


def _code_expr(variable: str):
    """A record's code of one variable in SQL, as the summary and `queries` key it ("" = no answer;
    disability "1"/"0")."""
    from sqlalchemy import case

    if variable == "disability":
        column = P.c.has_disability
        return case(
            (column.is_(None), literal_column("''")),
            (column == true(), literal_column("'1'")),
            else_=literal_column("'0'"),
        )
    return func.coalesce(cast(P.c[variable], String), literal_column("''"))


def narrow_statement(filters, groups: list[tuple[str, ...]]):
    """The statement of `count_narrow`: the records the filters match, read once into a
    materialised common table (their codes, record key and id, inside the database only), then
    one GROUP BY per group over it, all in one UNION ALL. What comes back is one row per cell:
    (group index, code, code, n, key_sum); no id, date or row leaves the database."""
    from sqlalchemy import union_all

    dialect = db.session.get_bind().dialect.name
    names = sorted({v for g in groups for v in g if v != MULTI})
    columns = [_code_expr(v).label(f"c{i}") for i, v in enumerate(names)]
    columns += [P.c.record_key.label("k"), P.c.id.label("i")]
    conditions = filters.conditions()
    if dialect == "sqlite" and not (filters.object_id or filters.date_from or filters.date_to):
        conditions = [_straight(c) for c in conditions]
    matching = select(*columns).select_from(P)
    matching = matching.where(and_(*conditions)) if conditions else matching
    m = matching.cte("narrow_view").prefix_with("MATERIALIZED")
    empty = literal_column("''")
    branches = []
    for index, group in enumerate(groups):
        number = literal_column(str(index))
        if group == (MULTI,):
            # each matching record's disability rows looked up by primary key (PostgreSQL would
            # otherwise hash the whole disability table: it has no estimate of the common table)
            rows = select(D.c.code, D.c.record_key).where(D.c.profile_id == m.c.i)
            if dialect == "postgresql":  # OFFSET 0: kept a lookup per record, not pulled up into a join
                rows = rows.offset(0).lateral("disability_rows")
                joined = m.join(rows, true())
            else:
                rows = D
                joined = m.join(D, D.c.profile_id == m.c.i)
            branch = (
                select(
                    number, rows.c.code, empty, func.count(), func.coalesce(func.sum(rows.c.record_key), 0)
                )
                .select_from(joined)
                .group_by(rows.c.code)
            )
        else:
            keys = [m.c[f"c{names.index(v)}"] for v in group]
            padded = (keys + [empty, empty])[:2]
            branch = select(number, *padded, func.count(), func.coalesce(func.sum(m.c.k), 0)).select_from(m)
            branch = branch.group_by(*keys) if keys else branch
        branches.append(branch)
    return union_all(*branches)


def _driver_rows(stmt) -> list[tuple]:
    """The statement's rows as the database driver returns them, inside the session's transaction:
    SQLAlchemy's per-row processing cost as much as the statement itself for ten thousand rows."""
    conn = db.session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if compiled.positiontup is not None:  # SQLite: positional, dates as SQLAlchemy stores them
        params = [params[name] for name in compiled.positiontup]
        params = [v.isoformat() if isinstance(v, date) else v for v in params]
    postgres = conn.dialect.name == "postgresql"
    cursor = conn.connection.driver_connection.cursor()
    try:
        if not postgres:
            cursor.execute(str(compiled), params)
            return cursor.fetchall()
        # jit off: the estimate of the per-record disability lookups crosses the JIT threshold and
        # compiling cost more than it saved; unprepared: never a generic plan, as the filters'
        # codes decide which indexes pay
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(str(compiled), params, prepare=False)
        rows = cursor.fetchall()
        cursor.execute("SET LOCAL jit TO DEFAULT")
        return rows
    finally:
        cursor.close()


def count_narrow(filters, groups: list[tuple[str, ...]]) -> dict[tuple, dict[tuple, tuple[int, int]]]:
    """{group: {codes: (n, key_sum)}} of a narrow view, every group counted from one read of the
    records that match the filters (`narrow_statement`): the same integers the GROUP BYs of
    `queries` give (cells with n > 0; the group () is the view's total, present even when 0). A
    group (MULTI,) counts the disability rows of the matching records, with their own keys."""
    out: dict[tuple, dict[tuple, tuple[int, int]]] = {group: {} for group in groups}
    for index, a, b, n, s in _driver_rows(narrow_statement(filters, groups)):
        group = groups[int(index)]
        codes = (a, b)[: len(group)]
        if n or group == ():
            out[group][codes] = (int(n), int(s or 0))
    return out


# ------------------------------------------------------------------------------ rebuilding


def _code_sql(variable: str, prefix: str = "") -> str:
    if variable == "disability":
        return (
            f"CASE WHEN {prefix}has_disability IS NULL THEN '' "
            f"WHEN {prefix}has_disability THEN '1' ELSE '0' END"
        )
    return f"COALESCE({prefix}{variable}, '')"


def _count_into(acc: dict, capabilities, heads: list[tuple[str, tuple]], tail, keys) -> None:
    """Add to `acc` the cells of one-way (`tail` None) or two-way counts, one C-level pass per
    variable or pair (zip + Counter), then a fold over at most codes x 256 keys."""
    from collections import Counter

    for va, a in heads:
        if tail is None:
            for (cap, ca, key), n in Counter(zip(capabilities, a, keys, strict=True)).items():
                cell = acc.setdefault((cap, va, ca, "", ""), [0, 0])
                cell[0] += n
                cell[1] += n * key
            continue
        vb, b = tail
        for (cap, ca, cb, key), n in Counter(zip(capabilities, a, b, keys, strict=True)).items():
            cell = acc.setdefault((cap, va, ca, vb, cb), [0, 0])
            cell[0] += n
            cell[1] += n * key


CHUNK_ROWS = 200_000  # records read and counted at a time by `compute` (bounded memory)


def _chunks(conn, sql: str):
    result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(text(sql))
    while rows := result.fetchmany(CHUNK_ROWS):
        yield list(zip(*rows, strict=True))


def compute(conn) -> dict[tuple, list[int]]:
    """Every cell of the summary counted from the records: {cell: [n, key_sum]}."""
    exprs = ", ".join(_code_sql(v, "p.") for v in DIMS)
    acc: dict[tuple, list[int]] = {}
    for columns in _chunks(conn, f"SELECT p.capability, {exprs}, p.record_key FROM profile p"):  # noqa: S608
        capabilities, keys, codes = columns[0], columns[-1], columns[1:-1]
        named = list(zip(DIMS, codes, strict=True))
        _count_into(acc, capabilities, named, None, keys)
        for i, (vb, b) in enumerate(named):
            _count_into(acc, capabilities, named[:i], (vb, b), keys)
    for columns in _chunks(
        conn,
        f"SELECT p.capability, {exprs}, d.code, d.record_key "  # noqa: S608
        "FROM profile_disability d JOIN profile p ON p.id = d.profile_id",
    ):
        capabilities, keys, multi = columns[0], columns[-1], columns[-2]
        named = list(zip(DIMS, columns[1:-2], strict=True))
        _count_into(acc, capabilities, [(MULTI, multi)], None, keys)
        _count_into(acc, capabilities, named, (MULTI, multi), keys)
    return acc


def _postgres_statements() -> list[str]:
    """PostgreSQL: the summary computed by the server, one INSERT ... SELECT ... GROUP BY per cell
    kind (hash aggregates, parallel scans: minutes faster than reading every record out)."""
    head = "INSERT INTO profile_summary (capability, var_a, code_a, var_b, code_b, n, key_sum) "
    join = "FROM profile_disability d JOIN profile p ON p.id = d.profile_id"
    out = []
    for i, va in enumerate(DIMS):
        a = _code_sql(va, "p.")
        out.append(
            f"{head}SELECT p.capability, '{va}', {a}, '', '', COUNT(*), SUM(p.record_key) "  # noqa: S608
            f"FROM profile p GROUP BY 1, 3"
        )
        for vb in DIMS[i + 1 :]:
            b = _code_sql(vb, "p.")
            out.append(
                f"{head}SELECT p.capability, '{va}', {a}, '{vb}', {b}, COUNT(*), "  # noqa: S608
                f"SUM(p.record_key) FROM profile p GROUP BY 1, 3, 5"
            )
        out.append(
            f"{head}SELECT p.capability, '{va}', {a}, '{MULTI}', d.code, COUNT(*), "  # noqa: S608
            f"SUM(d.record_key) {join} GROUP BY 1, 3, 5"
        )
    out.append(
        f"{head}SELECT p.capability, '{MULTI}', d.code, '', '', COUNT(*), SUM(d.record_key) "  # noqa: S608
        f"{join} GROUP BY 1, 3"
    )
    return out


def rebuild(conn=None) -> None:
    """Recompute the summary from the records and mark it current, in one transaction (on
    PostgreSQL the state row is locked first, so no writer slips in between)."""
    own = conn is None
    ctx = db.engine.begin() if own else None
    conn = ctx.__enter__() if own else conn
    try:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text(
                    "INSERT INTO profile_summary_state (id, changes, tracked) VALUES (1, 0, 0) "
                    "ON CONFLICT (id) DO NOTHING"
                )
            )
            conn.execute(text("SELECT 1 FROM profile_summary_state WHERE id = 1 FOR UPDATE"))
        else:
            conn.execute(
                text("INSERT OR IGNORE INTO profile_summary_state (id, changes, tracked) VALUES (1, 0, 0)")
            )
        conn.execute(T.delete())
        if conn.dialect.name == "postgresql":
            for sql in _postgres_statements():
                conn.execute(text(sql))
        else:
            names = ("capability", "var_a", "code_a", "var_b", "code_b")
            cells = [
                {**dict(zip(names, cell, strict=True)), "n": n, "key_sum": k}
                for cell, (n, k) in sorted(compute(conn).items())
            ]
            for i in range(0, len(cells), 5000):
                conn.execute(T.insert(), cells[i : i + 5000])
        conn.execute(S.update().where(S.c.id == 1).values(tracked=S.c.changes))
    except BaseException as exc:
        if own:
            ctx.__exit__(type(exc), exc, exc.__traceback__)
        raise
    if own:
        ctx.__exit__(None, None, None)


def reset(conn) -> None:
    """An empty, current summary (for a wiped database: tests, a development reset)."""
    conn.execute(T.delete())
    conn.execute(S.delete())
    conn.execute(S.insert().values(id=1, changes=0, tracked=0))


# ------------------------------------------------------------------------------ ORM writes


def after_flush(session, _context) -> None:
    """A session hook: profiles added or deleted through the ORM (a survey answer that points to
    its profile, for instance) update the summary in the same transaction. A profile changed in
    place is not accounted for, so the summary stops being used until it is rebuilt."""
    from app.characterization.models import Profile

    added = [o for o in session.new if isinstance(o, Profile)]
    removed = [o for o in session.deleted if isinstance(o, Profile)]
    if not added and not removed:
        return

    def item(p):
        values = {c.key: getattr(p, c.key) for c in Profile.__table__.columns}
        return values, [(d.code, d.record_key) for d in p.disabilities]

    apply(session.connection(), [item(p) for p in added], [item(p) for p in removed])


# ------------------------------------------------------------------------------ triggers (DDL)

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS trg_{table}_summary_{op.lower()} AFTER {op} ON {table} "  # noqa: S608
    "BEGIN UPDATE profile_summary_state SET changes = changes + 1 WHERE id = 1; END"
    for table in ("profile", "profile_disability")
    for op in ("INSERT", "DELETE", "UPDATE")
]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION profile_summary_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE profile_summary_state SET changes = changes + (SELECT count(*) FROM changed_old) WHERE id = 1;
  ELSE
    UPDATE profile_summary_state SET changes = changes + (SELECT count(*) FROM changed_new) WHERE id = 1;
  END IF;
  RETURN NULL;
END
$$
"""

POSTGRES_TRIGGERS = [
    f"CREATE TRIGGER trg_{table}_summary_{op.lower()} AFTER {op} ON {table} "
    f"REFERENCING {'OLD TABLE AS changed_old' if op == 'DELETE' else 'NEW TABLE AS changed_new'} "
    "FOR EACH STATEMENT EXECUTE FUNCTION profile_summary_count()"
    for table in ("profile", "profile_disability")
    for op in ("INSERT", "DELETE", "UPDATE")
]


def trigger_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        drops = [
            f"DROP TRIGGER IF EXISTS trg_{table}_summary_{op} ON {table}"
            for table in ("profile", "profile_disability")
            for op in ("insert", "delete", "update")
        ]
        return [POSTGRES_FUNCTION, *drops, *POSTGRES_TRIGGERS]
    return list(SQLITE_TRIGGERS)


def install(conn) -> None:
    """The state row (current, for empty tables) and the counting triggers. Idempotent."""
    tables = set(conn.dialect.get_table_names(conn))
    if not {"profile", "profile_disability", "profile_summary_state"} <= tables:
        return
    # a new state row is current only over an empty profile table (else: rebuild first)
    first = "SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM profile) THEN 1 ELSE 0 END, 0"
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"INSERT INTO profile_summary_state (id, changes, tracked) {first} ON CONFLICT (id) DO NOTHING"
        )
    else:
        conn.exec_driver_sql(f"INSERT OR IGNORE INTO profile_summary_state (id, changes, tracked) {first}")
    for sql in trigger_statements(conn.dialect.name):
        conn.exec_driver_sql(sql)
