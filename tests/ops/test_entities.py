"""Several entities from one installation: one app instance per municipality, each with its own
database and configuration, sharing one Redis under separate key prefixes. Nothing of one
(queue, cache generations, jobs, users) is seen by the other."""

from __future__ import annotations

import redis

from app import create_app
from app.core import broker, jobs
from app.extensions import db


def _entity(tmp_path, name: str, redis_url: str, prefix: str):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": f"secret-{name}",
            "PARTICIPA_HASH_KEY": f"hash-{name}",
            "DATABASE_URL": f"sqlite:///{tmp_path / name}.db",
            "PARTICIPA_REDIS_URL": redis_url,
            "PARTICIPA_REDIS_PREFIX": prefix,
            "PARTICIPA_DOWNLOAD_DIR": str(tmp_path / name / "downloads"),
            "ENTITY_NAME": f"Alcaldía de {name.title()}",
        }
    )
    with app.app_context():
        db.create_all()
    return app


def test_two_municipalities_share_redis_but_nothing_else(tmp_path, redis_url):
    suffix = tmp_path.name[-6:].replace("_", "")
    cartago = _entity(tmp_path, "cartago", redis_url, f"cartago{suffix}")
    pasto = _entity(tmp_path, "pasto", redis_url, f"pasto{suffix}")
    conn = redis.Redis.from_url(redis_url)
    try:
        with cartago.app_context():
            from app.accounts import commands
            from app.catalogs import commands as catalogs

            catalogs.load("medellin")
            user = commands.create_user(
                "analista@cartago.gov.co", "contraseña-larga-123", "analyst", name="Ana", actor="test"
            )
            job = jobs.Job(
                token="tok-cartago",
                owner_id=user.id,
                kind="characterization.profiles.csv",
                label="Perfiles",
                status="queued",
            )
            db.session.add(job)
            db.session.commit()
            jobs._dispatch(job.id)
            assert len(jobs.queue()) == 1
            from app.core import cache
            from app.events.models import Event

            cache.tables_changed([Event.__table__])
            assert conn.get(broker.key("cache", "events.sign_in")) == b"1"
        with pasto.app_context():
            assert len(jobs.queue()) == 0  # Pasto's worker never runs Cartago's jobs
            assert jobs.queue_name() != jobs.queue_name(cartago)
            assert (
                conn.get(broker.key("cache", "events.sign_in")) is None
            )  # Cartago's change clears nothing here
            assert jobs.counts() == {}
            from app.accounts.models import User

            assert db.session.query(User).count() == 0
            page = pasto.test_client().get("/privacidad").get_data(as_text=True)
            assert "Alcaldía de Pasto" in page and "Cartago" not in page
    finally:
        for prefix in (f"cartago{suffix}", f"pasto{suffix}"):
            for key in conn.scan_iter(f"*{prefix}*"):
                conn.delete(key)
        for app in (cartago, pasto):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
