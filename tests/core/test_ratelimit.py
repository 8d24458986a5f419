"""Rate limits that cannot be walked around: signed device cookies, counters shared by every
worker (Redis whenever configured; production refuses per-process counters with several
workers)."""

from __future__ import annotations

import secrets

import gunicorn  # noqa: F401  (worker_count reads gunicorn's settings only inside gunicorn)
import pytest
from flask import g

from app.core import ratelimit
from app.core.ratelimit import DEVICE_COOKIE, StorageError, check_storage, device_id, worker_count


def _fresh_g():
    g.pop("csrf_token", None)
    g.pop("participa_device", None)


def _urna_token(client) -> str:
    _fresh_g()
    return client.csrf("/urna/")


def test_an_invented_device_cookie_counts_as_no_cookie(client, catalogs):
    """100 posts, each with a different made-up device id: they are counted together (under the
    address), so no more than the per-device limit (20 a minute) gets through."""
    token = _urna_token(client)
    passed = 0
    for _ in range(100):
        _fresh_g()
        client.set_cookie(DEVICE_COOKIE, secrets.token_hex(16))
        passed += client.post("/urna/", data={"csrf_token": token, "text": ""}).status_code != 429
    assert passed == 20


def test_a_tampered_signed_cookie_counts_as_no_cookie(app):
    with app.test_request_context("/"):
        real = ratelimit.new_device_cookie()
    device, _, signature = real.partition(".")
    forged = ("0" if device[0] != "0" else "1") + device[1:] + "." + signature
    for value, expected in ((real, device), (forged, ""), (device, ""), (real + "x", "")):
        with app.test_request_context("/", headers={"Cookie": f"{DEVICE_COOKIE}={value}"}):
            _fresh_g()
            assert device_id() == expected


def test_each_real_device_has_its_own_counter(app, catalogs):
    """Behind one address, a second phone is not blocked by the first one's 20 tries."""
    from tests.conftest import Client

    first, second = Client(app.test_client()), Client(app.test_client())
    token = _urna_token(first)
    statuses = []
    for _ in range(21):
        _fresh_g()
        statuses.append(first.post("/urna/", data={"csrf_token": token, "text": ""}).status_code)
    assert statuses[-1] == 429 and 429 not in statuses[:20]
    token = _urna_token(second)
    _fresh_g()
    assert second.post("/urna/", data={"csrf_token": token, "text": ""}).status_code != 429


def test_the_device_cookie_is_signed(client):
    cookie = client.get("/").headers.get("Set-Cookie", "")
    value = cookie.split(f"{DEVICE_COOKIE}=", 1)[1].split(";", 1)[0]
    device, dot, signature = value.partition(".")
    assert len(device) == 32 and dot and len(signature) >= 20


# ---------------------------------------------------------------------------- shared counters

PRODUCTION = {"PARTICIPA_ENV": "production"}


@pytest.mark.parametrize(
    "workers, uri, refused",
    [
        (2, "memory://", True),
        (4, "memory://", True),
        (1, "memory://", False),
        (2, "redis://127.0.0.1:6379/0", False),
    ],
)
def test_production_refuses_per_process_counters_with_several_workers(workers, uri, refused):
    config = {**PRODUCTION, "RATELIMIT_STORAGE_URI": uri}
    if refused:
        with pytest.raises(StorageError, match="memory://"):
            check_storage(config, workers)
    else:
        check_storage(config, workers)
    check_storage(
        {"PARTICIPA_ENV": "development", "RATELIMIT_STORAGE_URI": uri}, workers
    )  # development: allowed


def test_workers_are_read_from_gunicorns_own_settings(monkeypatch, tmp_path):
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.chdir(tmp_path)  # no gunicorn.conf.py here
    assert worker_count({}, ["/srv/.venv/bin/gunicorn", "-w", "3", "wsgi:app"]) == 3
    assert worker_count({}, ["/srv/.venv/bin/gunicorn", "--workers=2", "wsgi:app"]) == 2
    assert worker_count({}, ["/srv/.venv/bin/gunicorn", "wsgi:app"]) == 1
    assert (
        worker_count({}, ["/srv/lib/python3.11/site-packages/gunicorn/__main__.py", "-w", "4", "wsgi:app"])
        == 4
    )
    (tmp_path / "gunicorn.conf.py").write_text("workers = 5\n")
    assert worker_count({}, ["/srv/.venv/bin/gunicorn", "wsgi:app"]) == 5
    assert worker_count({"PARTICIPA_WORKERS": "1"}, ["/srv/.venv/bin/gunicorn", "-w", "4", "wsgi:app"]) == 1
    assert worker_count({"PARTICIPA_WORKERS": "3"}, ["/usr/bin/uwsgi"]) == 3
    assert worker_count({"WEB_CONCURRENCY": "3"}, ["/usr/bin/flask", "db", "upgrade"]) == 1  # not serving


def test_redis_is_used_whenever_it_is_configured(monkeypatch):
    from app import config as config_module

    for name in ("RATELIMIT_STORAGE_URI", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert config_module.load()["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/5")
    assert config_module.load()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/5"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/4")
    assert config_module.load()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/4"
