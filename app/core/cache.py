"""Process-wide, short-lived caches for the hot reads of public pages.

At a venue, hundreds of phones open the same sign-in link within minutes; each request would
otherwise read the same event, catalogs and survey list again. A `SharedCache` keeps plain data
(never an ORM object bound to a session) per worker process for `ttl` seconds:

- a change committed in this process to one of the cache's `models` clears it at once, so the
  person who made the change sees it on their next page;
- with Redis (PARTICIPA_REDIS_URL), every other worker and host sees it at once too: each cache
  has a generation number in Redis, raised after a commit that touched its models; a request
  reads all generation numbers in one MGET (the first time it uses a cache) and a process whose
  copy was built under an older number drops it. Bulk ORM statements (`session.execute(update(…))`)
  and `RowBatch` writes raise the numbers as well; other writes that bypass the session call
  `tables_changed()`. If Redis does not answer, the caches fall back to their `ttl`;
- without Redis, other workers and hosts see the change within `ttl` seconds (their copy expires).

Only values that may be a few seconds old without harm belong here (an event's title and sign-in
window, catalog labels, which surveys an event has), never counts or anything a person wrote.

The way to cache a read is the `cached_query` decorator on a function of a package's
`queries.py`: it declares the models the result depends on, keys the cache by the function's
arguments and refuses to keep an ORM instance (a `TypeError` the first time the function runs), so
a cached value can never be a stale object that a later `commit()` expires or a session loads.
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
from collections.abc import Callable, Hashable
from time import monotonic
from typing import Any, TypeVar

from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core import broker, i18n
from app.core.i18n import selected_language

T = TypeVar("T")
_CACHES: list[SharedCache] = []
MAX_KEYS = 2000  # a cache never grows without bound (hostile keys): it starts over instead


class SharedCache:
    """A per-process TTL cache cleared when this process commits a change to one of `models`."""

    def __init__(self, name: str, models: tuple[type, ...], ttl: float):
        self.name, self.models, self.ttl = name, models, ttl
        self.tables = frozenset(m.__table__.name for m in models)
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self._generation: int | None = None  # the Redis generation the local copy was built under
        _CACHES.append(self)

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        generations = _generations()
        if generations is not None:
            generation = generations.get(self.name, 0)
            if generation != self._generation:
                self._data.clear()
                self._generation = generation
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


def cached_query(*models: type, ttl: float = 5.0, name: str | None = None):
    """Cache what a query function returns, per process and per arguments (which must be
    hashable), for `ttl` seconds at most; a committed change to any of `models`, in any process
    when Redis is configured, drops it at once. The result must be plain data (dataclasses, tuples,
    lists, dicts, strings, numbers, dates): an ORM instance anywhere in it raises `TypeError`.

        @cached_query(Event, ttl=5.0)
        def sign_in_event(token: str) -> SignInEvent | None: ...

    `fn.cache` is the underlying `SharedCache` (tests clear it with `clear_all()`)."""

    def decorate(fn):
        cache = SharedCache(name or f"{fn.__module__}.{fn.__qualname__}", models, ttl)

        def build(args, kwargs):
            value = fn(*args, **kwargs)
            _refuse_orm(value, fn.__qualname__)
            return value

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            return cache.get(key, lambda: build(args, kwargs))

        wrapper.cache = cache
        return wrapper

    return decorate


def _refuse_orm(value, where: str, depth: int = 0) -> None:
    """Raise TypeError if `value` holds an ORM instance (looked for down to a few levels)."""
    if depth > 4 or value is None or isinstance(value, str | int | float | bool | bytes):
        return
    if hasattr(value, "_sa_instance_state"):
        raise TypeError(f"{where}: a cached query must return plain data, not {type(value).__name__}")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = (getattr(value, f.name) for f in dataclasses.fields(value))
    elif isinstance(value, dict):
        items = (*value.keys(), *value.values())
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    else:
        return
    for item in items:
        _refuse_orm(item, where, depth + 1)


def clear_all() -> None:
    """Forget every cache in this process (tests that write with plain SQL, bypassing the ORM
    events below). `changed_everything()` also tells the other processes."""
    for cache in _CACHES:
        cache.clear()


_GENS = "participa.cache_generations"  # per request (WSGI environ), never shared between requests


def _generations() -> dict[str, int] | None:
    """{cache name: generation} from Redis, read once per request (one MGET for every cache), or
    None without Redis (or when it does not answer: the caches' ttl applies)."""
    if not has_app_context():
        return None
    conn = broker.connection()
    if conn is None:
        return None
    in_request = has_request_context()
    if in_request and _GENS in request.environ:
        return request.environ[_GENS]
    try:
        values = conn.mget([broker.key("cache", c.name) for c in _CACHES])
        gens = {c.name: int(v) if v is not None else 0 for c, v in zip(_CACHES, values, strict=True)}
    except Exception as exc:  # noqa: BLE001 - Redis down: never fail a page for a cache
        current_app.logger.warning(
            "cache generations unavailable (%s): falling back to ttl", type(exc).__name__
        )
        gens = None
    if in_request:
        request.environ[_GENS] = gens
    return gens


def _bump(names) -> None:
    """Clear these caches here and raise their generations for every other process."""
    names = set(names)
    for cache in _CACHES:
        if cache.name in names:
            cache.clear()
    if not names or not has_app_context():
        return
    conn = broker.connection()
    if conn is None:
        return
    try:
        with conn.pipeline(transaction=False) as pipe:
            for name in sorted(names):
                pipe.incr(broker.key("cache", name))
            pipe.execute()
    except Exception as exc:  # noqa: BLE001
        current_app.logger.warning(
            "cache generations not raised (%s): others see the change within ttl", type(exc).__name__
        )
    if has_request_context():
        request.environ.pop(_GENS, None)


def tables_changed(tables) -> None:
    """A write that bypassed the ORM session (Core statements, RowBatch) changed these tables
    (names or Table objects) and is committed: clear the caches that depend on them everywhere."""
    names = {getattr(t, "name", t) for t in tables}
    _bump(c.name for c in _CACHES if c.tables & names)


def changed_everything() -> None:
    """After a restore or a bulk import: every cache, in every process."""
    _bump(c.name for c in _CACHES)


def blank_form_page(
    cache: SharedCache,
    key: Hashable,
    render: Callable[[dict[str, str]], str],
    *,
    csrf: bool = True,
    url: str | None = None,
    **values: str,
) -> str:
    """A blank form page that is the same for every anonymous visitor but for its CSRF token and
    the hidden values given (a form nonce...): rendered once per `key` (with the URL and language
    added) and kept in `cache`; each request fills in its own values.

    `render(marks)` renders the page with `marks["csrf"]` as the CSRF token and `marks[name]`
    for each value. Signed-in staff and visitors with messages waiting get a fresh render.
    `csrf=False` for a page with no form (no token is made). `url`: the address the page is
    rendered for and kept under (default: the request's path and query string); a page whose
    content does not depend on the query string passes its path, so that junk query strings
    (`/?x=1`, `/?x=2`…) share one render instead of each costing a new one.
    """
    marks = {name: f"{name}-{_MARK}" for name in ("csrf", *values)}
    if not surely_anonymous() or session.get("_flashes"):
        html = render(marks)
    else:
        lang = selected_language()
        url = url or request.full_path
        html = cache.get((url, lang, key), lambda: _render_clean(render, marks, lang, url))
    if csrf:
        html = html.replace(marks["csrf"], generate_csrf())
    for name, value in values.items():
        html = html.replace(marks[name], value)
    return html


def _render_clean(render: Callable[[dict[str, str]], str], marks: dict[str, str], lang: str, url: str) -> str:
    """Render the page that every visitor will share in a request of its own: same URL, host and
    language, but a new application context (its own `g`, no loaded user) and no cookies, so
    nothing of the visitor who happens to trigger the render (session, flashed messages, user,
    per-request values) can end up in it."""
    outer = request._get_current_object()
    with (
        current_app.app_context(),
        current_app.test_request_context(outer.full_path, base_url=outer.host_url, method="GET"),
    ):
        request.participa_language = lang
        request.environ[_GENS] = outer.environ.get(_GENS)
        i18n.wtforms_translations()
        return render(marks)


def surely_anonymous() -> bool:
    """Whether this request comes from nobody signed in, told without loading the user: no user id
    in the session and no remember-me cookie (the only ways Flask-Login signs a request in here).
    Asking `current_user` instead runs Flask-Login's "strong" session protection, which on every
    anonymous request with a session (a CSRF token, a thanks note) rewrites the session cookie and
    sends a cookie deletion: work for nothing on the busiest public pages."""
    if has_request_context() and "_login_user" in g.__dict__:  # already loaded: ask it
        return not current_user.is_authenticated
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" not in session and cookie not in request.cookies


_MARK = secrets.token_hex(8)  # per process: a visitor cannot plant a mark in what is rendered


@event.listens_for(Session, "before_flush")
def _note_changes(session, _flush_context, _instances):
    touched = (*session.new, *session.dirty, *session.deleted)
    for cache in _CACHES:
        if any(isinstance(obj, cache.models) for obj in touched):
            session.info.setdefault("caches_changed", set()).add(cache.name)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state):
    """Bulk ORM statements (update(), delete(), insert() through the session) skip before_flush."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    for cache in _CACHES:
        if name in cache.tables:
            state.session.info.setdefault("caches_changed", set()).add(cache.name)


@event.listens_for(Session, "after_commit")
def _clear_changed(session):
    names = session.info.pop("caches_changed", ())
    if names:
        _bump(names)


@event.listens_for(Session, "after_rollback")
def _forget_marks(session):
    session.info.pop("caches_changed", None)
