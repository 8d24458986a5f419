"""Rate limits with two gunicorn workers sharing their counters in Redis (database 5): the staff
login limit holds (10 a minute, not 10 per worker), and 3,000 attendees of one event signing in
from one venue address within minutes all get through. Also: production refuses to start two
workers with per-process counters."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tempfile
import time as wall
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from app.core import time
from app.events.models import Attendance, Event
from tests.conftest import database_url
from tests.events.conftest import attendee, hidden_fields

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from common import Session, free_port  # noqa: E402

REDIS_URL = os.environ.get("PARTICIPA_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
VENUE_IP = "203.0.113.50"
ATTENDEES = int(os.environ.get("HARD_N", 3000))

pytestmark = pytest.mark.slow


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTICIPA_", "RATELIMIT_", "REDIS_"))}
    env.update(
        {
            "DATABASE_URL": database_url(),
            "SECRET_KEY": "workers-test-secret",
            "PARTICIPA_ENV": "development",
            "PARTICIPA_INSTANCE_PATH": tempfile.mkdtemp(prefix="participa-workers-"),
            "PARTICIPA_PROXY_COUNT": "1",
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "PARTICIPA_HOME_CACHE_SECONDS": "0",
        }
    )
    env.update(extra)
    return env


def _start(env: dict, workers: int = 2):
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a full pipe would block the workers
    proc = subprocess.Popen(
        [
            gunicorn,
            "-w",
            str(workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    proc.log = log
    return proc, port


def _log(proc) -> str:
    proc.log.seek(0)
    return proc.log.read()


def _wait_ready(proc, port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    deadline = wall.time() + 60
    while wall.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError("gunicorn exited:\n" + _log(proc)[-3000:])
        try:
            status, _text, _h = Session(base).get("/")
            if status == 200:
                return base
        except OSError:
            wall.sleep(0.3)
    raise AssertionError("gunicorn did not answer")


@pytest.fixture
def served(app, db):
    """Two gunicorn workers on this test's database, counters in the tests' Redis database (emptied)."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    proc, port = _start(_env())
    try:
        yield _wait_ready(proc, port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        redis.Redis.from_url(REDIS_URL).flushdb()


def test_login_limit_holds_across_two_workers(served):
    """20 tries from one address in a few seconds: 10 are answered, the other 10 get "too many"
    (with per-worker counters, 20 would be answered)."""
    person = Session(served, ip=VENUE_IP)
    _s, page, _h = person.get("/gestion/ingresar")
    token = person.csrf(page)
    statuses = [
        person.post(
            "/gestion/ingresar",
            {"csrf_token": token, "email": f"nadie{i}@prueba.gov.co", "password": "no-es-la-clave-123"},
        )[0]
        for i in range(20)
    ]
    assert statuses.count(429) == 10, statuses
    assert statuses[:10].count(429) == 0


def test_three_thousand_attendees_sign_in_from_one_address(served, db, catalogs):
    start = time.now().replace(microsecond=0) - timedelta(minutes=10)
    event = Event(
        kind="AUD",
        title="Audiencia pública de rendición de cuentas",
        status="published",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="Coliseo",
        territory="01",
        token=secrets.token_urlsafe(16),
        secret=secrets.token_urlsafe(32),
        short_code="MIL3000",
        opens_before_min=60,
        closes_after_min=60,
    )
    db.session.add(event)
    db.session.commit()
    path, event_id = f"/asistencia/{event.token}", event.id

    def sign(i: int) -> int:
        phone = Session(served, ip=VENUE_IP)
        _s, page, _h = phone.get(path)
        status, _text, _h = phone.post(
            path, {**hidden_fields(page), **attendee(doc=str(20_000_000 + i), name=f"Asistente {i}")}
        )
        return status

    began = wall.perf_counter()
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(sign, range(ATTENDEES)))
    seconds = wall.perf_counter() - began
    refused = {s: statuses.count(s) for s in set(statuses) if s != 303}
    db.session.expire_all()
    stored = db.session.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.event_id == event_id)
    )
    print(f"\n  {ATTENDEES} sign-ins from one address in {seconds:.1f} s; refused: {refused or 'none'}")
    assert refused == {} and stored == ATTENDEES

    # ...while one phone hammering its form is still limited.
    phone = Session(served, ip=VENUE_IP)
    _s, page, _h = phone.get(path)
    fields = hidden_fields(page)
    statuses = [phone.post(path, {**fields, **attendee(doc=str(30_000_000 + i))})[0] for i in range(25)]
    assert 429 in statuses


def test_production_refuses_two_workers_with_per_process_counters(app):
    env = _env(
        PARTICIPA_ENV="production",
        RATELIMIT_STORAGE_URI="memory://",
        PARTICIPA_ENTITY_NAME="Alcaldía de Prueba",
        PARTICIPA_DPO_EMAIL="datos@prueba.gov.co",
    )
    proc, _port = _start(env)
    try:
        code = proc.wait(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("gunicorn started two workers with memory:// counters in production") from None
    assert code != 0 and re.search(r"memory://", _log(proc))
