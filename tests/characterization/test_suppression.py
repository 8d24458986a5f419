"""Small-count suppression: no value under k reaches an analyst, directly or by subtraction.

Two independent attackers check thousands of random tables:
- `linear_disclosures`: exact rational linear algebra over every row, column and total equation
  (any sum and difference of shown figures); a hidden value is disclosed if it is a linear
  combination of shown ones.
- `bound_disclosures`: a brute-force search over every whole-number table consistent with what
  is shown (hidden values >= 1, or >= 0 when a zero had to be hidden); a hidden value is
  disclosed if every consistent table gives it the same value.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from app.characterization.suppression import (
    display,
    k_for,
    margins,
    sees_small_counts,
    suppress_counts,
    suppress_table,
    suppress_table_full,
    suppress_total,
)

# ------------------------------------------------------------------------------ attackers


def _equations(table):
    """Variables: ('c', r, c), ('r', r), ('k', c), ('g',). Each equation: {var: coef} == 0."""
    eqs = []
    for r in table.rows:
        eq = {("c", r, c): 1 for c in table.cols}
        eq[("r", r)] = -1
        eqs.append(eq)
    for c in table.cols:
        eq = {("c", r, c): 1 for r in table.rows}
        eq[("k", c)] = -1
        eqs.append(eq)
    eqs.append({**{("r", r): 1 for r in table.rows}, ("g",): -1})
    eqs.append({**{("k", c): 1 for c in table.cols}, ("g",): -1})
    return eqs


def _shown(table):
    values = {("c", r, c): v for (r, c), v in table.cells.items()}
    values.update({("r", r): v for r, v in table.row_totals.items()})
    values.update({("k", c): v for c, v in table.col_totals.items()})
    values[("g",)] = table.total
    return values


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [r[:] for r in rows]
    rank, ncols = 0, len(rows[0]) if rows else 0
    for col in range(ncols):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                f = rows[i][col] / rows[rank][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def linear_disclosures(table) -> list:
    """Hidden variables that some combination of the equations pins to one value."""
    shown = _shown(table)
    hidden = [v for v, val in shown.items() if val is None]
    if not hidden:
        return []
    index = {v: i for i, v in enumerate(hidden)}
    matrix = []
    for eq in _equations(table):
        row = [Fraction(0)] * len(hidden)
        for var, coef in eq.items():
            if var in index:
                row[index[var]] += coef
        if any(row):
            matrix.append(row)
    base = _rank(matrix) if matrix else 0
    out = []
    for var, i in index.items():
        unit = [Fraction(0)] * len(hidden)
        unit[i] = Fraction(1)
        if _rank([*matrix, unit]) == base:
            out.append(var)
    return out


def bound_disclosures(table, truth: dict, node_cap: int = 50_000) -> list | None:
    """Hidden values that every whole-number table consistent with the display pins down.

    For each hidden value, a depth-first search looks for a consistent table (a witness) where
    it differs from the truth. Returns None
    when a search hit `node_cap` (the caller counts those)."""
    rows, cols = table.rows, table.cols
    hidden_cells = [(r, c) for (r, c), v in table.cells.items() if v is None]
    if table.total is None:
        return []  # no shown number but zeros: nothing to subtract from
    lower = 0 if any(truth[rc] == 0 for rc in hidden_cells) or \
        any(v is None and sum(truth[(r, c)] for c in cols) == 0 for r, v in table.row_totals.items()) else 1
    row_known, col_known, g = table.row_totals, table.col_totals, table.total
    targets = [("c", rc) for rc in hidden_cells] + [("r", r) for r in rows if row_known[r] is None] + \
        [("k", c) for c in cols if col_known[c] is None]
    true_row = {r: sum(truth[(r, c)] for c in cols) for r in rows}
    true_col = {c: sum(truth[(r, c)] for r in rows) for c in cols}
    nodes = [0]

    def ordered(rc, cap):
        # Two tables the reader cannot tell apart differ by cycles of +1/-1 moves (a conformal
        # decomposition of their difference), so if a value can differ at all, it can in a
        # table within one of the truth everywhere: searching that window is enough.
        t = truth[rc]
        return [v for v in (t, t - 1, t + 1) if lower <= v <= cap]

    def search(target) -> bool:
        assign = {rc: v for rc, v in table.cells.items() if v is not None}

        def ok_partial() -> bool:
            for r in rows:
                s = sum(assign.get((r, c), 0) for c in cols)
                done = all((r, c) in assign for c in cols)
                if row_known[r] is not None and (s > row_known[r] or (done and s != row_known[r])):
                    return False
                if done and row_known[r] is None and (s < lower or (target == ("r", r) and s == true_row[r])):
                    return False
            for c in cols:
                s = sum(assign.get((r, c), 0) for r in rows)
                done = all((r, c) in assign for r in rows)
                if col_known[c] is not None and (s > col_known[c] or (done and s != col_known[c])):
                    return False
                if done and col_known[c] is None and (s < lower or (target == ("k", c) and s == true_col[c])):
                    return False
            return sum(assign.values()) <= g

        def dfs(pos: int) -> bool:
            nodes[0] += 1
            if nodes[0] > node_cap:
                raise TimeoutError
            if pos == len(hidden_cells):
                return sum(assign.values()) == g
            rc = hidden_cells[pos]
            for value in ordered(rc, g):
                if target == ("c", rc) and value == truth[rc]:
                    continue
                assign[rc] = value
                if ok_partial() and dfs(pos + 1):
                    return True
            del assign[rc]
            return False

        return dfs(0)

    pinned = []
    try:
        for target in targets:
            nodes[0] = 0
            if not search(target):
                pinned.append(target)
    except TimeoutError:
        return None
    return pinned


def random_table(rng: random.Random, nr: int, nc: int, weights) -> dict:
    values = [0, 1, 2, 3, 4, 5, 6, 8, 12, 30]
    return {(f"r{i}", f"c{j}"): rng.choices(values, weights)[0] for i in range(nr) for j in range(nc)}


def assert_safe_table(cells, k, check_bounds=True):
    table = suppress_table_full(cells, k)
    # Directly: every shown inner cell and total is 0 or >= k.
    for value in [*table.cells.values(), *table.row_totals.values(), *table.col_totals.values(), table.total]:
        assert value is None or value == 0 or value >= k, (cells, table)
    # Shown values are the true ones.
    for rc, value in table.cells.items():
        assert value is None or value == cells.get(rc, 0)
    assert not linear_disclosures(table), (cells, table, linear_disclosures(table))
    if check_bounds:
        found = bound_disclosures(table, {rc: cells.get(rc, 0) for rc in table.cells})
        if found is None:
            return "capped"
        assert not found, (cells, table, found)
    return table


# ------------------------------------------------------------------------------ one-way


def one_way_disclosed(counts, shown, total, k) -> bool:
    hidden = [key for key, v in shown.items() if v is None]
    if total is None or not hidden:
        return False
    mass = total - sum(v for v in shown.values() if v is not None)
    lower = 0 if any(counts[key] == 0 for key in hidden) else 1
    # Hidden cells a..: a + b + ... = mass, each >= lower. Pinned iff one unknown, or every
    # unknown at its lower bound, or the hidden mass itself is a small count.
    return len(hidden) == 1 or mass == lower * len(hidden) or mass < k


@pytest.mark.parametrize("k", [2, 3, 5, 10])
def test_one_way_tables_never_disclose_a_small_count(k):
    rng = random.Random(k)
    for _ in range(3000):
        n = rng.randint(1, 8)
        counts = {f"v{i}": rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 7, 9, 20, 150]) for i in range(n)}
        shown = suppress_counts(counts, k)
        total = suppress_total(counts, k)
        for key, value in shown.items():
            assert value is None or value == counts[key]
            assert value is None or value == 0 or value >= k, (counts, shown)
        assert total is None or total == 0 or total >= k
        assert not one_way_disclosed(counts, shown, total, k), (counts, shown, total)


def test_one_way_examples():
    assert suppress_counts({"M": 40, "H": 35, "I": 2}, 5) == {"M": 40, "H": None, "I": None}
    assert suppress_counts({"M": 40, "H": 35, "I": 0}, 5) == {"M": 40, "H": 35, "I": 0}
    assert suppress_counts({"a": 1, "b": 1, "c": 50}, 5) == {"a": None, "b": None, "c": None}
    assert suppress_counts({"a": 3}, 5) == {"a": None} and suppress_total({"a": 3}, 5) is None
    # Five people in five categories: hiding all five still says "each is 1"; a zero hides too.
    shown = suppress_counts({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 0}, 5)
    assert shown == {"a": None, "b": None, "c": None, "d": None, "e": None, "f": None}
    assert suppress_total({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1}, 5) is None
    assert suppress_counts({"a": 3, "b": 9}, None) == {"a": 3, "b": 9}


# ------------------------------------------------------------------------------ two-way


@pytest.mark.parametrize("shape", [(2, 2), (2, 3), (3, 3), (3, 4), (4, 5)])
def test_two_way_tables_never_disclose_by_subtraction(shape):
    rng = random.Random(hash(shape) & 0xFFFF)
    nr, nc = shape
    checked = capped = 0
    for _ in range(300):
        weights = rng.choice([(3, 3, 2, 2, 1, 1, 1, 1, 1, 1), (1, 1, 1, 1, 1, 3, 3, 3, 2, 2), (5, 1, 1, 1, 1, 1, 1, 1, 1, 1)])
        cells = random_table(rng, nr, nc, weights)
        outcome = assert_safe_table(cells, 5)
        if outcome == "capped":
            capped += 1
        else:
            checked += 1
    assert checked > 10 * capped


def test_the_attackers_catch_naive_suppression():
    from app.characterization.suppression import Table

    cells = {("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 20, ("b", "y"): 30}
    naive = Table(rows=["a", "b"], cols=["x", "y"], cells={**cells, ("a", "x"): None},
                  row_totals={"a": 43, "b": 50}, col_totals={"x": 23, "y": 70}, total=93)
    assert linear_disclosures(naive) == [("c", "a", "x")]
    ones = {("a", "x"): 1, ("a", "y"): 1, ("a", "z"): 30, ("b", "x"): 1, ("b", "y"): 1, ("b", "z"): 30}
    only_ones = Table(rows=["a", "b"], cols=["x", "y", "z"],
                      cells={**ones, ("a", "x"): None, ("a", "y"): None, ("b", "x"): None, ("b", "y"): None},
                      row_totals={"a": 32, "b": 32}, col_totals={"x": None, "y": None, "z": 60}, total=64)
    assert not linear_disclosures(only_ones)
    assert bound_disclosures(only_ones, ones)  # each hidden cell can only be 1
    assert not bound_disclosures(suppress_table_full(ones, 5), ones)


def test_two_block_bridge_is_closed():
    # Two hidden 2x2 blocks joined by one hidden cell: rows and columns each have >= 2 hidden
    # cells, yet the joining cell would follow from (rows 0+1) - (columns 0+1).
    cells = {("r0", "c0"): 1, ("r0", "c1"): 2, ("r1", "c0"): 3, ("r1", "c1"): 4, ("r0", "c2"): 2,
             ("r2", "c2"): 1, ("r2", "c3"): 3, ("r3", "c2"): 4, ("r3", "c3"): 2}
    for r in ("r0", "r1", "r2", "r3"):
        cells[(r, "c4")] = 50
    assert_safe_table(cells, 5, check_bounds=False)


def test_margins_match_the_one_way_view_of_each_variable():
    rng = random.Random(7)
    for _ in range(300):
        cells = random_table(rng, 4, 3, (3, 3, 2, 2, 1, 1, 1, 1, 1, 1))
        rows, cols, total = margins(cells, 5)
        by_row = {r: sum(v for (rr, _c), v in cells.items() if rr == r) for r in rows}
        assert rows == suppress_counts(by_row, 5)
        assert total == suppress_total(by_row, 5)
        assert suppress_table(cells, 5) == suppress_table_full(cells, 5).cells


def test_steward_threshold_none_shows_everything():
    cells = {("a", "x"): 1, ("a", "y"): 9, ("b", "x"): 2, ("b", "y"): 30}
    assert suppress_table(cells, None) == cells
    assert margins(cells, None) == ({"a": 10, "b": 32}, {"x": 3, "y": 39}, 42)


def test_display_and_roles(app, make_user):
    assert display(None, 5) == "<5" and display(1234, 5) == "1.234" and display(0, 5) == "0"
    steward, analyst = make_user("steward"), make_user("analyst")
    assert sees_small_counts(steward) and not sees_small_counts(analyst) and not sees_small_counts(None)
    assert k_for(steward) is None and k_for(analyst) == 5
    app.config["PARTICIPA_SUPPRESSION_K"] = 10
    try:
        assert k_for(analyst) == 10
        with app.test_request_context():
            assert k_for() == 10  # anonymous request: public page
    finally:
        app.config["PARTICIPA_SUPPRESSION_K"] = 5
