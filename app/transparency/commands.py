"""Changes of the transparency section: staff add, change and delete items. One transaction
each, audited; a refusal raises `ItemError` naming the field it is about."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import audit
from app.extensions import db
from app.transparency.models import TransparencyItem
from app.transparency.rules import SECTION_KEYS, URL_RE


class ItemError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ItemData:
    """A document or link for one subsection (`rules.SECTIONS` key)."""

    section: str
    title: str
    url: str
    text: str = ""


def save_item(item: TransparencyItem | None, data: ItemData, *, actor=None) -> TransparencyItem:
    """Add an item (`item` None) or change one."""
    if data.section not in SECTION_KEYS:
        raise ItemError(_("Elige una subsección."), "section")
    if not URL_RE.match(data.url):
        raise ItemError(
            _("Escribe un enlace web (https://…) o una dirección del portal que empiece por /."), "url"
        )
    creating = item is None
    if creating:
        item = TransparencyItem(
            position=(db.session.scalar(select(func.max(TransparencyItem.position))) or 0) + 1
        )
        db.session.add(item)
    item.section, item.title, item.url, item.text = data.section, data.title, data.url, data.text
    item.updated_by = getattr(actor, "email", "") or ""
    db.session.flush()
    audit.record(
        "transparency_item_saved",
        target=f"transparency_item:{item.id}",
        details={"section": item.section, "change": "added" if creating else "changed"},
        actor=actor,
        commit=False,
    )
    db.session.commit()
    return item


def delete_item(item: TransparencyItem, *, actor=None) -> None:
    audit.record(
        "transparency_item_deleted",
        target=f"transparency_item:{item.id}",
        details={"section": item.section, "title": item.title},
        actor=actor,
        commit=False,
    )
    db.session.delete(item)
    db.session.commit()
