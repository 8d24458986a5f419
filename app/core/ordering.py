"""Positions of things staff put in order (catalog entries, survey sections and questions)."""

from __future__ import annotations


def move_among(ordered: list, item, direction: int) -> bool:
    """Swap `item` with its neighbour in `ordered` (up: -1, down: +1) and renumber every
    `position` 0, 1, 2… Returns False, changing nothing, when it is already first or last."""
    i = ordered.index(item)
    j = i + direction
    if not 0 <= j < len(ordered):
        return False
    ordered[i], ordered[j] = ordered[j], ordered[i]
    for position, thing in enumerate(ordered):
        thing.position = position
    return True


def renumber(items) -> None:
    """Positions 0, 1, 2… in the current order (position, then id; new rows last)."""
    for position, thing in enumerate(sorted(items, key=lambda x: (x.position, x.id or 0))):
        thing.position = position
