"""Catalog changes: loading the shipped files idempotently, and admins' edits (add, rename,
(de)activate, confirm, reorder, delete when unused). Plain values in, one transaction each, every
edit audited as `catalog_changed`; a refusal raises CatalogError with a translated message."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.catalogs import files
from app.catalogs.models import LISTS, CatalogEntry, Office, Territory
from app.catalogs.usage import usage
from app.core import audit
from app.core.ordering import move_among
from app.extensions import db

MODELS = {"option": CatalogEntry, "territory": Territory, "office": Office}


class CatalogError(ValueError):
    """A catalog change that cannot be made (the message is shown to the admin)."""


# ---------------------------------------------------------------------------- loading


def load(entity: str) -> dict[str, int]:
    """Load the common option lists and one entity's territories and offices.

    Idempotent: entries are matched by code and updated in place (labels, order, extras), never
    duplicated; entries an admin customised in the UI keep the admin's labels, order and
    confirmation; entries missing from the file are left alone (data may use them). Barrios and
    veredas name their comuna or corregimiento in "parent" (its code). Returns counts per kind.
    """
    if entity not in files.ENTITIES:
        raise CatalogError(f"Unknown entity {entity!r}; choose one of {', '.join(files.ENTITIES)}")
    data = files.read(entity)
    counts = {
        "options": _load_options(files.read("common")["lists"]),
        "territories": _load_territories(data["territories"]),
        "offices": _load_offices(data["offices"]),
    }
    db.session.commit()
    return counts


def _load_options(lists: dict[str, list[dict]]) -> int:
    count = 0
    existing = {(e.list_key, e.code): e for e in db.session.scalars(select(CatalogEntry))}
    for list_key, entries in lists.items():
        for position, item in enumerate(entries):
            entry = existing.get((list_key, item["code"]))
            if entry is None:
                entry = CatalogEntry(list_key=list_key, code=item["code"])
                db.session.add(entry)
            if not entry.customized:
                entry.label_es, entry.label_en, entry.position = item["es"], item.get("en", ""), position
            entry.extra = item.get("extra", {})
            count += 1
    return count


def _load_territories(items: list[dict]) -> int:
    count = 0
    territories = {t.code: t for t in db.session.scalars(select(Territory))}
    parents_by_code: dict[str, Territory] = {}
    for position, item in enumerate(items):
        terr = territories.get(item["code"])
        if terr is None:
            terr = Territory(code=item["code"])
            db.session.add(terr)
        terr.kind, terr.zone = item["kind"], item["zone"]
        terr.subregion = item.get("subregion", "")
        if not terr.customized:
            terr.name, terr.position = item["name"], position
            terr.confirmed = bool(item.get("confirmed", True))
            if "active" in item:
                terr.active = bool(item["active"])
        if item.get("parent"):
            parent = parents_by_code.get(item["parent"]) or territories.get(item["parent"])
            if parent is None:
                db.session.rollback()
                raise CatalogError(
                    f"Territory {item['code']}: parent {item['parent']!r} is not in the file "
                    "(list comunas and corregimientos before their barrios and veredas)"
                )
            terr.parent = parent
        parents_by_code[terr.code] = terr
        count += 1
    return count


def _load_offices(items: list[dict]) -> int:
    count = 0
    offices = {o.code: o for o in db.session.scalars(select(Office))}
    for position, item in enumerate(items):
        office = offices.get(item["code"])
        if office is None:
            office = Office(code=item["code"])
            db.session.add(office)
        if not office.customized:
            office.name, office.acronym, office.position = item["name"], item.get("acronym", ""), position
        count += 1
    return count


# ---------------------------------------------------------------------------- admins' edits


def get_entry(kind: str, entry_id: int):
    """The entry an edit is about (CatalogError if there is none)."""
    model = MODELS.get(kind)
    entry = db.session.get(model, entry_id) if model else None
    if entry is None:
        raise CatalogError(_("No existe esa entrada del catálogo."))
    return entry


def add_option(list_key: str, code: str, label_es: str, label_en: str = "") -> CatalogEntry:
    if list_key not in LISTS:
        raise CatalogError(_("Esa lista no existe."))
    if db.session.scalar(
        select(CatalogEntry).where(CatalogEntry.list_key == list_key, CatalogEntry.code == code)
    ):
        raise CatalogError(_("Ya existe una opción con ese código en esta lista."))
    position = (
        db.session.scalar(select(func.max(CatalogEntry.position)).where(CatalogEntry.list_key == list_key))
        or 0
    ) + 1
    entry = CatalogEntry(
        list_key=list_key,
        code=code,
        label_es=label_es,
        label_en=label_en or label_es,
        position=position,
        customized=True,
    )
    db.session.add(entry)
    audit.record(
        "catalog_changed", target=f"option:{list_key}:{code}", details={"change": "added"}, commit=False
    )
    db.session.commit()
    return entry


def add_territory(code: str, name: str, kind: str, parent_code: str | None = None) -> Territory:
    if db.session.scalar(select(Territory).where(Territory.code == code)):
        raise CatalogError(_("Ya existe un territorio con ese código."))
    parent = (
        db.session.scalar(select(Territory).where(Territory.code == parent_code)) if parent_code else None
    )
    if kind in ("barrio", "vereda") and parent is None:
        raise CatalogError(_("Un barrio o vereda necesita su comuna o corregimiento."))
    zone = parent.zone if parent else ("rural" if kind in ("corregimiento", "vereda") else "urbana")
    position = (db.session.scalar(select(func.max(Territory.position))) or 0) + 1
    terr = Territory(
        code=code, name=name, kind=kind, zone=zone, parent=parent, position=position, customized=True
    )
    db.session.add(terr)
    audit.record("catalog_changed", target=f"territory:{code}", details={"change": "added"}, commit=False)
    db.session.commit()
    return terr


def add_office(code: str, name: str, acronym: str = "") -> Office:
    if db.session.scalar(select(Office).where(Office.code == code)):
        raise CatalogError(_("Ya existe una dependencia con ese código."))
    position = (db.session.scalar(select(func.max(Office.position))) or 0) + 1
    office = Office(code=code, name=name, acronym=acronym, position=position, customized=True)
    db.session.add(office)
    audit.record("catalog_changed", target=f"office:{code}", details={"change": "added"}, commit=False)
    db.session.commit()
    return office


def rename(kind: str, entry_id: int, label_es: str, label_en: str = "") -> None:
    entry = get_entry(kind, entry_id)
    if kind == "option":
        entry.label_es, entry.label_en = label_es, label_en or entry.label_en
    else:
        entry.name = label_es
    entry.customized = True
    audit.record(
        "catalog_changed",
        target=f"{kind}:{entry.code}",
        details={"change": "renamed", "to": label_es},
        commit=False,
    )
    db.session.commit()


def set_active(kind: str, entry_id: int, active: bool) -> None:
    entry = get_entry(kind, entry_id)
    entry.active, entry.customized = active, True
    audit.record(
        "catalog_changed",
        target=f"{kind}:{entry.code}",
        details={"change": "activated" if active else "deactivated"},
        commit=False,
    )
    db.session.commit()


def confirm_territory(entry_id: int) -> None:
    """Mark a draft territory (e.g. from Cartago's unconfirmed list) as confirmed by the entity."""
    entry = get_entry("territory", entry_id)
    entry.confirmed, entry.customized = True, True
    audit.record(
        "catalog_changed", target=f"territory:{entry.code}", details={"change": "confirmed"}, commit=False
    )
    db.session.commit()


def move(kind: str, entry_id: int, direction: int) -> None:
    """Move an entry one place up (-1) or down (+1) among its siblings."""
    entry = get_entry(kind, entry_id)
    model = MODELS[kind]
    stmt = select(model)
    if kind == "option":
        stmt = stmt.where(model.list_key == entry.list_key)
    elif kind == "territory":
        stmt = stmt.where(
            model.parent_id.is_(None) if entry.parent_id is None else model.parent_id == entry.parent_id
        )
    siblings = list(db.session.scalars(stmt.order_by(model.position, model.id)))
    if move_among(siblings, entry, direction):
        entry.customized = True
        db.session.commit()


def delete(kind: str, entry_id: int) -> None:
    """Hard-delete an entry nobody uses. An entry that data uses can only be deactivated."""
    entry = get_entry(kind, entry_id)
    list_key = getattr(entry, "list_key", None)
    used = usage(kind, list_key, entry.code)
    if kind == "territory" and entry.children:
        used += len(entry.children)
    if used:
        raise CatalogError(
            _(
                "Esta entrada está en uso (%(n)s registros); no se puede borrar. Desactívala para que no "
                "aparezca en formularios nuevos.",
                n=used,
            )
        )
    audit.record(
        "catalog_changed", target=f"{kind}:{entry.code}", details={"change": "deleted"}, commit=False
    )
    db.session.delete(entry)
    db.session.commit()
