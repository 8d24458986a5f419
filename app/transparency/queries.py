"""Reads of the transparency section: the six subsections with what every capability publishes
in them, and the items staff added."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from app.core import registry
from app.extensions import db
from app.transparency.models import TransparencyItem
from app.transparency.rules import SECTIONS


@dataclass
class Section:
    key: str
    title: str
    text: str
    items: list[dict] = field(default_factory=list)


def sections() -> list[Section]:
    """Each subsection with the items every capability publishes in it, in hook order.

    A capability whose hook fails is logged and left out, so one fault never hides what the
    others publish.
    """
    hooks = registry.get().hooks.get("transparency_items", [])
    out = []
    for key, title, text in SECTIONS:
        items: list[dict] = []
        for hook in hooks:
            try:
                result = hook(key) or []
            except Exception:  # noqa: BLE001 - one capability's fault must not hide the page
                current_app.logger.exception("transparency_items hook %r failed for %s", hook, key)
                continue
            items.extend(i for i in result if i and i.get("title") and i.get("url"))
        out.append(Section(key, str(title), str(text), items))
    return out


def items(section: str | None = None) -> list[TransparencyItem]:
    """The items staff added (all sections, or one), in the order the page lists them."""
    stmt = select(TransparencyItem).order_by(
        TransparencyItem.section, TransparencyItem.position, TransparencyItem.id
    )
    if section:
        stmt = stmt.where(TransparencyItem.section == section)
    return list(db.session.scalars(stmt))


def section_titles() -> dict[str, str]:
    return {key: str(title) for key, title, _text in SECTIONS}
