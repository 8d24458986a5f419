"""Catalog reads: the option lists, territories and offices that forms, pages and exports show.

Two kinds of reads live here:

- rows (`options`, `top_territories`, `offices`): ORM rows for pages that need their
  relationships (a territory's children), remembered for the current request only (a citizen
  form reads a dozen lists) and forgotten on any commit, so a change is seen at once;
- what forms render (`choices`, `territory_choices`, `subterritory_*`, `territory_parents`):
  plain tuples, lists and dicts from `cached_query` functions, shared by the requests of a worker
  process. A catalog change clears them at once in this process and, with Redis, in every other;
  without Redis other workers see it within `SHARED_TTL` seconds.
"""

from __future__ import annotations

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

from app.catalogs.models import CATALOG_MODELS, CatalogEntry, Office, Territory
from app.core.cache import cached_query
from app.core.i18n import label, selected_language
from app.extensions import db

SHARED_TTL = 30.0  # seconds another worker may show a catalog change late, without Redis

# ---------------------------------------------------------------------------- rows (per request)


def _memo(key, build):
    """Per-request memo for catalog rows. Any commit or rollback clears it (see the listener
    below), so a change is seen at once."""
    if not has_app_context():
        return build()
    cache = g.setdefault("catalog_memo", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


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


# ---------------------------------------------------------------------------- what forms render (shared)


def choices(list_key: str, *, blank: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for a select or radio field, in the current language."""
    out = list(_choices(list_key, selected_language()))
    return ([("", blank)] + out) if blank is not None else out


@cached_query(*CATALOG_MODELS, ttl=SHARED_TTL)
def _choices(list_key: str, lang: str) -> tuple[tuple[str, str], ...]:
    return tuple((e.code, label(e, lang)) for e in options(list_key))


def territory_choices(*, blank: str | None = None) -> list[tuple[str, str]]:
    """Comunas and corregimientos, e.g. ('01', 'Comuna 01 – Popular')."""
    out = list(_territory_choices(selected_language()))
    return ([("", blank)] + out) if blank is not None else out


@cached_query(*CATALOG_MODELS, ttl=SHARED_TTL)
def _territory_choices(lang: str) -> tuple[tuple[str, str], ...]:
    """`lang` keys the cache: the kind ("Comuna") is translated."""
    out = []
    for t in top_territories():
        kind = _("Comuna") if t.kind == "comuna" else _("Corregimiento")
        out.append((t.code, f"{kind} {t.code} – {t.name}"))
    return tuple(out)


@cached_query(*CATALOG_MODELS, ttl=SHARED_TTL)
def subterritory_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Barrios/veredas grouped by their comuna/corregimiento, for an <optgroup> select that
    narrows the choice without JavaScript."""
    groups = []
    for parent in top_territories():
        kids = [(c.code, c.name) for c in parent.children if c.active]
        if kids:
            groups.append((parent.name, kids))
    return groups


@cached_query(*CATALOG_MODELS, ttl=SHARED_TTL)
def subterritory_tree() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """comuna/corregimiento code -> (its name, [(barrio/vereda code, name)]), for the territory
    asked in two moves: comuna first, then only its barrios or veredas."""
    return {
        parent.code: (parent.name, [(c.code, c.name) for c in parent.children if c.active])
        for parent in top_territories()
    }


@cached_query(*CATALOG_MODELS, ttl=SHARED_TTL)
def subterritory_codes() -> frozenset[str]:
    """Codes of every active barrio and vereda (what a form accepts)."""
    return frozenset(code for _group, items in subterritory_groups() for code, _name in items)


@cached_query(*CATALOG_MODELS, ttl=SHARED_TTL)
def territory_parents() -> dict[str, str]:
    """barrio/vereda code -> its comuna/corregimiento code, inactive entries included (a profile
    stores both levels, and the upper one must always be the parent of the lower one)."""
    parent = Territory.__table__.alias("parent")
    child = Territory.__table__
    stmt = select(child.c.code, parent.c.code).join(parent, parent.c.id == child.c.parent_id)
    return {code: parent_code for code, parent_code in db.session.execute(stmt)}
