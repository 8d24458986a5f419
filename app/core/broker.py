"""The shared Redis of an installation: job queue, cache generations, metrics of the queue.

`PARTICIPA_REDIS_URL` names it; without it (development) `connection()` is None and callers fall
back to what one process can do alone. Every key this code writes starts with
`PARTICIPA_REDIS_PREFIX` followed by a colon, so several entities can share one Redis server.
"""

from __future__ import annotations

from flask import current_app
from redis import Redis

SOCKET_TIMEOUT = 2.0  # a Redis that stopped answering must not hold a sign-in for long


def connection(app=None) -> Redis | None:
    """The app's Redis client (one per process, thread-safe pool), or None when not configured."""
    app = app or current_app
    holder = app.extensions.setdefault("participa_redis", {})
    if "client" not in holder:
        url = app.config.get("PARTICIPA_REDIS_URL")
        holder["client"] = (
            Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT)
            if url
            else None
        )
    return holder["client"]


def key(*parts: str, app=None) -> str:
    """A Redis key under this entity's prefix: key("cache", "gen") -> "participa:cache:gen"."""
    app = app or current_app
    return ":".join((app.config.get("PARTICIPA_REDIS_PREFIX") or "participa", *parts))


def reset(app=None) -> None:
    """Forget the client (after a fork, or when tests change the configuration)."""
    app = app or current_app
    app.extensions.pop("participa_redis", None)
