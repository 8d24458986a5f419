"""The analysts' dashboard as plain data: tables already protected for the reader (see
`disclosure`), with labels, ready for templates and for the aggregated exports (so both always
show the same numbers). Every figure here counts participations (profile records), not people.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.catalogs import queries as catalogs
from app.characterization import baseline, disclosure, queries
from app.characterization import summary as profile_summary
from app.characterization.models import PROFILE_SUMMARY_DIMS, PopulationBaseline
from app.characterization.queries import NO_ANSWER, Filters
from app.extensions import db

SUMMARY_VARIABLES = ("capability", *PROFILE_SUMMARY_DIMS)  # what the dashboard shows, one table each
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
    rows = [
        {"code": c, "label": labels.get(c, c), "value": shown[c], "display": disclosure.display(shown[c])}
        for c in codes
        if not (c == NO_ANSWER and multi)
    ]
    total = None if multi else disclosure.protect(*disclosure.total_of(raw), viewer)
    return OneWay(
        variable,
        queries.variable_labels()[variable],
        rows,
        total,
        "" if multi else disclosure.display(total),
        multi,
    )


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
    counts, types = _summary_counts(tuple(variables), filters)
    whole = disclosure.total_of(counts[variables[0]]) if variables else (0, 0)
    if variables and not viewer.exact and disclosure.protect(*whole, viewer) is None:
        raise disclosure.ViewRefused()
    tables = [one_way(v, counts[v], viewer) for v in variables]
    tables.insert(
        variables.index("disability") + 1 if "disability" in variables else len(tables),
        one_way("disability_type", types, viewer),
    )
    return tables


def _summary_counts(variables: tuple[str, ...], filters: Filters) -> tuple[dict, dict]:
    """Keyed counts {variable: {code: (n, cell key)}} and the disability types' of a dashboard.
    A narrow view (two or more intersection filters, e.g. women × rural × victims) is counted in
    one pass over its records (`profile_summary.count_narrow`); the same integers as the GROUP BYs of
    `queries`, which every other view still uses."""
    if variables and profile_summary.one_pass(filters, variables):
        counted = profile_summary.count_narrow(
            filters, [(v,) for v in variables] + [(profile_summary.MULTI,)]
        )

        def keyed(cells):
            return {codes[0]: (n, s % disclosure.KEY_RANGE) for codes, (n, s) in cells.items()}

        counts = {v: keyed(counted[(v,)]) for v in variables}
        if profile_summary.from_cells(filters, (profile_summary.MULTI,)):
            # one filter and a disability type: the summary's cells give that type alone, where
            # the records give every type its people declared; publish what was published
            return counts, queries.disability_types(filters, keyed=True)
        return counts, keyed(counted[(profile_summary.MULTI,)])
    counts = queries.all_totals(variables, filters, keyed=True)
    return counts, queries.disability_types(filters, keyed=True)


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
    return Table(
        rows=list(rows),
        cols=list(cols),
        cells=disclosure.protect_table(full, viewer),
        row_totals=disclosure.protect_table(row_raw, viewer),
        col_totals=disclosure.protect_table(col_raw, viewer),
        total=disclosure.protect(*disclosure.total_of(full), viewer),
    )


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
    return CrossTab(
        row_var,
        col_var,
        _("%(row)s por %(col)s", row=names[row_var], col=names[col_var]),
        [(c, rl.get(c, c)) for c in row_codes],
        [(c, cl.get(c, c)) for c in col_codes],
        table,
        viewer,
    )


# ------------------------------------------------------------------------------ representativeness

# Variables a baseline may carry, in the order the page shows them ("life_course": its ages).
COMPARED = ("territory", "life_course", "sex", "ethnicity", "disability", "victim", "zone")


def has_baseline() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(PopulationBaseline)))


def minimum_age() -> int:
    """Youngest age that can take part (PARTICIPA_MIN_PARTICIPATION_AGE, default 14): younger
    people are left out of the population and of the participants compared."""
    from flask import current_app

    return int(current_app.config.get("PARTICIPA_MIN_PARTICIPATION_AGE", 14))


def baseline_sources() -> list[str]:
    stmt = select(PopulationBaseline.source).distinct().order_by(PopulationBaseline.source)
    return list(db.session.scalars(stmt))


def population_by(variable: str) -> dict[str, int]:
    """Population per code of one variable, every age (the rows that carry the variable)."""
    out: dict[str, int] = {}
    for row in db.session.scalars(select(PopulationBaseline)):
        code = getattr(row, variable)
        if code:
            out[code] = out.get(code, 0) + row.population
    return out


def _age_note(plan: baseline.AgePlan | None) -> str:
    if plan is None:
        return _(
            "Esta población incluye todas las edades: la línea base no separa a las personas menores de "
            "%(m)s años, que no pueden participar.",
            m=minimum_age(),
        )
    if plan.floor is None:
        return _(
            "Las edades de la línea base no coinciden con los cursos de vida: esta población incluye "
            "a las personas menores de %(m)s años.",
            m=plan.minimum,
        )
    if plan.floor > plan.minimum:
        return _(
            "Comparamos a las personas de %(f)s años o más: la línea base no separa las edades de "
            "%(m)s a %(last)s años.",
            f=plan.floor,
            m=plan.minimum,
            last=plan.floor - 1,
        )
    return _(
        "Comparamos a las personas de %(m)s años o más: quienes tienen menos no pueden participar.",
        m=plan.minimum,
    )


def _compare(variable, title, groups, filters, viewer, excluded, note, labels) -> dict:
    """One protected comparison: `groups` {key: (population, [participant codes])}. Each group's
    participations and the total of the groups compared are protected cells of their own (their
    cell keys add up), so a share reveals nothing the protected tables do not."""
    compared = replace(filters, exclude={**filters.exclude, "life_course": tuple(excluded)})
    counts = queries.totals(variable, compared, keyed=True)
    raw = {
        key: disclosure.total_of({c: counts.get(c, (0, 0)) for c in codes})
        for key, (_pop, codes) in groups.items()
    }
    shown = disclosure.protect_table(raw, viewer)
    denominator = disclosure.protect(*disclosure.total_of(raw), viewer)
    pop_total = sum(pop for pop, _codes in groups.values())
    rows = []
    for key, (pop, _codes) in groups.items():
        pop_share = pop / pop_total if pop_total else 0
        value = shown[key]
        share = value / denominator if (value is not None and denominator) else None
        ratio = share / pop_share if (share is not None and pop_share) else None
        rows.append(
            {
                "code": key,
                "label": labels.get(key, key),
                "display": disclosure.display(value),
                "share": share,
                "population": pop,
                "population_share": pop_share,
                "ratio": ratio,
                "under": bool(pop_share and (ratio is None or ratio < UNDER_REPRESENTED)),
            }
        )
    return {
        "variable": variable,
        "title": title,
        "rows": rows,
        "notes": [n for n in note if n],
        "total_display": disclosure.display(denominator),
    }


def representativeness(filters: Filters, viewer, variables=COMPARED) -> list[dict]:
    """Per variable the baseline carries: participation share against population share, leaving
    out the ages that cannot take part; a group is under-represented when its participation share
    is below 80 % of its population share.

    Shares are computed from protected figures only (each group and the total compared are
    protected cells), so the comparison reveals nothing more than the tables. A protected count
    ("x", fewer than k) hides its share and keeps the flag. Participants who did not answer the
    question, or answered a code the baseline lacks (e.g. a territory it does not cover), are
    left out of that variable's comparison."""
    viewer = as_viewer(viewer)
    stored = list(db.session.scalars(select(PopulationBaseline)))
    if not stored:
        return []
    minimum = minimum_age()
    names = queries.variable_labels()
    out = []
    for variable in variables:
        if variable == "life_course":
            carrying = [r for r in stored if baseline.carries_age(r)]
        else:
            carrying = [r for r in stored if getattr(r, variable)]
        if not carrying:
            continue
        aged = [(*baseline.row_ages(r), r.population) for r in carrying if baseline.carries_age(r)]
        plan = baseline.age_plan(aged, minimum) if aged else None
        if variable == "life_course":
            if plan is None or len(plan.groups) < 2:
                continue
            band_labels = queries.code_labels("life_course")
            groups, labels = {}, {}
            for g in plan.groups:
                key = "+".join(g.codes)
                groups[key] = (g.population, g.codes)
                ages = (
                    _("%(a)s años o más", a=g.start)
                    if g.end is None
                    else _("%(a)s a %(b)s años", a=g.start, b=g.end)
                )
                labels[key] = f"{', '.join(band_labels.get(c, c) for c in g.codes)} ({ages})"
            out.append(
                _compare(
                    variable,
                    _("Edad (curso de vida)"),
                    groups,
                    filters,
                    viewer,
                    plan.excluded,
                    [_age_note(plan)],
                    labels,
                )
            )
            continue
        floor = plan.floor if plan else None
        population: dict[str, int] = {}
        for r in carrying:
            if floor is not None and (not baseline.carries_age(r) or baseline.row_ages(r)[0] < floor):
                continue  # under the ages both sides can compare
            code = getattr(r, variable)
            population[code] = population.get(code, 0) + r.population
        if not population:
            continue
        excluded = plan.excluded if floor is not None else baseline.age_plan([], minimum).excluded
        codes = [c for c in queries.ordered_codes(variable, population) if c in population]
        groups = {c: (population[c], [c]) for c in codes}
        notes = [_age_note(plan)]
        if variable == "territory":
            missing = [t.name for t in catalogs.top_territories() if t.code not in population]
            if missing:
                notes.append(
                    _(
                        "La línea base no incluye: %(names)s. Sus participaciones no se comparan.",
                        names=", ".join(missing),
                    )
                )
        out.append(
            _compare(
                variable,
                names[variable],
                groups,
                filters,
                viewer,
                excluded,
                notes,
                queries.code_labels(variable),
            )
        )
    return out
