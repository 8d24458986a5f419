"""Attendance surge: 2,000 distinct attendees (BENCH_QUICK=1: 200), 50 at a time, each loading the
sign-in form and posting it with its CSRF token, against gunicorn (2 sync workers) on 127.0.0.1,
on SQLite and on PostgreSQL. Compared with a minimal Flask app that stores one row per POST,
served the same way in the same run. Checks that rows stored equal successful answers.

    python bench/bench_events.py            (BENCH_PG_URL picks the PostgreSQL database)

Attendees arrive from 10 venue IP addresses (X-Forwarded-For through PARTICIPA_PROXY_COUNT=1), each
phone with its own cookies, so the real rate limits apply (per device, per form, per IP) without
one synthetic IP carrying 2,000 people.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

N = 200 if common.QUICK else 2000
CONCURRENCY = 50
TARGET_P95_MS = 250

SETUP = textwrap.dedent("""
    import secrets
    from datetime import timedelta
    from app import create_app
    from app.catalogs import services as catalogs
    from app.core import time
    from app.events.models import Event
    from app.extensions import db
    app = create_app()
    with app.app_context():
        db.create_all()
        catalogs.load("medellin")
        start = time.now() - timedelta(minutes=10)
        event = Event(kind="AUD", title="Audiencia pública (benchmark)", status="published", starts_at=start,
                      ends_at=start + timedelta(hours=3), place="Teatro", territory="01",
                      token=secrets.token_urlsafe(16), secret=secrets.token_urlsafe(32), short_code="BENCH23",
                      opens_before_min=60, closes_after_min=60)
        db.session.add(event)
        db.session.commit()
        print(event.token)
""")

BASELINE = textwrap.dedent('''
    """Minimal Flask app: a form with a token on GET, one row stored per POST."""
    import os
    from flask import Flask, request
    from sqlalchemy import create_engine, event, text
    url = os.environ["BASELINE_DB"]
    engine = create_engine(url, **({"connect_args": {"timeout": 15}} if url.startswith("sqlite") else {}))
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _wal(conn, _record):
            conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
    app = Flask(__name__)

    @app.get("/f")
    def form():
        return '<form method="post"><input type="hidden" name="csrf_token" value="x"></form>'

    @app.post("/f")
    def store():
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO baseline_row (name, doc) VALUES (:n, :d)"),
                         {"n": request.form.get("name", ""), "d": request.form.get("doc_number", "")})
        return "", 303, {"Location": "/f"}
''')

HIDDEN = re.compile(r'name="(nonce|ticket)"[^>]*value="([^"]*)"')


Phone = common.Session  # a phone arriving through the venue's proxy: Phone(base, ip)


def attendee(i: int) -> dict:
    """The first step: identity and consent."""
    return {"name": f"Persona de prueba {i}", "doc_type": "CC", "doc_number": str(70_000_000 + i),
            "contact": "", "consent": "y"}


def answers(i: int) -> dict:
    """The optional second step ("who takes part"), answered by every other attendee."""
    return {"profile-life_course": "AT", "profile-sex": "2" if i % 2 else "1", "profile-zone": "1",
            "profile-territory": "01", "profile-value_group": "CIU"}


STEP = re.compile(r'name="step"[^>]*value="([^"]*)"')


def warm_up(base: str, path: str) -> None:
    """A few form loads per worker before measuring (imports, templates, first queries)."""
    for i in range(10):
        phone = Phone(base, f"10.1.0.{i}")
        phone.get(path)
        phone.conn.close()


def surge(base: str, path: str, with_hidden: bool):
    warm_up(base, path)
    gets, posts, whole, steps = [], [], [], []
    statuses: dict[int, int] = {}
    answered = [0]

    def task(i: int):
        phone = Phone(base, f"10.0.{i % 10}.1")
        try:
            t0 = time.perf_counter()
            status, html, _h = phone.get(path)
            t1 = time.perf_counter()
            if status != 200:
                statuses[status] = statuses.get(status, 0) + 1
                return None
            body = {"csrf_token": phone.csrf(html), **attendee(i)}
            if with_hidden:
                body.update(dict(HIDDEN.findall(html)))
            status, _text, headers = phone.post(path, body)
            t2 = time.perf_counter()
            statuses[status] = statuses.get(status, 0) + 1
            if status == 303 and with_hidden and i % 2 == 0:  # the optional second step, measured apart
                step_path = _location(headers).rstrip("/") + "/quien-participa"
                t3 = time.perf_counter()
                step_status, step_html, _h = phone.get(step_path)
                token = STEP.search(step_html) if step_status == 200 else None
                if token:
                    step_status, _t, _h = phone.post(step_path, {"csrf_token": phone.csrf(step_html),
                                                                 "step": token.group(1), **answers(i)})
                    if step_status == 303:
                        answered[0] += 1
                        steps.append(time.perf_counter() - t3)
        except (OSError, http.client.HTTPException) as exc:
            print("  request failed:", repr(exc)[:200])
            return None
        finally:
            phone.conn.close()
        if status != 303:
            return None
        gets.append(t1 - t0)
        posts.append(t2 - t1)
        whole.append(t2 - t0)
        return t2 - t0

    _latencies, failures, wall = common.run_concurrently(task, N, CONCURRENCY)
    return {"gets": gets, "posts": posts, "whole": whole, "failures": failures, "wall": wall, "statuses": statuses,
            "steps": steps, "answered": answered[0]}


def _location(headers: dict) -> str:
    from urllib.parse import urlparse

    return next((urlparse(v).path for k, v in headers.items() if k.lower() == "location"), "")


def execute(url: str, sql: str):
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        result = conn.execute(text(sql))
        value = result.scalar_one() if result.returns_rows else None
    engine.dispose()
    return value


def count_rows(url: str, sql: str) -> int:
    return execute(url, sql)


def run(name: str, url: str) -> bool:
    if name == "postgresql":
        common.reset_postgres(url)
    env = common.env_for(url, PARTICIPA_PROXY_COUNT=1, PARTICIPA_BASE_URL="http://127.0.0.1")
    setup = subprocess.run([common.PY, "-c", SETUP], cwd=common.ROOT, env=env, capture_output=True, text=True)
    if setup.returncode != 0:
        raise RuntimeError(setup.stderr[-3000:])
    token = setup.stdout.strip().splitlines()[-1]
    with common.gunicorn("wsgi:app", env) as base:
        bind = base.removeprefix("http://")

        def workers(cmd: str) -> bool:
            return "gunicorn" in cmd and bind in cmd

        def postgres(cmd: str) -> bool:
            return cmd.startswith("postgres")

        app_before, pg_before = common.cpu_seconds(workers), common.cpu_seconds(postgres)
        result = surge(base, f"/asistencia/{token}", True)
        cpu_app, cpu_pg = common.cpu_seconds(workers) - app_before, common.cpu_seconds(postgres) - pg_before
    stored = count_rows(url, "SELECT COUNT(*) FROM event_attendance")
    distinct = count_rows(url, "SELECT COUNT(DISTINCT doc_hash) FROM event_attendance")
    profiles_before = count_rows(url, "SELECT COUNT(*) FROM profile")
    drained = common.flask_cli(["participa", "flush-profiles", "--max-age", "0"], env).strip()
    profiles = count_rows(url, "SELECT COUNT(*) FROM profile")

    baseline_dir = Path(tempfile.mkdtemp(prefix="participa-baseline-"))
    (baseline_dir / "baseline_app.py").write_text(BASELINE)
    baseline_url = (f"sqlite:///{baseline_dir / 'baseline.db'}" if name == "sqlite"
                    else url.replace("postgresql://", "postgresql+psycopg://", 1))
    key = "INTEGER PRIMARY KEY" if name == "sqlite" else "SERIAL PRIMARY KEY"
    execute(baseline_url, f"CREATE TABLE baseline_row (id {key}, name VARCHAR(160), doc VARCHAR(30))")
    with common.gunicorn("baseline_app:app", {**env, "BASELINE_DB": baseline_url}, chdir=baseline_dir) as base:
        baseline = surge(base, "/f", False)
    baseline_rows = count_rows(baseline_url, "SELECT COUNT(*) FROM baseline_row")

    ok_n = len(result["whole"])
    rate = ok_n / result["wall"]
    base_rate = len(baseline["whole"]) / baseline["wall"]
    p95_post = common.pct([v * 1000 for v in result["posts"]], 95)
    p95_get = common.pct([v * 1000 for v in result["gets"]], 95)
    print(f"  {name}: {ok_n}/{N} sign-ins in {result['wall']:.1f} s = {rate:.1f} sign-ins/s "
          f"(statuses {dict(sorted(result['statuses'].items()))}; rate-limit counters in {env['RATELIMIT_STORAGE_URI']})")
    print(f"    form GET:  {common.summary(result['gets'])}")
    print(f"    sign-in POST: {common.summary(result['posts'])}")
    print(f"    whole sign-in (GET + POST): {common.summary(result['whole'])}")
    cpu = f"app workers {cpu_app / max(ok_n, 1) * 1000:.2f} ms"
    if name == "postgresql":
        cpu += f", PostgreSQL {cpu_pg / max(ok_n, 1) * 1000:.2f} ms"
    print(f"    CPU per sign-in (GET + POST, from /proc): {cpu}")
    print(f"    baseline (minimal Flask, one row per POST): {base_rate:.1f} round trips/s; "
          f"POST {common.summary(baseline['posts'])} (statuses {dict(sorted(baseline['statuses'].items()))})")
    print(f"    ratio to baseline: {rate / base_rate:.2f}" if base_rate else "    ratio to baseline: n/a (baseline failed)")
    if result["steps"]:
        print(f"    optional second step (GET + POST): {common.summary(result['steps'])}")
    print(f"    profiles: {result['answered']} second steps acknowledged; {profiles_before} written by the buffer "
          f"during the surge (batches of at least k), {profiles} after draining ({drained}): "
          f"{'all counted once' if profiles == result['answered'] else 'MISMATCH'}")
    lost, doubled = ok_n - stored, stored - distinct
    ok = (stored == ok_n and distinct == stored and baseline_rows == len(baseline["whole"])
          and profiles == result["answered"])
    print(f"    rows stored {stored} = successful answers {ok_n}: {'yes' if stored == ok_n else 'NO'}; "
          f"doubled {doubled}, lost {max(lost, 0)}; baseline rows {baseline_rows} = {len(baseline['whole'])}")
    verdict = "met" if p95_post < TARGET_P95_MS and p95_get < TARGET_P95_MS else "NOT met"
    print(f"    target p95 < {TARGET_P95_MS} ms (GET {p95_get:.0f} ms, POST {p95_post:.0f} ms): {verdict}")
    return ok


def main() -> int:
    common.header(f"events: attendance surge, {N} attendees, {CONCURRENCY} at a time, gunicorn 2 workers",
                  ("BENCH_QUICK=1 " if common.QUICK else "") + "python bench/bench_events.py")
    ok = True
    for name, url in common.databases():
        ok = run(name, url) and ok
    if not ok:
        print("  FAILED: rows stored differ from successful answers")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
