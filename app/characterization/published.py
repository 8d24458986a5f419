"""The one door through which published documents (the accountability report, open data) get
figures about people: protected by the disclosure layer (`app.characterization.disclosure`,
cell-key method) for the public, whoever generates the document.

Counts computed from profile records carry their cell keys (`queries.totals(..., keyed=True)`);
counts kept pre-aggregated (tallies) are keyed by the cell's identity, so the same cell gets the
same figure in the report, in open data and on the public pages.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from app.characterization import disclosure

K = TypeVar("K", bound=Hashable)


def viewer() -> disclosure.Viewer:
    """Published documents are always protected, whoever generates them."""
    return disclosure.public()


def threshold() -> int:
    """The k in force for published figures."""
    return viewer().k


def protect_keyed(cells: Mapping[K, tuple[int, int]]) -> tuple[dict[K, int | None], int | None]:
    """{code: (count, cell key)} from profile records -> (protected cells, protected total)."""
    v = viewer()
    n, key = disclosure.total_of(cells)
    return disclosure.protect_table(cells, v), disclosure.protect(n, key, v)


def protect_one(cell: tuple[int, int]) -> int | None:
    """One (count, cell key) from profile records, e.g. a keyed total."""
    return disclosure.protect(cell[0], cell[1], viewer())


def protect_counts(counts: Mapping[K, int], *context) -> tuple[dict[K, int | None], int | None]:
    """A pre-aggregated one-way breakdown (`context` names the table) -> (cells, total)."""
    v = viewer()
    cells = {c: disclosure.protect_hashed(n, v, *context, c) for c, n in counts.items()}
    return cells, disclosure.protect_hashed(sum(counts.values()), v, *context, "total")


def protect_total(n: int, *context) -> int | None:
    """A lone pre-aggregated count of people (None when it could point at someone)."""
    return disclosure.protect_hashed(int(n), viewer(), *context, "total")


def text(value: int | None) -> str:
    """A protected figure as text (the marker when hidden)."""
    return disclosure.display(value)


def note() -> str:
    """The sentences every protected table carries."""
    v = viewer()
    return f"{disclosure.note(v)} {disclosure.legend(v)}"
