"""Rate-limit keys.

A whole audience often signs in from behind one public IP address (a venue's Wi-Fi, a school),
so public forms are limited per *device* (a random, signed cookie set on the first visit) with a
generous per-IP ceiling on top, never tightly per IP alone.
"""

from __future__ import annotations

import secrets
from functools import wraps

from flask import current_app, g, request

DEVICE_COOKIE = "participa_device"

# Limits shared by every public form. Per device: a person filling a form, with retries.
# Per IP: high enough for 300+ people behind one NAT within ten minutes.
PUBLIC_POST_PER_DEVICE = "20 per minute;200 per hour"
PUBLIC_POST_PER_IP = "1200 per 10 minutes"


def client_ip() -> str:
    """The visitor's IP (ProxyFix, when configured, has already applied X-Forwarded-For)."""
    return request.remote_addr or "unknown"


def device_id() -> str:
    """A random id for this browser, kept in a long-lived cookie (set in an after_request hook).

    Without the cookie (first request, or cookies refused) the IP stands in, so a client that
    drops cookies falls under the per-IP ceiling rather than escaping limits.
    """
    if "participa_device" not in g:
        value = request.cookies.get(DEVICE_COOKIE, "")
        g.participa_device = value if (len(value) == 32 and value.isalnum()) else ""
    return g.participa_device


def device_key() -> str:
    return "dev:" + (device_id() or client_ip())


def ip_key() -> str:
    return "ip:" + client_ip()


def ensure_device_cookie(response):
    """after_request hook: give each browser a random device id (no personal data in it)."""
    if not device_id() and request.method == "GET":
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_hex(16),
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

    return post_only(limiter.limit(PUBLIC_POST_PER_DEVICE, key_func=device_key),
                     limiter.limit(PUBLIC_POST_PER_IP, key_func=ip_key))(func)
