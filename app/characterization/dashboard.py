"""The analysts' dashboard as plain data: tables already suppressed for the reader (k), with
labels, ready for templates and for the aggregated exports (so both always show the same numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.characterization import queries, suppression
from app.characterization.models import PopulationBaseline
from app.characterization.queries import NO_ANSWER, Filters
from app.extensions import db

SUMMARY_VARIABLES = ("capability", "life_course", "sex", "gender_identity", "sexual_orientation", "ethnicity",
                     "disability", "victim", "migrant", "campesino", "zone", "territory", "value_group", "channel")
UNDER_REPRESENTED = 0.8  # participation share below 80 % of the population share


@dataclass
class OneWay:
    variable: str
    title: str
    rows: list[dict]  # {code, label, value (None if hidden), display}
    total: int | None
    total_display: str
    multi: bool = False  # several answers per person (disability types): no total


def one_way(variable: str, counts: dict[str, int], k: int | None) -> OneWay:
    labels = queries.code_labels(variable)
    codes = queries.ordered_codes(variable, counts)
    raw = {c: counts.get(c, 0) for c in codes}
    shown = suppression.suppress_counts(raw, k)
    multi = variable == "disability_type"
    rows = [{"code": c, "label": labels.get(c, c), "value": shown[c], "display": suppression.display(shown[c], k)}
            for c in codes if not (c == NO_ANSWER and multi)]
    total = None if multi else suppression.suppress_total(raw, k)
    return OneWay(variable, queries.variable_labels()[variable], rows, total,
                  "" if multi else suppression.display(total, k), multi)


def summary(filters: Filters, k: int | None, variables=SUMMARY_VARIABLES) -> list[OneWay]:
    """Totals per variable (and disability types) under the filters, suppressed for k."""
    counts = queries.all_totals(tuple(variables), filters)
    tables = [one_way(v, counts[v], k) for v in variables]
    tables.insert(variables.index("disability") + 1 if "disability" in variables else len(tables),
                  one_way("disability_type", queries.disability_types(filters), k))
    return tables


@dataclass
class CrossTab:
    row_var: str
    col_var: str
    title: str
    rows: list[tuple[str, str]]  # (code, label)
    cols: list[tuple[str, str]]
    table: suppression.Table
    k: int | None

    def show(self, value) -> str:
        return suppression.display(value, self.k)


def crosstab(row_var: str, col_var: str, filters: Filters, k: int | None) -> CrossTab:
    counts = queries.crosstab(row_var, col_var, filters)
    row_codes = queries.ordered_codes(row_var, {r: 1 for r, _c in counts})
    col_codes = queries.ordered_codes(col_var, {c: 1 for _r, c in counts})
    table = suppression.suppress_table_full(counts, k, rows=row_codes, cols=col_codes)
    rl, cl = queries.code_labels(row_var), queries.code_labels(col_var)
    names = queries.variable_labels()
    return CrossTab(row_var, col_var, _("%(row)s por %(col)s", row=names[row_var], col=names[col_var]),
                    [(c, rl.get(c, c)) for c in row_codes], [(c, cl.get(c, c)) for c in col_codes], table, k)


# ------------------------------------------------------------------------------ representativeness

def has_baseline() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(PopulationBaseline)))


def population_by(variable: str) -> dict[str, int]:
    column = getattr(PopulationBaseline, variable)
    stmt = select(column, func.sum(PopulationBaseline.population)).where(column != "").group_by(column)
    return {code: int(n) for code, n in db.session.execute(stmt)}


def representativeness(filters: Filters, k: int | None, variables=("territory", "life_course", "sex")) -> list[dict]:
    """Per variable with a baseline: participation share against population share; a group is
    under-represented when its participation share is below 80 % of its population share.

    Built on the same suppressed table as the summary, and computed only from figures that
    table shows, so it reveals nothing more: the participation share of a group is its count
    over the people whose answer is a group of the baseline (the total minus the shown counts of
    "no answer" and of codes the baseline lacks; a hidden one of those, always under k, is left
    in, a bias of a few people at most). A hidden count hides its share; its flag stays (it
    says "few", which "<k" already says)."""
    out = []
    for variable in variables:
        population = population_by(variable)
        if not population:
            continue
        table = one_way(variable, queries.totals(variable, filters), k)
        shown = {row["code"]: row["value"] for row in table.rows}
        raw = queries.totals(variable, filters)
        denominator = None
        if table.total is not None:
            denominator = table.total - sum(v or 0 for c, v in shown.items() if c not in population)
        true_denominator = sum(raw.get(c, 0) for c in population)
        pop_total = sum(population.values())
        labels = queries.code_labels(variable)
        rows = []
        order = [c for c in queries.ordered_codes(variable, population) if c in population]
        for code in order:
            pop = population[code]
            pop_share = pop / pop_total if pop_total else 0
            value = shown.get(code, 0)
            share = value / denominator if (value is not None and denominator) else None
            true_share = raw.get(code, 0) / true_denominator if true_denominator else 0
            ratio = share / pop_share if (share is not None and pop_share) else None
            rows.append({
                "code": code, "label": labels.get(code, code), "display": suppression.display(value, k),
                "share": share, "population": pop, "population_share": pop_share, "ratio": ratio,
                "under": bool(true_denominator and pop_share and true_share / pop_share < UNDER_REPRESENTED),
            })
        out.append({"variable": variable, "title": queries.variable_labels()[variable], "rows": rows})
    return out
