"""Database helpers (app/core/db.py): rows stored all together or not at all, and pooled
connections checked only when they sat idle (a connection cut while idle is replaced unseen)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from app.characterization.models import ConsentRecord, Profile, ProfileDisability
from app.config import database_url as normalise_url
from app.core.db import RowBatch, ping_when_idle
from tests.conftest import database_url


def _counts(db) -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (ConsentRecord, Profile, ProfileDisability)
    )


def _profile_rows(batch: RowBatch, profile_id: str, codes: list[str]) -> None:
    batch.add(ConsentRecord, {"id": f"c-{profile_id}", "policy_version": "1", "capability": "events"})
    batch.add(
        Profile,
        {
            "id": profile_id,
            "capability": "events",
            "object_id": "1",
            "on_date": date(2026, 11, 21),
            "life_course": "AT",
        },
    )
    for code in codes:
        batch.add(ProfileDisability, {"profile_id": profile_id, "code": code})


def test_a_batch_stores_every_row_with_the_defaults_an_insert_would_give(app, db):
    batch = RowBatch()
    _profile_rows(
        batch, "perfil-1", ["01", "03"]
    )  # the disability rows refer to the profile of the same batch
    batch.store()
    assert _counts(db) == (1, 1, 2)
    consent = db.session.get(ConsentRecord, "c-perfil-1")
    assert consent.channel == "web" and consent.given_at is not None and consent.minor is False
    assert db.session.get(Profile, "perfil-1").channel == "web"


def test_a_batch_that_breaks_a_constraint_stores_nothing_at_all(app, db):
    first = RowBatch()
    _profile_rows(first, "perfil-1", ["01"])
    first.store()
    batch = RowBatch()
    _profile_rows(batch, "perfil-2", ["01", "01"])  # the last row repeats a key: the whole batch is refused
    with pytest.raises(IntegrityError):
        batch.store()
    db.session.rollback()
    assert _counts(db) == (1, 1, 1)
    assert db.session.get(Profile, "perfil-2") is None


def _kill(db, dbapi_connection) -> None:
    """Cut a pooled connection behind the pool's back, as a server restart would."""
    if db.engine.dialect.name == "postgresql":  # from a connection of another pool (the app's)
        db.session.execute(
            text("SELECT pg_terminate_backend(:pid)"), {"pid": dbapi_connection.info.backend_pid}
        )
        db.session.commit()
    else:
        dbapi_connection.close()


@pytest.mark.parametrize("idle_for_long", [True, False])
def test_a_connection_cut_while_idle_is_replaced_and_a_recent_one_is_not_checked(app, db, idle_for_long):
    engine = create_engine(normalise_url(database_url()), pool_size=2)
    ping_when_idle(engine, after_seconds=0 if idle_for_long else 3600)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            dbapi_connection = conn.connection.dbapi_connection
        _kill(db, dbapi_connection)
        results = []
        for _ in range(2):  # both pooled connections: the cut one and the healthy one
            try:
                with engine.connect() as first, engine.connect() as second:
                    results.append(
                        (first.execute(text("SELECT 1")).scalar(), second.execute(text("SELECT 1")).scalar())
                    )
            except Exception:  # noqa: BLE001 - what a visitor would get: an error page
                results.append("failed")
        if idle_for_long:
            assert results == [(1, 1), (1, 1)]  # checked before use, replaced: nobody noticed
        else:
            assert "failed" in results  # used a moment ago: handed out without a round trip
    finally:
        engine.dispose()
