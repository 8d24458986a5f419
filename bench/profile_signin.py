"""Where the time of one QR sign-in goes: the three requests a phone makes (form GET, POST,
thanks page), in process through Flask's test client on a fresh SQLite database (or
DATABASE_URL), with the worker CPU (process time), SQL statements and Python calls of each.

    python bench/profile_signin.py                 (per-request CPU and SQL counts, 300 sign-ins)
    python bench/profile_signin.py --profile post  (cProfile of the POSTs: get | post | thanks)
    python bench/profile_signin.py --sql           (the statements of one sign-in)

Rate-limit counters go to BENCH_REDIS_URL when set (under a key prefix of its own, deleted at
the end), as in production; otherwise to memory.

Figures are per request, after 50 warm-up sign-ins; see docs/development/hot-paths.md.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import os
import pstats
import re
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIX = f"participa_profile_{os.getpid()}"  # rate-limit keys in BENCH_REDIS_URL, deleted at the end
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HIDDEN = re.compile(r'name="(nonce|ticket)"[^>]*value="([^"]*)"')


def make_app():
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='participa-prof-')}/p.db")
    os.environ.update(
        {
            "PARTICIPA_ENV": "development",
            "SECRET_KEY": "bench-secret",
            "RATELIMIT_STORAGE_URI": os.environ.get("BENCH_REDIS_URL", "memory://"),
            "RATELIMIT_KEY_PREFIX": PREFIX,
            "PARTICIPA_PROXY_COUNT": "1",
            "PARTICIPA_INSTANCE_PATH": tempfile.mkdtemp(prefix="participa-prof-inst-"),
        }
    )
    from app import create_app
    from app.catalogs import commands as catalogs
    from app.core import time as clock
    from app.events.models import Event
    from app.extensions import db

    app = create_app()
    with app.app_context():
        db.create_all()
        catalogs.load("medellin")
        start = clock.now() - timedelta(minutes=10)
        event = Event(
            kind="AUD",
            title="Audiencia pública (perfil)",
            status="published",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="Teatro",
            territory="01",
            token=secrets.token_urlsafe(16),
            secret=secrets.token_urlsafe(32),
            short_code="PROF234",
            opens_before_min=60,
            closes_after_min=60,
        )
        db.session.add(event)
        db.session.commit()
        token = event.token
    return app, token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--profile", choices=("get", "post", "thanks"))
    parser.add_argument("--sql", action="store_true")
    args = parser.parse_args()
    app, token = make_app()
    from sqlalchemy import event as sa_event

    from app.extensions import db

    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    sa_event.listen(
        engine,
        "before_cursor_execute",
        lambda _c, _cur, sql, *_a: statements.append(" ".join(sql.split())[:160]),
    )
    path = f"/asistencia/{token}"
    cpu = {"get": 0.0, "post": 0.0, "thanks": 0.0}
    sql = {"get": 0, "post": 0, "thanks": 0}
    profiler = cProfile.Profile(time.process_time)  # CPU, not wall time (the machine is shared)
    shown = False

    def step(name, measured, fn, *call_args, **kwargs):
        nonlocal shown
        before_sql = len(statements)
        if measured and args.profile == name:
            profiler.enable()
        t0 = time.process_time()
        out = fn(*call_args, **kwargs)
        spent = time.process_time() - t0
        if measured and args.profile == name:
            profiler.disable()
        if measured:
            cpu[name] += spent
            sql[name] += len(statements) - before_sql
            if args.sql and not shown:
                print(f"-- {name}:", *statements[before_sql:], sep="\n   ")
        return out

    warm = 50
    for i in range(warm + args.n):
        measured = i >= warm
        client = app.test_client()
        env = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": f"10.0.{i % 200}.{i // 200 % 250 + 1}"}
        html = step("get", measured, client.get, path, environ_base=env).get_data(as_text=True)
        body = {
            "csrf_token": CSRF.search(html).group(1),
            **dict(HIDDEN.findall(html)),
            "name": f"Persona {i}",
            "doc_type": "CC",
            "doc_number": str(80_000_000 + i),
            "contact": "",
            "consent": "y",
        }
        resp = step("post", measured, client.post, path, data=body, environ_base=env)
        assert resp.status_code == 303, resp.status_code
        thanks = step("thanks", measured, client.get, resp.headers["Location"], environ_base=env)
        assert thanks.status_code == 200
        if measured and args.sql:
            shown = True
    n = args.n
    total = sum(cpu.values())
    print(f"{n} sign-ins in process ({engine.dialect.name}), worker CPU and SQL statements per request:")
    for name in cpu:
        print(f"  {name:7s} {cpu[name] / n * 1000:6.2f} ms CPU, {sql[name] / n:4.1f} statements")
    print(f"  whole   {total / n * 1000:6.2f} ms CPU, {sum(sql.values()) / n:4.1f} statements")
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return 0


def _delete_own_keys() -> None:
    if os.environ.get("BENCH_REDIS_URL"):
        import redis

        conn = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"])
        for key in conn.scan_iter(match=f"*{PREFIX}*"):
            conn.delete(key)


if __name__ == "__main__":
    atexit.register(_delete_own_keys)
    sys.exit(main())
