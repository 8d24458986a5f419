"""Small-count suppression for every public or analyst-facing breakdown.

A count of fewer than k people (k = PARTICIPA_SUPPRESSION_K, 5 by default) can point at a
person, so it is never shown to anyone but stewards (permission `suppression.bypass`). Hiding the
small cell is not enough: a total minus the visible cells would give it back. So:

**Attacker model.** The reader sees every shown cell and total, knows that the cells of a line
add up to its total, knows that a hidden cell holds a whole number and that zeros are shown (so a
hidden cell is at least 1, unless a zero had to be hidden). A hidden value is *disclosed* when
those facts leave it a single possible value.

**One-way table with its total** (`suppress_counts`):

1. Primary: every cell with 0 < n < k is hidden. Zeros are shown (they reveal nobody).
2. If the total itself is under k, every non-zero cell and the total are hidden.
3. Complementary: while the hidden cells are exactly one, or together hold fewer than k people,
   or could only be all ones (as many people as hidden cells), the smallest visible non-zero
   cell is hidden too (ties: first in the table's order); when no non-zero cell is left, a zero
   is hidden (the reader then cannot assume hidden cells hold at least 1), and when nothing at
   all is left, the total is hidden.

So the total minus the visible cells gives the sum of at least two hidden cells, a sum of at
least k people that can be split in more than one way.

**Two-way table with row and column totals** (`suppress_table`, `margins`, `suppress_table_full`):

1. The row totals and the column totals are each suppressed as one-way tables against the grand
   total (the same result as `suppress_counts` on that variable alone, so a one-way chart of a
   variable and a cross-tab of it never contradict each other). The grand total is hidden only
   when it is under k. These margin results are final: complementary work never hides another
   total, so every view of the same data hides the same totals.
2. Primary: every inner cell with 0 < n < k is hidden.
3. Complementary, repeated until nothing changes:
   a. every row and column whose total is shown, and the rows (and the columns) whose totals
      are hidden taken together (their sum is the grand total minus the shown totals), has 0
      or at least 2 hidden cells, hiding at least k people together and not only ones
      (otherwise its smallest visible non-zero cell is hidden; a zero only when nothing else
      is left);
   b. no hidden value can be pinned by combining rows, columns and totals (for example two
      blocks of hidden cells joined by a single hidden cell, or hidden cells that can only be
      ones): every hidden value must lie on an alternating cycle of hidden values that can move
      by one without any of them dropping below 1 (see `_pinned`). A pinned value gets its
      row's (else its column's) smallest visible cell hidden.
4. If a value is still pinned when nothing is left to hide, no number is shown at all.

Hidden values are returned as None; `display()` shows them as "<5" (for k=5). The marker means
"fewer than k, or hidden so that a smaller count cannot be worked out"; `note()` says so and
every table that uses it should show that note.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, has_request_context
from flask_babel import gettext as _

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)

BYPASS_PERMISSION = "suppression.bypass"


# ------------------------------------------------------------------------------ who sees what

def default_k() -> int:
    return int(current_app.config.get("PARTICIPA_SUPPRESSION_K", 5))


def sees_small_counts(user) -> bool:
    """Stewards (permission `suppression.bypass`) see every count; everyone else does not."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.can(BYPASS_PERMISSION))


def k_for(user=None) -> int | None:
    """The threshold for `user` (None: no suppression). Public pages pass no user (always k).

    Without an argument inside a request, the logged-in user is used."""
    if user is None and has_request_context():
        from flask_login import current_user

        user = current_user
    return None if sees_small_counts(user) else default_k()


def display(value: int | None, k: int | None) -> str:
    """Text for a possibly hidden count: "<5" for hidden (k=5), digits with thousands dots otherwise."""
    if value is None:
        return f"<{k or default_k()}"
    return f"{value:,}".replace(",", ".")


def note(k: int | None) -> str:
    """The explanation every suppressed table shows next to it."""
    if not k:
        return _("Ves las cifras completas, sin ocultar conteos pequeños, porque tu rol custodia los datos personales. No las publiques así.")
    return _("«<%(k)s» indica menos de %(k)s personas, o una cifra ocultada para que no se pueda calcular otra menor de %(k)s restando del total.", k=k)


# ------------------------------------------------------------------------------ one-way tables

def _one_way(values: list[int], k: int) -> tuple[set[int], bool]:
    """Indexes hidden and whether the total is hidden, for values shown with their total."""
    total = sum(values)
    if 0 < total < k:
        return {i for i, v in enumerate(values) if v}, True
    hidden = {i for i, v in enumerate(values) if 0 < v < k}
    while hidden:
        mass = sum(values[i] for i in hidden)
        zero_hidden = any(values[i] == 0 for i in hidden)
        only_ones = not zero_hidden and mass == len(hidden)
        if len(hidden) >= 2 and mass >= k and not only_ones:
            break
        visible = [i for i in range(len(values)) if i not in hidden]
        nonzero = [i for i in visible if values[i]]
        if nonzero:
            hidden.add(min(nonzero, key=lambda i: (values[i], i)))
        elif visible:
            hidden.add(visible[0])  # e.g. five people in five categories: a zero must hide too
        else:
            return hidden, True  # nothing left to hide but the total
    return hidden, False


def suppress_counts(counts: Mapping[K, int], k: int | None) -> dict[K, int | None]:
    """Suppress a one-way table shown with its total (see the module docstring for the rule).

    Returns the same keys with hidden cells as None. Use `suppress_total()` for the total.
    k None or below 2: nothing is hidden (stewards)."""
    keys = list(counts)
    if not k or k < 2:
        return dict(counts)
    values = [int(counts[key]) for key in keys]
    hidden, _total_hidden = _one_way(values, k)
    return {key: (None if i in hidden else values[i]) for i, key in enumerate(keys)}


def suppress_total(counts: Mapping[K, int] | int, k: int | None) -> int | None:
    """The total shown with `suppress_counts(counts, k)`: hidden when under k (or, rarely, when
    every cell is a hidden 1 and no zero is left to hide). An int is checked against k only."""
    if not k or k < 2:
        return counts if isinstance(counts, int) else sum(counts.values())
    if isinstance(counts, int):
        return None if 0 < counts < k else counts
    values = [int(v) for v in counts.values()]
    return None if _one_way(values, k)[1] else sum(values)


# ------------------------------------------------------------------------------ two-way tables

@dataclass
class Table:
    """A suppressed two-way table: inner cells, row totals, column totals and grand total."""

    rows: list
    cols: list
    cells: dict
    row_totals: dict
    col_totals: dict
    total: int | None

    def cell(self, r, c):
        return self.cells.get((r, c), 0)


def suppress_table_full(cells: Mapping[tuple[R, C], int], k: int | None,
                        rows: Iterable[R] | None = None, cols: Iterable[C] | None = None) -> Table:
    """Suppress a two-way table shown with its row, column and grand totals.

    `rows` / `cols` fix the order and add categories with no cell (zeros); by default they come
    from the keys in first-seen order. See the module docstring for the rule."""
    row_keys = list(dict.fromkeys([*(rows or []), *(r for r, _c in cells)]))
    col_keys = list(dict.fromkeys([*(cols or []), *(c for _r, c in cells)]))
    nr, nc = len(row_keys), len(col_keys)
    ri = {r: i for i, r in enumerate(row_keys)}
    ci = {c: j for j, c in enumerate(col_keys)}
    grid = [[0] * nc for _ in range(nr)]
    for (r, c), n in cells.items():
        grid[ri[r]][ci[c]] += int(n)
    row_sum = [sum(line) for line in grid]
    col_sum = [sum(grid[i][j] for i in range(nr)) for j in range(nc)]
    grand = sum(row_sum)

    def result(hidden: set[tuple[int, int]], row_hidden: set[int], col_hidden: set[int], grand_hidden: bool) -> Table:
        return Table(
            rows=row_keys, cols=col_keys,
            cells={(r, c): (None if (i, j) in hidden else grid[i][j]) for r, i in ri.items() for c, j in ci.items()},
            row_totals={r: (None if i in row_hidden else row_sum[i]) for r, i in ri.items()},
            col_totals={c: (None if j in col_hidden else col_sum[j]) for c, j in ci.items()},
            total=None if grand_hidden else grand,
        )

    if not k or k < 2 or not nr or not nc:
        return result(set(), set(), set(), False)
    row_hidden, grand_hidden = _one_way(row_sum, k)
    col_hidden, col_grand_hidden = _one_way(col_sum, k)
    if grand_hidden or col_grand_hidden:
        row_hidden |= {i for i, v in enumerate(row_sum) if v}
        col_hidden |= {j for j, v in enumerate(col_sum) if v}
        return result({(i, j) for i in range(nr) for j in range(nc) if grid[i][j]}, row_hidden, col_hidden, True)
    if nc == 1 or nr == 1:
        # A single row or column: its cells are the other margin, already protected.
        hidden = {(i, 0) for i in row_hidden} if nc == 1 else {(0, j) for j in col_hidden}
        return result(hidden, row_hidden, col_hidden, False)

    hidden = {(i, j) for i in range(nr) for j in range(nc) if 0 < grid[i][j] < k}
    zero_hidden = any(row_sum[i] == 0 for i in row_hidden) or any(col_sum[j] == 0 for j in col_hidden)

    def line_cells(axis: str, index: int) -> list[tuple[int, int]]:
        return [(index, j) for j in range(nc)] if axis == "row" else [(i, index) for i in range(nr)]

    def hide_one_in(line: list[tuple[int, int]]) -> bool:
        nonlocal zero_hidden
        visible = [(grid[i][j], pos, (i, j)) for pos, (i, j) in enumerate(line) if (i, j) not in hidden]
        nonzero = [v for v in visible if v[0]]
        pick = min(nonzero or visible, default=None)
        if pick is None:
            return False
        hidden.add(pick[2])
        zero_hidden = zero_hidden or pick[0] == 0
        return True

    def groups() -> list[list[tuple[int, int]]]:
        """Sets of inner cells whose sum the reader knows: each row or column with a shown
        total, and the rows (columns) with hidden totals together (grand total minus the
        shown row totals)."""
        out = [line_cells("row", i) for i in range(nr) if i not in row_hidden]
        out += [line_cells("col", j) for j in range(nc) if j not in col_hidden]
        if row_hidden:
            out.append([p for i in sorted(row_hidden) for p in line_cells("row", i)])
        if col_hidden:
            out.append([p for j in sorted(col_hidden) for p in line_cells("col", j)])
        return out

    def fix_lines() -> bool:
        changed = False
        for line in groups():
            while True:
                inside = [p for p in line if p in hidden]
                if not inside:
                    break
                mass = sum(grid[i][j] for i, j in inside)
                only_ones = not zero_hidden and mass == len(inside)
                if len(inside) >= 2 and mass >= k and not only_ones:
                    break
                if not hide_one_in(line):
                    break
                changed = True
        return changed

    def pinned() -> list[tuple[str, int, int]]:
        """Hidden values the reader can pin to one value (see `_pinned`)."""
        lower = 0 if zero_hidden else 1
        entries = [("cell", i, j, grid[i][j], +1, i, nr + 1 + j) for i, j in sorted(hidden)]
        entries += [("row", i, -1, row_sum[i], -1, i, nr + nc + 1) for i in sorted(row_hidden)]
        entries += [("col", -1, j, col_sum[j], -1, nr, nr + 1 + j) for j in sorted(col_hidden)]
        return [e[:3] for e in _pinned(entries, nr + nc + 2, lower)]

    def widen(kind: str, i: int, j: int) -> bool:
        if kind in ("cell", "row") and hide_one_in(line_cells("row", i)):
            return True
        if kind in ("cell", "col") and hide_one_in(line_cells("col", j)):
            return True
        for axis, index in (("col", j), ("row", i)):
            if index >= 0 and hide_one_in(line_cells(axis, index)):
                return True
        return any(hide_one_in(line_cells("row", ii)) for ii in range(nr))

    while True:
        changed = fix_lines()
        stuck = pinned()
        if not stuck:
            if not changed:
                break
            continue
        if not any([widen(*entry) for entry in stuck[:1]]):
            # Everything is already hidden and a value is still pinned: show no number at all.
            every = {(i, j) for i in range(nr) for j in range(nc) if grid[i][j]}
            return result(every, row_hidden | {i for i, v in enumerate(row_sum) if v},
                          col_hidden | {j for j, v in enumerate(col_sum) if v}, True)
    return result(hidden, row_hidden, col_hidden, False)


def _pinned(entries: list[tuple], n_nodes: int, lower: int) -> list[tuple]:
    """Entries (kind, i, j, value, sign, row_node, col_node) whose value is pinned.

    The table with its totals moved inside (a total counted with a minus sign) has every line
    adding up to zero, so the tables a reader cannot tell apart differ by alternating cycles
    of hidden values: +1, -1, +1, -1 around rows and columns. A hidden value can take another
    value exactly when some such cycle through it keeps every hidden value at least `lower`
    (a cycle only lowers values it can lower). We look for one with a breadth-first search in
    the graph of allowed moves; every value on a cycle found is free too."""
    out: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    arcs = []
    for index, (_k, _i, _j, value, sign, a, b) in enumerate(entries):
        forward = sign > 0 or value > lower  # row node -> column node: value + sign
        backward = sign < 0 or value > lower  # column node -> row node: value - sign
        if forward:
            out[a].append((b, index))
        if backward:
            out[b].append((a, index))
        arcs.append(((a, b) if forward else None, (b, a) if backward else None))
    free = [False] * len(entries)
    for index, pair in enumerate(arcs):
        if free[index]:
            continue
        for arc in pair:
            if arc is None:
                continue
            start, goal = arc[1], arc[0]
            parent = {start: None}
            queue = [start]
            while queue and goal not in parent:
                nxt_queue = []
                for node in queue:
                    for nxt, edge in out[node]:
                        if edge != index and nxt not in parent:
                            parent[nxt] = (node, edge)
                            nxt_queue.append(nxt)
                queue = nxt_queue
            if goal in parent:
                free[index] = True
                node = goal
                while parent[node] is not None:
                    node, edge = parent[node]
                    free[edge] = True
                break
    return [entry for index, entry in enumerate(entries) if not free[index]]


def suppress_table(cells: Mapping[tuple[R, C], int], k: int | None,
                   rows: Iterable[R] | None = None, cols: Iterable[C] | None = None) -> dict[tuple[R, C], int | None]:
    """Suppress the inner cells of a two-way table shown with its totals; get the totals with
    `margins()` (same arguments, same result) or everything at once with `suppress_table_full()`."""
    return suppress_table_full(cells, k, rows, cols).cells


def margins(cells: Mapping[tuple[R, C], int], k: int | None, rows: Iterable[R] | None = None,
            cols: Iterable[C] | None = None) -> tuple[dict[R, int | None], dict[C, int | None], int | None]:
    """(row totals, column totals, grand total) of `suppress_table`, hidden ones as None."""
    table = suppress_table_full(cells, k, rows, cols)
    return table.row_totals, table.col_totals, table.total
