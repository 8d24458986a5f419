"""The profile buffer: batches of at least k, durable waits, killed workers, Redis, rollbacks."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections import Counter

from sqlalchemy import func, select, text

from app.characterization import buffer, commands
from app.characterization.forms import answers_of
from app.characterization.models import Profile
from app.config import ROOT as ROOT_DIR
from tests.conftest import database_url


def _put(n: int, prefix: str = "p") -> list[str]:
    return [
        buffer.put_profile(
            commands.build_profile(
                {"organisation": f"{prefix}-{i}", "sex": str(1 + i % 2)}, commands.Context("events", 1)
            )
        )
        for i in range(n)
    ]


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Profile))


def _organisations(db) -> Counter:
    return Counter(db.session.scalars(select(Profile.organisation)))


def test_fewer_than_k_wait_until_k_or_the_delay(app, db):
    _put(4)
    assert buffer.flush() == 0 and _count(db) == 0 and buffer.waiting() == 4  # young and fewer than k
    _put(1)
    assert buffer.flush() == 5 and _count(db) == 5 and buffer.waiting() == 0


def test_a_profile_never_rides_in_a_batch_of_another_kind(app, db):
    """5 profiles of one event and 1 urna profile wait: the event's batch is written, the urna
    profile waits for its own batch (alone among event profiles it would pair with the only urna
    question filed in that window)."""
    _put(5)
    buffer.put_profile(commands.build_profile({"organisation": "urna"}, commands.Context("ballot", 2026)))
    buffer.put_profile(
        commands.build_profile({"organisation": "papel"}, commands.Context("events", 1, channel="paper"))
    )
    buffer.put_profile(commands.build_profile({"organisation": "otro"}, commands.Context("events", 2)))
    assert buffer.flush() == 5 and buffer.waiting() == 3
    assert set(_organisations(db)) == {f"p-{i}" for i in range(5)}


def test_a_late_small_batch_is_topped_up_to_k_by_rewriting_stored_profiles(app, db):
    """After the delay, 2 waiting profiles are written with 3 stored ones re-written (same answers,
    new ids, old rows gone): counts do not change and the batch still has k rows."""
    _put(10, "old")
    buffer.put_profile(commands.build_profile({"organisation": "other"}, commands.Context("events", 2)))
    assert buffer.flush(max_age=0) == 11
    before_ids = set(db.session.scalars(select(Profile.id)))
    other_id = db.session.scalar(select(Profile.id).where(Profile.organisation == "other"))
    _put(2, "new")
    assert buffer.flush() == 0  # not yet due
    assert buffer.flush(max_age=0) == 2
    after = _organisations(db)
    assert after == Counter(
        {**{f"old-{i}": 1 for i in range(10)}, "new-0": 1, "new-1": 1, "other": 1}
    )  # no dummy
    changed = before_ids - set(db.session.scalars(select(Profile.id)))
    assert other_id not in changed  # only profiles of the same event are re-written
    if db.engine.dialect.name == "postgresql":
        # the earlier batch moves whole: taking 3 of its 10 rows would leave a visible batch of 7
        # today, and a batch of 4 after the next late flush
        assert len(changed) == 10
        by_xmin = Counter(db.session.scalars(text("SELECT xmin::text FROM profile")))
        assert sorted(by_xmin.values()) == [1, 12]  # the late batch is 2 new + the 10 of the same event
    else:
        assert len(changed) == 3  # three stored profiles moved into the new batch (no batch is visible)


def test_late_flushes_never_leave_a_batch_below_k(app, db):
    """Many late trickles into one event: whatever is re-written, every batch a database reader
    can see (rows sharing one transaction id on PostgreSQL) holds at least k profiles."""
    _put(7, "first")
    assert buffer.flush(max_age=0) == 7
    _put(5, "second")
    assert buffer.flush(max_age=0) == 5
    for round_ in range(12):
        _put(1 + round_ % 3, f"late{round_}")
        buffer.flush(max_age=0)
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 7 + 5 + sum(
        1 + r % 3 for r in range(12)
    )
    if db.engine.dialect.name == "postgresql":
        by_xmin = Counter(db.session.scalars(text("SELECT xmin::text FROM profile")))
        assert min(by_xmin.values()) >= buffer.DEFAULT_K, sorted(by_xmin.values())


def test_a_rolled_back_transaction_buffers_nothing(app, db, catalogs):
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms import FormField

    from app.characterization.forms import profile_section

    class Form(FlaskForm):
        class Meta:
            csrf = False

        profile = FormField(profile_section(("sex",)))

    with app.test_request_context():
        form = Form(formdata=MultiDict({"profile-consent": "y", "profile-sex": "1"}))
        assert form.validate()
        commands.record(answers_of(form.profile.form), commands.Context("ballot", 2026))
        db.session.rollback()  # the identity was refused: its profile must not count
        commands.record(answers_of(form.profile.form), commands.Context("ballot", 2026))
        db.session.commit()
    assert buffer.waiting() == 1


CHILD = textwrap.dedent("""
    import os, signal, sys
    from app import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key", "PARTICIPA_HASH_KEY": "test-hash-key",
                      "DATABASE_URL": sys.argv[2], "PARTICIPA_PROFILE_BUFFER_URL": sys.argv[3],
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        from app.characterization import buffer
        from app.characterization import commands
        if sys.argv[1] == "put":
            for i in range(7):
                profile = commands.build_profile({"organisation": f"k-{i}"}, commands.Context("events", 1))
                buffer.put_profile(profile)
            print("acknowledged", flush=True)
        else:  # killed after the batch committed, before the buffer was emptied
            buffer.SpoolBuffer.remove = lambda self, keys: os.kill(os.getpid(), signal.SIGKILL)
            buffer.flush(max_age=0)
        os.kill(os.getpid(), signal.SIGKILL)
""")


def _child(app, mode: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PARTICIPA_INSTANCE_PATH": app.instance_path}
    return subprocess.run(
        [sys.executable, "-c", CHILD, mode, database_url(), app.config["PARTICIPA_PROFILE_BUFFER_URL"]],
        cwd=ROOT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_worker_killed_loses_nothing_and_nothing_counts_twice(app, db):
    put = _child(app, "put")
    assert put.returncode == -9 and "acknowledged" in put.stdout, put.stderr[-2000:]
    assert buffer.waiting() == 7  # acknowledged profiles survive the kill -9
    flushing = _child(app, "flush")
    assert flushing.returncode == -9, flushing.stderr[-2000:]
    db.session.rollback()
    assert _count(db) == 7 and buffer.waiting() == 7  # committed, but the buffer still holds them
    assert buffer.flush(max_age=0) == 0  # run again: already stored, not counted twice
    assert _count(db) == 7 and buffer.waiting() == 0
    assert _organisations(db) == Counter({f"k-{i}": 1 for i in range(7)})


def test_redis_buffer_same_rules(app, db):
    """With a redis:// buffer (database 1 in tests): same batches, members removed after commit."""
    old = app.config["PARTICIPA_PROFILE_BUFFER_URL"]
    app.config["PARTICIPA_PROFILE_BUFFER_URL"] = "redis://127.0.0.1:6379/1"
    try:
        buffer.discard_all()
        _put(3)
        assert buffer.waiting() == 3 and buffer.flush() == 0
        _put(2)
        assert buffer.flush() == 5 and buffer.waiting() == 0 and _count(db) == 5
        _put(1)
        assert buffer.flush(max_age=0) == 1 and _count(db) == 6
    finally:
        buffer.discard_all()
        app.config["PARTICIPA_PROFILE_BUFFER_URL"] = old


def test_flush_command(app, db):
    _put(5)
    result = app.test_cli_runner().invoke(args=["participa", "flush-profiles"])
    assert result.exit_code == 0 and "Profiles stored: 5; still waiting: 0" in result.output
