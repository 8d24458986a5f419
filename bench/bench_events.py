"""Sign-in surge, as a phone does it: 2,000 distinct attendees (BENCH_QUICK=1: 200), 50 at a time,
each loading the QR sign-in form, posting it with its CSRF token (and the form's nonce and ticket)
and following the redirect to the thanks page, against gunicorn (2 sync workers) on 127.0.0.1, on
SQLite and PostgreSQL. The baseline, served the same way in the same run, is a minimal Flask app
making the same three round trips (a small form page with a CSRF token, a POST storing one row
and answering 303, a small thanks page). The two alternate, round after round (3 rounds; BENCH_ROUNDS
or --rounds), and the figures are medians with their ranges:

- sign-ins/s of each and their ratio;
- worker CPU per sign-in (utime + stime of the gunicorn processes, read from /proc before and
  after the surge): the figure to read on a machine shared with other work;
- p95 of the whole sign-in and of each request;
- nothing lost or doubled (rows counted in the database against the answers received);
- the optional second step ("who takes part", every other attendee), measured on its own
  afterwards: its own rate, CPU and p95, and the profiles stored after the buffer drains.

    python bench/bench_events.py                   (BENCH_PG_URL names the PostgreSQL server)
    python bench/bench_events.py --against main~20 (also serves that commit, alternately)

`--against REF` (or BENCH_AGAINST=REF, `make bench BENCH_AGAINST=REF`) checks REF out in a temporary
git worktree, serves it with this same virtualenv exactly like this checkout, alternately in the
same rounds, and prints both rates, CPU per sign-in and the ratio.

Attendees arrive from 10 venue IP addresses (X-Forwarded-For through PARTICIPA_PROXY_COUNT=1), each
phone with its own cookies, so the real rate limits apply (per device, per form, per IP). Each
bench run uses its own PostgreSQL database and its own Redis key prefix (bench/common.py).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

# BENCH_N: fewer attendees on a machine too loaded for 2,000 per surge (the figures say how many).
N = int(os.environ.get("BENCH_N") or (200 if common.QUICK else 2000))
CONCURRENCY = 50
ROUNDS = int(os.environ.get("BENCH_ROUNDS") or (1 if common.QUICK else 3))
TARGET_CPU_MS, TARGET_RATIO, TARGET_P95_MS = 6.0, 0.80, 100.0

SETUP = textwrap.dedent("""
    import secrets
    from datetime import timedelta
    from app import create_app
    try:
        from app.catalogs import commands as catalogs
    except ImportError:  # a ref from before the skeleton (--against)
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
    """Minimal Flask app, three round trips: a form page with a CSRF token kept in the signed session
    cookie, a POST that checks it, stores one row and answers 303, and a small thanks page."""
    import hmac
    import os
    import secrets
    from flask import Flask, abort, request, session
    from sqlalchemy import create_engine, event, text
    url = os.environ["BASELINE_DB"]
    engine = create_engine(url, **({"connect_args": {"timeout": 15}} if url.startswith("sqlite") else {}))
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _wal(conn, _record):
            conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
    app = Flask(__name__)
    app.secret_key = "baseline-secret"

    @app.get("/f")
    def form():
        token = session.setdefault("csrf", secrets.token_urlsafe(24))
        return ('<!doctype html><title>Firma</title><form method="post">'
                f'<input type="hidden" name="csrf_token" value="{token}">'
                '<input name="name"><input name="doc_type"><input name="doc_number"><input name="contact">'
                '<input type="checkbox" name="consent" value="y"><button>Firmar</button></form>')

    @app.post("/f")
    def store():
        if not hmac.compare_digest(request.form.get("csrf_token", ""), session.get("csrf", "")):
            abort(400)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO baseline_row (name, doc) VALUES (:n, :d)"),
                         {"n": request.form.get("name", ""), "d": request.form.get("doc_number", "")})
        return "", 303, {"Location": "/gracias"}

    @app.get("/gracias")
    def thanks():
        return "<!doctype html><title>Gracias</title><h1>Gracias, tu asistencia quedó registrada</h1>"
''')

NAMES = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
HIDDEN = re.compile(r'name="(nonce|ticket|step)"[^>]*value="([^"]*)"')
Phone = common.Session  # a phone arriving through the venue's proxy: Phone(base, ip)


def attendee(i: int) -> dict:
    """What a person types in the first step (identity and consent). Older versions of the form
    asked for the characterisation too: only the fields the served form has are sent."""
    return {
        "name": f"Persona de prueba {i}",
        "doc_type": "CC",
        "doc_number": str(70_000_000 + i),
        "contact": "",
        "consent": "y",
        "profile-consent": "y",
        **answers(i),
    }


def answers(i: int) -> dict:
    """The optional second step ("who takes part")."""
    return {
        "profile-life_course": "AT",
        "profile-sex": "2" if i % 2 else "1",
        "profile-zone": "1",
        "profile-territory": "01",
        "profile-value_group": "CIU",
    }


def form_body(phone: Phone, html: str, values: dict) -> dict:
    """The POST a phone sends for this page: its CSRF token, hidden values and the typed fields
    that the page's form has."""
    names = set(NAMES.findall(html))
    return {
        "csrf_token": phone.csrf(html),
        **dict(HIDDEN.findall(html)),
        **{k: v for k, v in values.items() if k in names},
    }


def location(headers: dict) -> str:
    return next((urlparse(v).path for k, v in headers.items() if k.lower() == "location"), "")


def warm_up(base: str, path: str) -> None:
    """A few form loads per worker before measuring (imports, templates, first queries)."""
    for i in range(10):
        phone = Phone(base, f"10.1.0.{i}")
        for attempt in range(3):  # a worker's first request can be slow on a loaded machine
            try:
                phone.get(path)
                break
            except (OSError, http.client.HTTPException):
                if attempt == 2:
                    raise
                phone.conn.close()
                phone = Phone(base, f"10.1.0.{i}")
        phone.conn.close()


@dataclass
class Surge:
    ok: int
    wall: float
    cpu: float  # worker CPU seconds during the surge
    whole: list[float]
    gets: list[float]
    posts: list[float]
    thanks: list[float]
    statuses: dict
    phones: list  # (i, cookies, thanks path) of the attendees who take the second step

    @property
    def rate(self) -> float:
        return self.ok / self.wall if self.wall else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu / max(self.ok, 1) * 1000


def surge(base: str, path: str, workers) -> Surge:
    """N attendees, CONCURRENCY at a time: form GET, POST, redirect followed to the thanks page."""
    warm_up(base, path)
    gets, posts, thanks, whole, phones = [], [], [], [], []
    statuses: dict[str, int] = {}

    def count(what: str) -> None:
        statuses[what] = statuses.get(what, 0) + 1

    def task(i: int):
        phone = Phone(base, f"10.0.{i % 10}.1")
        try:
            t0 = time.perf_counter()
            status, html, _h = phone.get(path)
            t1 = time.perf_counter()
            if status != 200:
                count(f"GET {status}")
                return None
            status, _text, headers = phone.post(path, form_body(phone, html, attendee(i)))
            t2 = time.perf_counter()
            if status != 303:
                count(f"POST {status}")
                return None
            thanks_path = location(headers)
            status, _text, _h = phone.get(thanks_path)
            t3 = time.perf_counter()
            if status != 200:
                count(f"thanks {status}")
                return None
        except (OSError, http.client.HTTPException) as exc:
            print("  request failed:", repr(exc)[:200])
            return None
        finally:
            phone.conn.close()
        count("signed")
        gets.append(t1 - t0)
        posts.append(t2 - t1)
        thanks.append(t3 - t2)
        whole.append(t3 - t0)
        if i % 2 == 0:
            phones.append((i, dict(phone.cookies), thanks_path))
        return t3 - t0

    before = common.cpu_seconds(workers)
    _latencies, _failures, wall = common.run_concurrently(task, N, CONCURRENCY)
    cpu = common.cpu_seconds(workers) - before
    return Surge(len(whole), wall, cpu, whole, gets, posts, thanks, statuses, phones)


def second_step(base: str, phones: list, workers) -> dict:
    """The optional second step on its own, after the surge: open it from the thanks page, answer,
    follow the redirect back (every other attendee)."""
    times: list[float] = []
    answered = [0]

    def task(k: int):
        i, cookies, thanks_path = phones[k]
        phone = Phone(base, f"10.0.{i % 10}.1")
        phone.cookies = dict(cookies)
        step_path = thanks_path.rstrip("/") + "/quien-participa"
        try:
            t0 = time.perf_counter()
            status, html, _h = phone.get(step_path)
            if status != 200 or 'name="step"' not in html:
                return None
            status, _t, headers = phone.post(step_path, form_body(phone, html, answers(i)))
            if status != 303:
                return None
            status, _t, _h = phone.get(location(headers))
            if status != 200:
                return None
        finally:
            phone.conn.close()
        answered[0] += 1
        times.append(time.perf_counter() - t0)
        return times[-1]

    before = common.cpu_seconds(workers)
    _l, _f, wall = common.run_concurrently(task, len(phones), CONCURRENCY)
    cpu = common.cpu_seconds(workers) - before
    return {"answered": answered[0], "wall": wall, "cpu": cpu, "times": times}


def execute(url: str, sql: str):
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return result.scalar_one() if result.returns_rows else None
    finally:
        engine.dispose()


def fresh_database(name: str) -> str:
    if name == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='participa-bench-')}/bench.db"
    url = common.own_postgres()
    common.reset_postgres(url)
    return url


def portal(name: str, root: Path) -> dict:
    """Serve the portal of checkout `root`; one surge, its second step, and the row counts."""
    url = fresh_database(name)
    env = common.env_for(url, PARTICIPA_PROXY_COUNT=1, PARTICIPA_BASE_URL="http://127.0.0.1")
    setup = subprocess.run([common.PY, "-c", SETUP], cwd=root, env=env, capture_output=True, text=True)
    if setup.returncode != 0:
        raise RuntimeError(setup.stderr[-3000:])
    token = setup.stdout.strip().splitlines()[-1]
    with common.gunicorn("wsgi:app", env, chdir=root) as base:
        bind = base.removeprefix("http://")

        def workers(cmd: str) -> bool:
            return "gunicorn" in cmd and bind in cmd

        result = surge(base, f"/asistencia/{token}", workers)
        step = second_step(base, result.phones, workers)
    stored = execute(url, "SELECT COUNT(*) FROM event_attendance")
    distinct = execute(url, "SELECT COUNT(DISTINCT doc_hash) FROM event_attendance")
    profiles = None
    if step["answered"]:
        common.flask_cli(["participa", "flush-profiles", "--max-age", "0"], env, cwd=root)
        profiles = execute(url, "SELECT COUNT(*) FROM profile")
    return {
        "surge": result,
        "stored": stored,
        "distinct": distinct,
        "step": step,
        "profiles": profiles,
        "limits": env["RATELIMIT_STORAGE_URI"],
    }


def baseline(name: str) -> dict:
    url = fresh_database(name)
    folder = Path(tempfile.mkdtemp(prefix="participa-baseline-"))
    (folder / "baseline_app.py").write_text(BASELINE)
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    key = "INTEGER PRIMARY KEY" if name == "sqlite" else "SERIAL PRIMARY KEY"
    execute(url, f"CREATE TABLE baseline_row (id {key}, name VARCHAR(160), doc VARCHAR(30))")
    env = {**os.environ, "BASELINE_DB": url}
    with common.gunicorn("baseline_app:app", env, chdir=folder) as base:
        bind = base.removeprefix("http://")
        result = surge(base, "/f", lambda cmd: "gunicorn" in cmd and bind in cmd)
    stored = execute(url, "SELECT COUNT(*) FROM baseline_row")
    shutil.rmtree(folder, ignore_errors=True)
    return {"surge": result, "stored": stored, "distinct": stored, "step": None, "profiles": None}


@contextlib.contextmanager
def checkout(ref: str):
    """REF checked out in a temporary git worktree (translations compiled), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="participa-against-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(folder), ref],
        cwd=common.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=folder, capture_output=True, text=True
        ).stdout.strip()
        pybabel = Path(common.PY).parent / "pybabel"
        subprocess.run(
            [str(pybabel), "compile", "-d", "translations"], cwd=folder, capture_output=True, check=True
        )
        yield folder, commit
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(folder)], cwd=common.ROOT, capture_output=True
        )
        shutil.rmtree(folder.parent, ignore_errors=True)


def ms(values: list[float], p: float) -> float:
    return common.pct([v * 1000 for v in values], p)


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    if not values:
        return "n/a"
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}–{fmt.format(max(values))}]"


def check(run: dict) -> tuple[bool, str]:
    s = run["surge"]
    lost, doubled = s.ok - run["stored"], run["stored"] - run["distinct"]
    ok = lost == 0 and doubled == 0 and s.ok == N
    text = f"{s.ok}/{N} answered, rows {run['stored']}, lost {max(lost, 0)}, doubled {doubled}"
    if run["profiles"] is not None:
        same = run["profiles"] == run["step"]["answered"]
        ok = ok and same
        text += (
            f"; profiles {run['profiles']} = second steps {run['step']['answered']}: "
            f"{'yes' if same else 'NO'}"
        )
    return ok, text


def report(name: str, runs: dict[str, list[dict]], labels: dict[str, str]) -> bool:
    ok = True
    print(f"\n  {name}: {len(runs['app'])} rounds, median [range]")
    for key, label in labels.items():
        rs = runs[key]
        surges = [r["surge"] for r in rs]
        print(f"    {label}:")
        print(
            f"      sign-ins/s {spread([s.rate for s in surges])}; worker CPU per sign-in "
            f"{spread([s.cpu_ms for s in surges], '{:.2f}')} ms"
        )
        print(
            f"      p95 whole sign-in {spread([ms(s.whole, 95) for s in surges], '{:.0f}')} ms "
            f"(form GET {spread([ms(s.gets, 95) for s in surges], '{:.0f}')}, POST "
            f"{spread([ms(s.posts, 95) for s in surges], '{:.0f}')}, thanks "
            f"{spread([ms(s.thanks, 95) for s in surges], '{:.0f}')} ms)"
        )
        for i, r in enumerate(rs, 1):
            good, text = check(r)
            ok = ok and good
            statuses = dict(sorted(r["surge"].statuses.items()))
            print(f"      round {i}: {text} {statuses}")
        steps = [r["step"] for r in rs if r["step"] and r["step"]["answered"]]
        if steps:
            print(
                f"      optional second step on its own (GET, POST, thanks; {steps[0]['answered']} "
                f"attendees): "
                f"{spread([st['answered'] / st['wall'] for st in steps])}/s, worker CPU "
                f"{spread([st['cpu'] / st['answered'] * 1000 for st in steps], '{:.2f}')} ms each, p95 "
                f"{spread([ms(st['times'], 95) for st in steps], '{:.0f}')} ms"
            )
    for key, label in labels.items():
        if key == "baseline":
            continue
        rate = [a["surge"].rate / b["surge"].rate for a, b in zip(runs[key], runs["baseline"], strict=True)]
        cpu = [
            a["surge"].cpu_ms / b["surge"].cpu_ms for a, b in zip(runs[key], runs["baseline"], strict=True)
        ]
        print(
            f"    {label} / three-request Flask app: rate ratio {spread(rate, '{:.2f}')}, CPU ratio "
            f"{spread(cpu, '{:.2f}')}"
        )
    if "against" in runs:
        rate = [a["surge"].rate / b["surge"].rate for a, b in zip(runs["app"], runs["against"], strict=True)]
        cpu = [
            a["surge"].cpu_ms / b["surge"].cpu_ms for a, b in zip(runs["app"], runs["against"], strict=True)
        ]
        print(
            f"    this checkout / {labels['against']}: rate ratio {spread(rate, '{:.2f}')} (≥ 1 is no "
            f"slower), "
            f"CPU per sign-in ratio {spread(cpu, '{:.2f}')} (≤ 1 is no more work)"
        )
    app = [r["surge"] for r in runs["app"]]
    cpu, p95 = statistics.median([s.cpu_ms for s in app]), statistics.median([ms(s.whole, 95) for s in app])
    ratio = statistics.median([a.rate / b["surge"].rate for a, b in zip(app, runs["baseline"], strict=True)])
    print(
        f"    targets: CPU ≤ {TARGET_CPU_MS:.0f} ms: {'met' if cpu <= TARGET_CPU_MS else 'NOT met'} "
        f"({cpu:.2f}); "
        f"rate ≥ {TARGET_RATIO:.0%} of the app: {'met' if ratio >= TARGET_RATIO else 'NOT met'} "
        f"({ratio:.0%}); "
        f"p95 < {TARGET_P95_MS:.0f} ms (a quiet machine): {'met' if p95 < TARGET_P95_MS else 'not met'} "
        f"({p95:.0f} ms); lost/doubled: {'none' if ok else 'SOME (see rounds)'}"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="QR sign-in surge (three round trips) against a minimal app")
    parser.add_argument(
        "--against",
        default=os.environ.get("BENCH_AGAINST") or None,
        help="also serve this git ref (temporary worktree), alternately, and compare",
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args(argv)
    command = (
        ("BENCH_QUICK=1 " if common.QUICK else "")
        + (f"BENCH_N={N} " if os.environ.get("BENCH_N") else "")
        + ("python bench/bench_events.py")
        + (f" --against {args.against}" if args.against else "")
        + (f" --rounds {args.rounds}" if args.rounds != ROUNDS else "")
    )
    common.header(
        f"events: sign-in surge (form, POST, thanks page), {N} attendees, {CONCURRENCY} at a time, "
        f"gunicorn 2 workers, {args.rounds} alternating rounds",
        command,
    )
    with contextlib.ExitStack() as stack:
        contenders = {
            "app": ("this checkout", lambda name: portal(name, common.ROOT)),
            "baseline": ("three-request Flask app", baseline),
        }
        if args.against:
            folder, commit = stack.enter_context(checkout(args.against))
            contenders["against"] = (f"{args.against} ({commit})", lambda name: portal(name, folder))
        ok = True
        for name, _url in common.databases():
            if args.only and name != args.only:
                continue
            runs: dict[str, list[dict]] = {key: [] for key in contenders}
            keys = list(contenders)
            for r in range(args.rounds):
                order = keys[r % len(keys) :] + keys[: r % len(keys)]  # who goes first changes every round
                for key in order:
                    runs[key].append(contenders[key][1](name))
                    s = runs[key][-1]["surge"]
                    print(
                        f"    {name} round {r + 1}, {contenders[key][0]}: {s.rate:.1f} sign-ins/s, "
                        f"CPU {s.cpu_ms:.2f} ms, p95 {ms(s.whole, 95):.0f} ms",
                        flush=True,
                    )
            ok = report(name, runs, {k: v[0] for k, v in contenders.items()}) and ok
    if not ok:
        print("  FAILED: a sign-in was lost, doubled or refused (see the rounds)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
