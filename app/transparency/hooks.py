"""What other parts of Participa read from transparency (hooks)."""

from __future__ import annotations

from app.transparency import queries


def transparency_items(section: str) -> list[dict]:
    """The published items staff added to `section` (this package answers its own hook too)."""
    return [{"title": i.title, "url": i.url, "text": i.text} for i in queries.items(section) if i.published]
