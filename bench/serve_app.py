"""gunicorn entry point of the benches: the portal of the working directory (BENCH_APP, default
`wsgi:app`), with its rate-limit counters in Redis under this bench's own key prefix
(BENCH_REDIS_PREFIX), so a bench deletes only its own keys and never empties a Redis database it
did not create. Works for any checkout, including an older commit served by `--against`."""

import importlib
import os

from limits.storage import redis as _redis

_PREFIX = os.environ.get("BENCH_REDIS_PREFIX")
_init = _redis.RedisStorage.__init__


def _own_prefix(self, *args, **kwargs):
    kwargs["key_prefix"] = _PREFIX
    _init(self, *args, **kwargs)


if _PREFIX:
    _redis.RedisStorage.__init__ = _own_prefix

_module, _, _name = os.environ.get("BENCH_APP", "wsgi:app").partition(":")
app = getattr(importlib.import_module(_module), _name)
