"""The per-process caches of hot public reads (app/core/cache.py): what they keep, when they
forget, that a cached query keeps plain data only, and that a shared page is rendered apart from
the visitor who triggered it."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.catalogs.models import CatalogEntry
from app.core import cache


@pytest.fixture
def shared():
    """A cache on catalog entries, removed from the registry afterwards."""
    made = []

    def _make(ttl=60.0):
        made.append(cache.SharedCache("test", (CatalogEntry,), ttl=ttl))
        return made[-1]

    yield _make
    for c in made:
        cache._CACHES.remove(c)


def _counting_builder():
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    return calls, build


def test_a_value_is_built_once_and_forgotten_when_this_process_commits_a_change(db, catalogs, shared):
    c = shared()
    calls, build = _counting_builder()
    assert c.get("k", build) == 1 and c.get("k", build) == 1 and len(calls) == 1
    entry = db.session.scalar(select(CatalogEntry).where(CatalogEntry.list_key == "sex"))
    entry.label_es = entry.label_es + " (editado)"
    db.session.commit()
    assert c.get("k", build) == 2


def test_a_rolled_back_change_keeps_the_cache(db, catalogs, shared):
    c = shared()
    calls, build = _counting_builder()
    c.get("k", build)
    entry = db.session.scalar(select(CatalogEntry).where(CatalogEntry.list_key == "sex"))
    entry.label_es = "Cambio descartado"
    db.session.flush()
    db.session.rollback()
    assert c.get("k", build) == 1 and len(calls) == 1


def test_other_workers_see_a_change_when_the_value_expires(db, catalogs, shared):
    c = shared(ttl=0.05)
    calls, build = _counting_builder()
    c.get("k", build)
    time.sleep(0.06)
    assert c.get("k", build) == 2


def test_hostile_keys_cannot_grow_a_cache_without_bound(shared, monkeypatch):
    monkeypatch.setattr(cache, "MAX_KEYS", 10)
    c = shared()
    for i in range(25):
        c.get(("token", f"guess-{i}"), lambda: None)
    assert len(c._data) <= 10


def test_a_cached_query_keeps_plain_data_per_arguments_and_forgets_it_on_a_commit(db, catalogs):
    calls = []

    @cache.cached_query(CatalogEntry, ttl=60.0, name="test.labels")
    def labels(list_key: str) -> tuple[str, ...]:
        calls.append(list_key)
        rows = db.session.scalars(select(CatalogEntry.label_es).where(CatalogEntry.list_key == list_key))
        return tuple(rows)

    try:
        first = labels("sex")
        assert labels("sex") == first and calls == ["sex"]
        labels("zone")
        assert calls == ["sex", "zone"]  # keyed by the arguments
        entry = db.session.scalar(select(CatalogEntry).where(CatalogEntry.list_key == "sex"))
        entry.label_es = "Etiqueta editada"
        db.session.commit()
        assert "Etiqueta editada" in labels("sex") and calls == ["sex", "zone", "sex"]
    finally:
        cache._CACHES.remove(labels.cache)


def test_a_cached_query_refuses_to_keep_an_orm_instance_even_inside_plain_data(db, catalogs):
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class Holder:
        entries: tuple

    @cache.cached_query(CatalogEntry, name="test.orm")
    def leaky() -> Holder:
        return Holder(entries=(db.session.scalars(select(CatalogEntry).limit(1)).one(),))

    try:
        with pytest.raises(TypeError, match="plain data"):
            leaky()
        with pytest.raises(TypeError):  # nothing was kept: it fails again, never serves the instance
            leaky()
    finally:
        cache._CACHES.remove(leaky.cache)


def test_a_shared_blank_page_is_rendered_without_the_visitor_who_triggered_it(app, db):
    """The first anonymous visitor's request builds the page every later visitor gets: it must be
    rendered where that visitor's session, `g` and cookies cannot be seen."""
    from flask import g, render_template_string, session

    page = cache.SharedCache("test.blank", (CatalogEntry,), ttl=60.0)
    seen = {}

    def render(marks):
        seen["session"] = dict(session)
        seen["g"] = getattr(g, "visitor_note", None)
        seen["cookies"] = dict(request_cookies())
        return render_template_string("<p>{{ lang }} {{ csrf }}</p>", lang=_lang(), csrf=marks["csrf"])

    def request_cookies():
        from flask import request

        return request.cookies

    def _lang():
        from app.core.i18n import selected_language

        return selected_language()

    try:
        with app.test_request_context("/eventos/1/firmar?lang=en", headers={"Cookie": "visitor=abc"}):
            session["private_note"] = "Ana Pérez 1020304050"
            g.visitor_note = "visitor's own value"
            html = cache.blank_form_page(page, "k", render)
        assert seen == {"session": {}, "g": None, "cookies": {}}
        assert html.startswith("<p>en ") and "csrf-" not in html  # same language, own CSRF token
    finally:
        cache._CACHES.remove(page)
