"""Cache generations in Redis: what raises them (ORM commits, bulk statements, RowBatch), what a
sign-in page pays for them (one round trip), and what happens when Redis stops answering."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from sqlalchemy import update

from app.core import broker, cache
from app.core.db import RowBatch
from app.events.models import Event


class Counting:
    """Wraps the Redis client and counts round trips (commands and pipelines)."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def __getattr__(self, name):
        attr = getattr(self.inner, name)
        if callable(attr):

            def call(*args, **kwargs):
                self.calls.append(name)
                return attr(*args, **kwargs)

            return call
        return attr


def _gen(name: str) -> int:
    return int(broker.connection().get(broker.key("cache", name)) or 0)


def test_commit_raises_generation_and_another_process_drop_its_copy(app, db, with_redis, make_event):
    event = make_event()
    before = _gen("events.sign_in")
    event.title = "Nuevo título"
    db.session.commit()
    assert _gen("events.sign_in") == before + 1
    # A copy built under the current generation is served; once another host raises the number,
    # this process rebuilds on the next request.
    calls = []
    with app.test_request_context():
        assert cache.SharedCache.get(_probe, "k", lambda: calls.append(1) or "v1") == "v1"
    with app.test_request_context():
        assert cache.SharedCache.get(_probe, "k", lambda: calls.append(1) or "v2") == "v1"
    broker.connection().incr(broker.key("cache", "ops.probe"))  # what a commit on another host does
    with app.test_request_context():
        assert cache.SharedCache.get(_probe, "k", lambda: calls.append(1) or "v3") == "v3"
    assert len(calls) == 2


_probe = cache.SharedCache("ops.probe", (Event,), ttl=3600)


def test_bulk_statement_and_rowbatch_raise_generations(app, db, with_redis, make_event):
    event = make_event()
    before = _gen("events.sign_in")
    db.session.execute(update(Event).where(Event.id == event.id).values(title="Otro"))
    assert _gen("events.sign_in") == before  # not before the commit: others would rebuild stale data
    db.session.commit()
    assert _gen("events.sign_in") == before + 1
    batch = RowBatch()
    batch.add(
        Event,
        {
            "kind": "AUD",
            "title": "Por lote",
            "status": "draft",
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "place": "",
            "territory": "01",
            "token": "tok-batch",
            "secret": "s" * 32,
            "short_code": "ZZZ999",
            "opens_before_min": 60,
            "closes_after_min": 60,
        },
    )
    batch.store()
    assert _gen("events.sign_in") == before + 2


def test_sign_in_page_costs_one_redis_round_trip(client, app, db, with_redis, make_event):
    event = make_event(starts_in=-timedelta(minutes=5))
    client.get(f"/asistencia/{event.token}")  # warm this process's caches
    counting = Counting(broker.connection())
    app.extensions["participa_redis"]["client"] = counting
    response = client.get(f"/asistencia/{event.token}")
    assert response.status_code == 200 and b'name="nonce"' in response.data
    assert counting.calls == ["mget"]


def test_redis_down_never_breaks_a_page_and_falls_back_to_ttl(client, app, db, make_event):
    event = make_event(starts_in=-timedelta(minutes=5))
    old = app.config.get("PARTICIPA_REDIS_URL")
    app.config["PARTICIPA_REDIS_URL"] = "redis://127.0.0.1:1/6"  # nothing listens there
    broker.reset(app)
    try:
        with pytest.raises(redis.ConnectionError):
            broker.connection().ping()
        response = client.get(f"/asistencia/{event.token}")
        assert response.status_code == 200 and b'name="nonce"' in response.data
        event.title = "Cambio sin Redis"
        db.session.commit()  # the local copy is still cleared at once
        assert "Cambio sin Redis" in client.get(f"/asistencia/{event.token}").get_data(as_text=True)
        health = client.get("/healthz")
        assert health.status_code == 200 and health.get_json()["redis"] == "down"
        assert health.get_json()["status"] == "degraded"
    finally:
        app.config["PARTICIPA_REDIS_URL"] = old
        broker.reset(app)
