"""Rate limits: keys, the numbers shared by public forms, and the check that counters are shared.

A whole audience often signs in from behind one public IP address (a venue's Wi-Fi, a school),
so public forms are limited per *device* (a random id in a cookie signed with the app's secret,
set on the first visit) with a generous per-IP ceiling on top, never tightly per IP alone. An
invented or tampered device cookie counts as no cookie: the request then falls under its IP.

Counters live in `RATELIMIT_STORAGE_URI` (or `REDIS_URL`): Redis, so that every worker and host
counts together. With per-process counters (`memory://`) each worker counts on its own and every
limit is multiplied by the number of workers, so production refuses to start that way
(`check_storage`). The numbers are explained in docs/operations/security.md.
"""

from __future__ import annotations

import os
import secrets
import sys
from functools import wraps

from flask import current_app, g, request
from itsdangerous import BadSignature, Signer

from app.config import ConfigError

DEVICE_COOKIE = "participa_device"

# Limits shared by every public form. Per device: a person filling a form, with retries.
# Per IP: 3,000 people behind one venue address signing in within 15 minutes, each with a retry
# for every other person (4,500), so a large public hearing on one Wi-Fi is never shut out.
PUBLIC_POST_PER_DEVICE = "20 per minute;200 per hour"
PUBLIC_POST_PER_IP = "4500 per 15 minutes"
# Staff sign-in, per address: a person mistyping, not a password-guessing script.
LOGIN_PER_IP = "10 per minute;60 per hour"


class StorageError(ConfigError):
    """Production configured with per-process counters and more than one worker."""


def client_ip() -> str:
    """The visitor's IP (ProxyFix, when configured, has already applied X-Forwarded-For)."""
    return request.remote_addr or "unknown"


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt="participa-device")


def device_id() -> str:
    """This browser's random id, from its signed cookie (set in an after_request hook), or ""
    when there is no cookie or its signature does not check out.

    Without a valid cookie (first request, cookies refused, an invented value) the IP stands in,
    so a client that drops or forges cookies falls under the per-IP ceiling instead of escaping
    limits.
    """
    if "participa_device" not in g:
        value = request.cookies.get(DEVICE_COOKIE, "")
        device = ""
        if 40 <= len(value) <= 80:
            try:
                device = _signer().unsign(value).decode()
            except (BadSignature, UnicodeDecodeError):
                device = ""
        g.participa_device = device if (len(device) == 32 and device.isalnum()) else ""
    return g.participa_device


def device_key() -> str:
    return "dev:" + (device_id() or client_ip())


def ip_key() -> str:
    return "ip:" + client_ip()


def new_device_cookie() -> str:
    """A fresh signed device id, as it is stored in the cookie."""
    return _signer().sign(secrets.token_hex(16)).decode()


def ensure_device_cookie(response):
    """after_request hook: give each browser a random signed device id (no personal data in it)."""
    if not device_id() and request.method == "GET":
        response.set_cookie(
            DEVICE_COOKIE,
            new_device_cookie(),
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


def post_only(*limits):
    """Apply Flask-Limiter decorators (`limiter.limit(...)`) to POST requests only: a GET of the
    same view skips the limiter entirely (no counter, no limit resolution), which matters on the
    form pages a whole room opens at once."""

    def decorate(func):
        limited = func
        for limit in reversed(limits):
            limited = limit(limited)

        @wraps(func)
        def view(*args, **kwargs):
            return limited(*args, **kwargs) if request.method == "POST" else func(*args, **kwargs)

        return view

    return decorate


def limit_public_post(func):
    """Decorator for public POST routes: per-device and per-IP limits, GET left unlimited."""
    from app.extensions import limiter

    return post_only(
        limiter.limit(PUBLIC_POST_PER_DEVICE, key_func=device_key),
        limiter.limit(PUBLIC_POST_PER_IP, key_func=ip_key),
    )(func)


# ---------------------------------------------------------------------------- shared counters


def _gunicorn_workers(argv: list[str]) -> int | None:
    """Workers of the gunicorn server this process belongs to, resolved the way gunicorn does
    (command line, GUNICORN_CMD_ARGS, configuration file, WEB_CONCURRENCY), or None when this
    process is not gunicorn. A worker is a fork of the arbiter, so it sees the same argv."""
    program = argv[0] if argv else ""
    started_as = (
        os.path.basename(program).startswith("gunicorn")
        or os.path.basename(os.path.dirname(program)) == "gunicorn"
    )
    if not started_as or "gunicorn" not in sys.modules:  # `gunicorn …` or `python -m gunicorn …`
        return None
    from gunicorn.app.wsgiapp import WSGIApplication

    saved = sys.argv
    try:
        sys.argv = list(argv)
        return int(WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg.workers)
    except (SystemExit, Exception):  # noqa: BLE001 - unreadable configuration: assume several workers
        return 2
    finally:
        sys.argv = saved


def worker_count(env: dict | None = None, argv: list[str] | None = None) -> int:
    """How many processes serve the app on this host: PARTICIPA_WORKERS when set (for servers
    other than gunicorn), else gunicorn's own setting when running under gunicorn (which reads
    WEB_CONCURRENCY itself), else 1 (`flask` commands, the development server)."""
    env = os.environ if env is None else env
    declared = env.get("PARTICIPA_WORKERS", "")
    if declared.strip().isdigit():
        return int(declared)
    workers = _gunicorn_workers(sys.argv if argv is None else argv)
    return workers if workers is not None else 1


def check_storage(config: dict, workers: int) -> None:
    """Refuse per-process counters in production when more than one process serves the app:
    each would count on its own and every limit would be multiplied by the number of workers."""
    uri = config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if config.get("PARTICIPA_ENV") == "production" and uri.startswith("memory://") and workers > 1:
        raise StorageError(
            f"{workers} workers with per-process rate-limit counters (memory://): every limit would be "
            "multiplied by the number of workers. Set RATELIMIT_STORAGE_URI or REDIS_URL to a Redis server "
            "(redis://host:6379/0), or run one worker (PARTICIPA_WORKERS=1)."
        )
