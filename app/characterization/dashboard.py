"""The analysts' dashboard as plain data: tables already protected for the reader (see
`disclosure`), with labels, ready for templates and for the aggregated exports (so both always
show the same numbers). Every figure here counts participations (profile records), not people.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.characterization import disclosure, queries
from app.characterization.models import PopulationBaseline
from app.characterization.queries import NO_ANSWER, Filters
from app.extensions import db

SUMMARY_VARIABLES = ("capability", "life_course", "sex", "gender_identity", "sexual_orientation", "ethnicity",
                     "disability", "victim", "migrant", "campesino", "zone", "territory", "value_group", "channel")
UNDER_REPRESENTED = 0.8  # participation share below 80 % of the population share


def as_viewer(viewer) -> disclosure.Viewer:
    """A Viewer, also from the older convention (k int: protected, None: exact)."""
    return viewer if isinstance(viewer, disclosure.Viewer) else disclosure.from_threshold(viewer)


@dataclass
class OneWay:
    variable: str
    title: str
    rows: list[dict]  # {code, label, value (None if protected), display}
    total: int | None
    total_display: str
    multi: bool = False  # several answers per person (disability types): no total


def one_way(variable: str, counts: dict[str, tuple[int, int]], viewer) -> OneWay:
    """One variable's protected table from keyed counts {code: (n, cell key)}."""
    viewer = as_viewer(viewer)
    labels = queries.code_labels(variable)
    codes = queries.ordered_codes(variable, counts)
    raw = {c: counts.get(c, (0, 0)) for c in codes}
    shown = disclosure.protect_table(raw, viewer)
    multi = variable == "disability_type"
    rows = [{"code": c, "label": labels.get(c, c), "value": shown[c], "display": disclosure.display(shown[c])}
            for c in codes if not (c == NO_ANSWER and multi)]
    total = None if multi else disclosure.protect(*disclosure.total_of(raw), viewer)
    return OneWay(variable, queries.variable_labels()[variable], rows, total,
                  "" if multi else disclosure.display(total), multi)


def check_view(filters: Filters, viewer) -> int | None:
    """The protected number of records in the view; raises ViewRefused when it is under k for
    a protected viewer (a view over fewer than k records shows nothing)."""
    viewer = as_viewer(viewer)
    n, key = queries.total(filters, keyed=True)
    shown = disclosure.protect(n, key, viewer)
    if shown is None and not viewer.exact:
        raise disclosure.ViewRefused()
    return shown


def summary(filters: Filters, viewer, variables=SUMMARY_VARIABLES) -> list[OneWay]:
    """Totals per variable (and disability types) under the filters, protected for the viewer.

    Raises ViewRefused, like `check_view`, when the view's protected total is under k: every
    record has one value (or none) of each variable, so any variable's counts add up to the
    view's count and key, and no extra query is needed."""
    viewer = as_viewer(viewer)
    counts = queries.all_totals(tuple(variables), filters, keyed=True)
    whole = disclosure.total_of(counts[variables[0]]) if variables else (0, 0)
    if variables and not viewer.exact and disclosure.protect(*whole, viewer) is None:
        raise disclosure.ViewRefused()
    tables = [one_way(v, counts[v], viewer) for v in variables]
    tables.insert(variables.index("disability") + 1 if "disability" in variables else len(tables),
                  one_way("disability_type", queries.disability_types(filters, keyed=True), viewer))
    return tables


@dataclass
class Table:
    """A protected two-way table: inner cells, row totals, column totals and grand total."""

    rows: list
    cols: list
    cells: dict
    row_totals: dict
    col_totals: dict
    total: int | None

    def cell(self, r, c):
        return self.cells.get((r, c), 0)


def protect_crosstab(counts: dict[tuple, tuple[int, int]], viewer, rows, cols) -> Table:
    """Protect a two-way table of keyed counts; every total is its own cell (the union of its
    records), so it equals the same figure in a one-way table of the same filters."""
    viewer = as_viewer(viewer)
    full = {(r, c): counts.get((r, c), (0, 0)) for r in rows for c in cols}
    row_raw = {r: disclosure.total_of({c: full[(r, c)] for c in cols}) for r in rows}
    col_raw = {c: disclosure.total_of({r: full[(r, c)] for r in rows}) for c in cols}
    return Table(rows=list(rows), cols=list(cols), cells=disclosure.protect_table(full, viewer),
                 row_totals=disclosure.protect_table(row_raw, viewer),
                 col_totals=disclosure.protect_table(col_raw, viewer),
                 total=disclosure.protect(*disclosure.total_of(full), viewer))


@dataclass
class CrossTab:
    row_var: str
    col_var: str
    title: str
    rows: list[tuple[str, str]]  # (code, label)
    cols: list[tuple[str, str]]
    table: Table
    viewer: disclosure.Viewer

    def show(self, value) -> str:
        return disclosure.display(value)


def crosstab(row_var: str, col_var: str, filters: Filters, viewer) -> CrossTab:
    viewer = as_viewer(viewer)
    counts = queries.crosstab(row_var, col_var, filters, keyed=True)
    row_codes = queries.ordered_codes(row_var, {r: 1 for r, _c in counts})
    col_codes = queries.ordered_codes(col_var, {c: 1 for _r, c in counts})
    table = protect_crosstab(counts, viewer, row_codes, col_codes)
    rl, cl = queries.code_labels(row_var), queries.code_labels(col_var)
    names = queries.variable_labels()
    return CrossTab(row_var, col_var, _("%(row)s por %(col)s", row=names[row_var], col=names[col_var]),
                    [(c, rl.get(c, c)) for c in row_codes], [(c, cl.get(c, c)) for c in col_codes],
                    table, viewer)


# ------------------------------------------------------------------------------ representativeness

def has_baseline() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(PopulationBaseline)))


def population_by(variable: str) -> dict[str, int]:
    column = getattr(PopulationBaseline, variable)
    stmt = select(column, func.sum(PopulationBaseline.population)).where(column != "").group_by(column)
    return {code: int(n) for code, n in db.session.execute(stmt)}


def representativeness(filters: Filters, viewer, variables=("territory", "life_course", "sex")) -> list[dict]:
    """Per variable with a baseline: participation share against population share; a group is
    under-represented when its participation share is below 80 % of its population share.

    Built only from the protected figures the viewer sees (the same one-way table as the
    summary), so it reveals nothing more: a group's share is its protected count over the
    protected total minus the shown counts of "no answer" and of codes the baseline lacks. A
    protected count ("x", fewer than k) counts as zero for the flag and hides its share."""
    viewer = as_viewer(viewer)
    out = []
    for variable in variables:
        population = population_by(variable)
        if not population:
            continue
        table = one_way(variable, queries.totals(variable, filters, keyed=True), viewer)
        shown = {row["code"]: row["value"] for row in table.rows}
        denominator = None
        if table.total is not None:
            denominator = table.total - sum(v or 0 for c, v in shown.items() if c not in population)
        pop_total = sum(population.values())
        labels = queries.code_labels(variable)
        rows = []
        order = [c for c in queries.ordered_codes(variable, population) if c in population]
        for code in order:
            pop = population[code]
            pop_share = pop / pop_total if pop_total else 0
            value = shown.get(code)
            share = value / denominator if (value is not None and denominator) else None
            ratio = share / pop_share if (share is not None and pop_share) else None
            rows.append({
                "code": code, "label": labels.get(code, code), "display": disclosure.display(value),
                "share": share, "population": pop, "population_share": pop_share, "ratio": ratio,
                "under": bool(pop_share and (ratio is None or ratio < UNDER_REPRESENTED)),
            })
        out.append({"variable": variable, "title": queries.variable_labels()[variable], "rows": rows})
    return out
