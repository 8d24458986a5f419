"""Process-wide, short-lived caches for the hot reads of public pages.

At a venue, hundreds of phones open the same sign-in link within minutes; each request would
otherwise read the same event, catalogs and survey list again. A `SharedCache` keeps plain data
(never an ORM object bound to a session) per worker process for `ttl` seconds:

- a change committed in this process to one of the cache's `models` clears it at once, so the
  person who made the change sees it on their next page;
- other workers and hosts see the change within `ttl` seconds (their copy simply expires).

Only values that may be a few seconds old without harm belong here (an event's title and sign-in
window, catalog labels, which surveys an event has), never counts or anything a person wrote.
`revive()` turns cached column values back into a persistent instance of the current session
without a query, for code that expects the ORM object; `snapshot()` into a detached one, for code
that only reads columns.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from time import monotonic
from typing import Any, TypeVar

from flask import request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state

from app.core.i18n import selected_language
from app.extensions import db

T = TypeVar("T")
_CACHES: list[SharedCache] = []
MAX_KEYS = 2000  # a cache never grows without bound (hostile keys): it starts over instead


class SharedCache:
    """A per-process TTL cache cleared when this process commits a change to one of `models`."""

    def __init__(self, name: str, models: tuple[type, ...], ttl: float):
        self.name, self.models, self.ttl = name, models, ttl
        self._data: dict[Hashable, tuple[float, Any]] = {}
        _CACHES.append(self)

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        hit = self._data.get(key)
        now = monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        value = build()
        if len(self._data) >= MAX_KEYS:
            self._data.clear()
        self._data[key] = (now + self.ttl, value)
        return value

    def clear(self) -> None:
        self._data.clear()


def clear_all() -> None:
    """Forget every cache (tests that write with plain SQL, bypassing the ORM events below)."""
    for cache in _CACHES:
        cache.clear()


def columns(instance) -> dict[str, Any]:
    """The column values of a loaded instance (what `revive` needs), as plain data."""
    return {attr.key: getattr(instance, attr.key) for attr in inspect(type(instance)).column_attrs}


def snapshot(model: type[T], values: dict[str, Any]) -> T:
    """A detached `model` instance holding cached column values, without a query and outside any
    session: for pages that only read columns (the busiest sign-in form). Cheaper than `revive`;
    a relationship cannot load from it (DetachedInstanceError) and nothing set on it is saved."""
    instance = inspect(model).class_manager.new_instance()  # as the ORM does for a loaded row: no __init__
    instance_state(instance).dict.update(values)
    make_transient_to_detached(instance)
    return instance


def revive(model: type[T], values: dict[str, Any]) -> T:
    """A persistent `model` instance in the current session built from cached column values,
    without a query. Relationships still load on access as usual; an instance the session already
    holds is returned as it is."""
    session = db.session()
    mapper = inspect(model)
    identity = mapper.identity_key_from_primary_key([values[c.key] for c in mapper.primary_key])
    held = session.identity_map.get(identity)
    if held is not None:
        return held
    instance = snapshot(model, values)
    session.add(instance)
    return instance


def blank_form_page(cache: SharedCache, key: Hashable, render: Callable[[dict[str, str]], str], **values: str) -> str:
    """A blank form page that is the same for every anonymous visitor but for its CSRF token and
    the hidden values given (a form nonce...): rendered once per `key` (with the URL and language
    added) and kept in `cache`; each request fills in its own values.

    `render(marks)` renders the page with `marks["csrf"]` as the CSRF token and `marks[name]`
    for each value. Signed-in staff and visitors with messages waiting get a fresh render.
    """
    marks = {name: f"{name}-{_MARK}" for name in ("csrf", *values)}
    if current_user.is_authenticated or session.get("_flashes"):
        html = render(marks)
    else:
        html = cache.get((request.full_path, selected_language(), key), lambda: render(marks))
    html = html.replace(marks["csrf"], generate_csrf())
    for name, value in values.items():
        html = html.replace(marks[name], value)
    return html


_MARK = secrets.token_hex(8)  # per process: a visitor cannot plant a mark in what is rendered


@event.listens_for(Session, "before_flush")
def _note_changes(session, _flush_context, _instances):
    touched = (*session.new, *session.dirty, *session.deleted)
    for cache in _CACHES:
        if any(isinstance(obj, cache.models) for obj in touched):
            session.info.setdefault("caches_changed", set()).add(cache.name)


@event.listens_for(Session, "after_commit")
def _clear_changed(session):
    names = session.info.pop("caches_changed", ())
    for cache in _CACHES:
        if cache.name in names:
            cache.clear()


@event.listens_for(Session, "after_rollback")
def _forget_marks(session):
    session.info.pop("caches_changed", None)
