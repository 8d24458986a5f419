"""The per-process caches of hot public reads (app/core/cache.py): what they keep, when they
forget, and that a revived row is a real, query-free ORM instance."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event as sa_event
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


def test_revive_gives_a_persistent_instance_without_a_query(app, db, catalogs):
    from app.core import time as clock
    from app.events.models import Event, EventOffice
    from app.events.services import _new_short_code

    start = clock.now().replace(microsecond=0)
    event = Event(
        kind="AUD",
        title="Audiencia",
        status="published",
        starts_at=start,
        ends_at=start,
        place="Teatro",
        territory="01",
        token="tok-revive",
        secret="s" * 32,
        short_code=_new_short_code(),
    )
    event.offices = [EventOffice(office_code="DAP")]
    db.session.add(event)
    db.session.commit()
    values = cache.columns(db.session.get(Event, event.id))
    db.session.remove()

    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listen)
    try:
        revived = cache.revive(Event, values)
        assert revived.title == "Audiencia" and revived.starts_at == start
        assert statements == []
        assert [o.office_code for o in revived.offices] == ["DAP"]  # relationships still load on access
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listen)
    assert cache.revive(Event, values) is revived  # the session's own instance, not a second copy
    revived.title = "Audiencia (corregida)"
    db.session.commit()
    db.session.remove()
    assert db.session.get(Event, event.id).title == "Audiencia (corregida)"


def test_a_snapshot_reads_columns_without_a_query_and_saves_nothing(app, db):
    from sqlalchemy.orm.exc import DetachedInstanceError

    from app.core import time as clock
    from app.events.models import Event
    from app.events.services import _new_short_code

    start = clock.now().replace(microsecond=0)
    event = Event(
        kind="AUD",
        title="Audiencia",
        status="published",
        starts_at=start,
        ends_at=start,
        place="Teatro",
        territory="01",
        token="tok-snapshot",
        secret="s" * 32,
        short_code=_new_short_code(),
    )
    db.session.add(event)
    db.session.commit()
    values, event_id = cache.columns(event), event.id

    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listen)
    try:
        copy = cache.snapshot(Event, values)
        assert (
            copy is not event
            and copy.title == "Audiencia"
            and copy.starts_at == start
            and copy.id == event_id
        )
        with pytest.raises(DetachedInstanceError):
            _ = copy.offices  # a relationship cannot load from a snapshot
        copy.title = "Cambiado en la copia"
        db.session.commit()
        assert statements == []
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listen)
    db.session.remove()
    assert db.session.get(Event, event_id).title == "Audiencia"
