"""Fixtures for running-as-a-service tests: profile rows, a small queue threshold, Redis (db 6,
a key prefix per test so nothing collides), and helpers to start real processes."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import redis
from sqlalchemy import insert

from app.core.db import random_id
from tests.events.conftest import make_event  # noqa: F401  (fixture for this folder)

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PARTICIPA_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


@pytest.fixture
def profiles(db, catalogs):
    """add(n, organisation=...) inserts n characterisation profiles; returns n."""
    from app.characterization.models import Profile

    def add(n: int, organisation: str | None = "JAC Santo Domingo") -> int:
        rows = [
            {
                "id": random_id(),
                "capability": "events",
                "object_id": "7",
                "on_date": date(2026, 11, 20),
                "channel": "web",
                "sex": "2",
                "zone": "1",
                "territory": "01",
                "value_group": "JAC",
                "organisation": organisation,
                "has_disability": False,
            }
            for _ in range(n)
        ]
        db.session.execute(insert(Profile), rows)
        db.session.commit()
        return n

    return add


@pytest.fixture
def small_threshold(app, tmp_path):
    old = {k: app.config[k] for k in ("PARTICIPA_EXPORT_QUEUE_ROWS", "PARTICIPA_DOWNLOAD_DIR")}
    app.config.update(PARTICIPA_EXPORT_QUEUE_ROWS=10, PARTICIPA_DOWNLOAD_DIR=str(tmp_path / "downloads"))
    yield
    app.config.update(old)


@pytest.fixture
def redis_url():
    conn = redis.Redis.from_url(REDIS_URL)
    try:
        conn.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is needed at {REDIS_URL} (CI starts it)")
    return REDIS_URL


@pytest.fixture
def with_redis(app, redis_url):
    """The test app uses Redis under a fresh prefix; everything under it is deleted afterwards."""
    from app.core import broker

    prefix = f"t{secrets.token_hex(4)}"
    old = {k: app.config.get(k) for k in ("PARTICIPA_REDIS_URL", "PARTICIPA_REDIS_PREFIX")}
    app.config.update(PARTICIPA_REDIS_URL=redis_url, PARTICIPA_REDIS_PREFIX=prefix)
    broker.reset(app)
    yield prefix
    conn = redis.Redis.from_url(redis_url)
    for key in conn.scan_iter(f"{prefix}:*"):
        conn.delete(key)
    for key in conn.scan_iter(f"rq:*{prefix}:*"):
        conn.delete(key)
    app.config.update(old)
    broker.reset(app)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(app, **extra) -> dict:
    """Environment for a real process (gunicorn, worker) that shares the test app's database."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]).replace(
                "postgresql+psycopg://", "postgresql://"
            ),
            "SECRET_KEY": app.config["SECRET_KEY"],
            "PARTICIPA_HASH_KEY": app.config["PARTICIPA_HASH_KEY"],
            "PARTICIPA_BASE_URL": app.config["PARTICIPA_BASE_URL"],
            "FLASK_APP": "wsgi.py",
            "PARTICIPA_DOWNLOAD_DIR": app.config["PARTICIPA_DOWNLOAD_DIR"],
            "PARTICIPA_EXPORT_QUEUE_ROWS": str(app.config["PARTICIPA_EXPORT_QUEUE_ROWS"]),
            "PARTICIPA_HOME_CACHE_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start(args, env, log: Path) -> subprocess.Popen:
    handle = open(log, "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def gunicorn(app, port: int, log: Path, workers: int = 2, **extra) -> subprocess.Popen:
    bin_dir = Path(sys.executable).parent
    return start(
        [
            str(bin_dir / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "wsgi:app",
        ],
        service_env(app, **extra),
        log,
    )


def wait_http(port: int, path: str = "/healthz", timeout: float = 120.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except Exception:  # noqa: BLE001,S110
            pass
        time.sleep(0.3)
    raise AssertionError(f"nothing answered on port {port}")


def stop(proc: subprocess.Popen, sig=None) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, sig or signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


class Browser:
    """A minimal HTTP client with cookies, for real servers (no redirects followed)."""

    def __init__(self, base: str, context=None):
        import http.cookiejar
        import urllib.request

        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        handlers = [urllib.request.HTTPCookieProcessor(self.jar), NoRedirect]
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})  # noqa: S310
        try:
            with self.opener.open(req, timeout=120) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def get(self, path: str, **kw):
        return self.request(path, **kw)

    def post(self, path: str, data: dict, headers: dict | None = None):
        # A browser sends the page it posts from (Flask-WTF checks it over HTTPS).
        return self.request(path, data=data, headers={"Referer": self.base + path, **(headers or {})})

    def csrf(self, path: str) -> str:
        import re

        _status, _headers, body = self.get(path)
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
        assert match, f"no CSRF token in {path}"
        return match.group(1).decode()

    def login(self, email: str, password: str):
        status, headers, _ = self.post(
            "/gestion/ingresar",
            {"csrf_token": self.csrf("/gestion/ingresar"), "email": email, "password": password},
        )
        assert status == 302, status
