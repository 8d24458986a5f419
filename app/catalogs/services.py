"""Catalog rules: loading shipped data idempotently, reading options, and admin edits."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from flask import current_app, g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, selectinload

from app.catalogs.models import CATALOG_MODELS, LISTS, CatalogEntry, Office, Territory
from app.core import audit
from app.core.cache import SharedCache
from app.core.i18n import label, selected_language
from app.core.ordering import move_among
from app.extensions import db

DATA = Path(__file__).parent / "data"
ENTITIES = ("medellin", "cartago")


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
    if entity not in ENTITIES:
        raise CatalogError(f"Unknown entity {entity!r}; choose one of {', '.join(ENTITIES)}")
    common = json.loads((DATA / "common.json").read_text(encoding="utf-8"))
    data = json.loads((DATA / f"{entity}.json").read_text(encoding="utf-8"))
    counts = {"options": 0, "territories": 0, "offices": 0}

    existing = {(e.list_key, e.code): e for e in db.session.scalars(select(CatalogEntry))}
    for list_key, entries in common["lists"].items():
        for position, item in enumerate(entries):
            entry = existing.get((list_key, item["code"]))
            if entry is None:
                entry = CatalogEntry(list_key=list_key, code=item["code"])
                db.session.add(entry)
            if not entry.customized:
                entry.label_es, entry.label_en, entry.position = item["es"], item.get("en", ""), position
            entry.extra = item.get("extra", {})
            counts["options"] += 1

    territories = {t.code: t for t in db.session.scalars(select(Territory))}
    parents_by_code: dict[str, Territory] = {}
    for position, item in enumerate(data["territories"]):
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
        counts["territories"] += 1

    offices = {o.code: o for o in db.session.scalars(select(Office))}
    for position, item in enumerate(data["offices"]):
        office = offices.get(item["code"])
        if office is None:
            office = Office(code=item["code"])
            db.session.add(office)
        if not office.customized:
            office.name, office.acronym, office.position = item["name"], item.get("acronym", ""), position
        counts["offices"] += 1
    db.session.commit()
    return counts


def entity_draft_note(entity: str) -> str | None:
    data = json.loads((DATA / f"{entity}.json").read_text(encoding="utf-8"))
    return data.get("draft_note") if data.get("draft") else None


# ---------------------------------------------------------------------------- reading


def _memo(key, build):
    """Per-request memo for catalog reads (a citizen form reads a dozen lists). Any commit clears
    it (see the listener below), so a change is seen at once."""
    if not has_app_context():
        return build()
    cache = g.setdefault("catalog_memo", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


# Process-wide cache of what forms render (plain tuples per language, never ORM objects).
# A catalog change committed in this process clears it at once; other workers and hosts see it
# within SHARED_TTL seconds.
SHARED_TTL = 30.0
_shared = SharedCache("catalogs", CATALOG_MODELS, SHARED_TTL)


def cached(key, build):
    """Process-wide cache for values derived from catalogs (plain data only, never ORM objects)."""
    return _shared.get(key, build)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_memo(_session):
    if has_app_context():
        g.pop("catalog_memo", None)


def options(list_key: str, *, include_inactive: bool = False) -> list[CatalogEntry]:
    def build():
        stmt = select(CatalogEntry).where(CatalogEntry.list_key == list_key)
        if not include_inactive:
            stmt = stmt.where(CatalogEntry.active.is_(True))
        return list(db.session.scalars(stmt.order_by(CatalogEntry.position, CatalogEntry.id)))

    return _memo(("options", list_key, include_inactive), build)


def choices(list_key: str, *, blank: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a select or radio field, in the current language."""
    out = cached(
        ("choices", list_key, selected_language()), lambda: [(e.code, label(e)) for e in options(list_key)]
    )
    return ([("", blank)] + out) if blank is not None else list(out)


def labels(list_key: str) -> dict[str, str]:
    """code -> label (current language), inactive entries included (old data still reads)."""
    return {e.code: label(e) for e in options(list_key, include_inactive=True)}


def top_territories(*, include_inactive: bool = False) -> list[Territory]:
    def build():
        stmt = (
            select(Territory).where(Territory.parent_id.is_(None)).options(selectinload(Territory.children))
        )
        if not include_inactive:
            stmt = stmt.where(Territory.active.is_(True))
        return list(db.session.scalars(stmt.order_by(Territory.zone.desc(), Territory.position)))

    return _memo(("territories", include_inactive), build)


def territory_choices(*, blank: str | None = None) -> list[tuple[str, str]]:
    """Comunas and corregimientos, e.g. ('01', 'Comuna 01 – Popular')."""

    def build():
        out = []
        for t in top_territories():
            kind = _("Comuna") if t.kind == "comuna" else _("Corregimiento")
            out.append((t.code, f"{kind} {t.code} – {t.name}"))
        return out

    out = cached(("territory_choices", selected_language()), build)
    return ([("", blank)] + out) if blank is not None else list(out)


def subterritory_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Barrios/veredas grouped by their comuna/corregimiento, for an <optgroup> select that
    narrows the choice without JavaScript."""

    def build():
        groups = []
        for parent in top_territories():
            kids = [(c.code, c.name) for c in parent.children if c.active]
            if kids:
                groups.append((parent.name, kids))
        return groups

    return cached(("subterritory_groups",), build)


def subterritory_tree() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """comuna/corregimiento code -> (its name, [(barrio/vereda code, name)]), for the territory
    asked in two moves: comuna first, then only its barrios or veredas."""

    def build():
        return {
            parent.code: (parent.name, [(c.code, c.name) for c in parent.children if c.active])
            for parent in top_territories()
        }

    return cached(("subterritory_tree",), build)


def subterritory_codes() -> frozenset[str]:
    """Codes of every active barrio and vereda (what a form accepts)."""
    return cached(
        ("subterritory_codes",),
        lambda: frozenset(code for _group, items in subterritory_groups() for code, _name in items),
    )


def territory_parents() -> dict[str, str]:
    """barrio/vereda code -> its comuna/corregimiento code, inactive entries included (a profile
    stores both levels, and the upper one must always be the parent of the lower one)."""

    def build():
        parent = Territory.__table__.alias("parent")
        child = Territory.__table__
        stmt = select(child.c.code, parent.c.code).join(parent, parent.c.id == child.c.parent_id)
        return {code: parent_code for code, parent_code in db.session.execute(stmt)}

    return cached(("territory_parents",), build)


def territory_names() -> dict[str, str]:
    return {t.code: t.name for t in db.session.scalars(select(Territory))}


def offices(*, include_inactive: bool = False) -> list[Office]:
    stmt = select(Office)
    if not include_inactive:
        stmt = stmt.where(Office.active.is_(True))
    return list(db.session.scalars(stmt.order_by(Office.position, Office.name)))


def office_choices(*, blank: str | None = None) -> list[tuple[str, str]]:
    out = [(o.code, o.name) for o in offices()]
    return ([("", blank)] + out) if blank is not None else out


# ---------------------------------------------------------------------------- usage and edits

# Capabilities register checkers: (kind, list_key, code) -> number of records using the entry.
# kind is "option", "territory" or "office"; list_key is None for territories and offices.
UsageChecker = Callable[[str, str | None, str], int]


def usage_checkers() -> list[UsageChecker]:
    return current_app.extensions.setdefault("participa_catalog_usage", [])


def register_usage_checker(app, checker: UsageChecker) -> None:
    app.extensions.setdefault("participa_catalog_usage", []).append(checker)


def usage(kind: str, list_key: str | None, code: str) -> int:
    return sum(check(kind, list_key, code) for check in usage_checkers())


MODELS = {"option": CatalogEntry, "territory": Territory, "office": Office}


def get_entry(kind: str, entry_id: int):
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
