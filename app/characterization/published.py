"""The one door through which published documents (the accountability report, open data) get
figures about people: counts protected against small-count disclosure.

Today it applies `app.characterization.suppression` with the default k; when the protection layer
changes, only these functions change. Callers never see a raw count below k.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from app.characterization import suppression

K = TypeVar("K")


def threshold() -> int:
    """The k in force for published figures."""
    return suppression.default_k()


def protect_counts(counts: Mapping[K, int]) -> tuple[dict[K, int | None], int | None]:
    """A one-way breakdown with its total, protected: (cells, total); hidden values are None."""
    k = threshold()
    return suppression.suppress_counts(counts, k), suppression.suppress_total(counts, k)


def protect_total(n: int) -> int | None:
    """A lone count of people (None when it could point at someone)."""
    return suppression.suppress_total(int(n), threshold())


def text(value: int | None) -> str:
    """A protected count as text ("<5" when hidden)."""
    return suppression.display(value, threshold())


def note() -> str:
    """The sentence every protected table carries."""
    return suppression.note(threshold())
