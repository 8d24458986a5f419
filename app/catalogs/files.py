"""The catalog files shipped with Participa: where they are and which entities they cover."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"
ENTITIES = ("medellin", "cartago")


def read(name: str) -> dict:
    """One shipped file (`common`, or an entity's name) as data."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def entity_draft_note(entity: str) -> str | None:
    """The note of an entity's catalog that is still a draft to confirm with the entity (or None)."""
    data = read(entity)
    return data.get("draft_note") if data.get("draft") else None
