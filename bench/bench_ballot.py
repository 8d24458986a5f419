"""Urna virtual benchmark, on SQLite and PostgreSQL, against gunicorn (2 sync workers).

1. Staff inbox with 10,000 questions (BENCH_QUICK=1: 2,000): first page, filtered and deep pages;
   target p95 < 300 ms.
2. 50 concurrent depositors for 30 seconds (quick: 5 s): every radicado seen by a citizen is
   unique, the year's numbers are consecutive from 1 with no gap, and none is lost (the database
   holds exactly the radicados the citizens were shown).

Reproduce: `python bench/bench_ballot.py` (PostgreSQL: a database of its own on the server
of BENCH_PG_URL, dropped at the end).
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

N_QUESTIONS = 2_000 if common.QUICK else 10_000
DEPOSITORS = 50
SECONDS = 5 if common.QUICK else 30
INBOX_TARGET_MS = 300
PASSWORD = "bench-password-2026"

SETUP = r"""
import random, sys
from datetime import timedelta
from sqlalchemy import insert
from app import create_app
from app.extensions import db
from app.core import time
from app.catalogs import commands as catalog_commands
from app.catalogs import queries as catalogs
from app.accounts import commands as accounts
from app.ballot.models import BallotCounter, BallotQuestion
from app.ballot.rules import KINDS, term_days, due_date, format_radicado

n, password = int(sys.argv[1]), sys.argv[2]
app = create_app()
with app.app_context():
    db.create_all()
    catalog_commands.load("medellin")
    accounts.create_user("admin@bench.test", password, "admin", name="Bench", actor="bench")
    offices = [c for c, _ in catalogs.office_choices()]
    territories = [c for c, _ in catalogs.territory_choices()]
    rng = random.Random(7)
    year = time.local_now().year - 1  # seeded into last year: this year's numbering starts at 1
    start = time.now().replace(year=year, month=1, day=15)
    statuses = ["received", "assigned", "in_progress", "answered", "closed"]
    rows = []
    for i in range(1, n + 1):
        kind = rng.choice(list(KINDS))
        received = start + timedelta(minutes=i * 37)
        filed = time.to_local(received).date()
        days = term_days(KINDS[kind][2])
        due = due_date(filed, days)
        status = rng.choice(statuses)
        rows.append(dict(year=year, number=i, radicado=format_radicado(year, i), received_at=received,
                         filed_on=filed, code_hash="x" * 64, lang="es", kind=kind, term_code=KINDS[kind][2],
                         term_days=days,
                         initial_due_on=due, due_on=due, office_code=rng.choice(offices + [None]),
                         territory=rng.choice(territories + [None]), anonymous=True, status=status,
                         text="Pregunta de prueba número %d sobre el presupuesto participativo de la "
                              "comuna." % i,
                         public=False, answered_on_time=(status in ("answered", "closed")) or None))
        if len(rows) == 2000:
            db.session.execute(insert(BallotQuestion), rows); rows = []
    if rows:
        db.session.execute(insert(BallotQuestion), rows)
    db.session.add(BallotCounter(year=year, value=n))
    db.session.commit()
print("seeded", n)
"""

CHECK = r"""
import json
from sqlalchemy import select
from app import create_app
from app.extensions import db
from app.core import time
from app.ballot.models import BallotQuestion
app = create_app()
with app.app_context():
    year = time.local_now().year
    rows = db.session.execute(select(BallotQuestion.number, BallotQuestion.radicado)
                              .where(BallotQuestion.year == year)).all()
    print(json.dumps({"numbers": [r[0] for r in rows], "radicados": [r[1] for r in rows]}))
"""


Person = common.Session  # a citizen on their own device and IP: Person(base, ip)


def bench_inbox(base: str) -> bool:
    staff = Person(base, "10.9.9.9")
    _s, html, _h = staff.get("/gestion/ingresar")
    status, _t, _h = staff.post(
        "/gestion/ingresar",
        {"csrf_token": staff.csrf(html), "email": "admin@bench.test", "password": PASSWORD},
    )
    assert status == 302, f"login failed ({status})"

    def warm(_i: int) -> float:  # every worker: templates compiled, holiday calendar loaded; not measured
        browser = Person(base, "10.9.9.9")
        browser.cookies = dict(staff.cookies)
        browser.get("/gestion/urna/")
        return 0.0

    common.run_concurrently(warm, 12, 4)  # in parallel, or one worker may take every warm-up request
    ok = True
    for label, path in [
        ("first page", "/gestion/urna/"),
        ("overdue", "/gestion/urna/?alerta=overdue"),
        ("office+status", "/gestion/urna/?estado=in_progress&dependencia=" + "none"),
        ("page 40", "/gestion/urna/?pagina=40"),
        ("radicado", "/gestion/urna/?q=UV-2025-000123"),
    ]:
        latencies = []
        for _ in range(3 if common.QUICK else 10):
            start = time.perf_counter()
            status, _text, _h = staff.get(path)
            latencies.append(time.perf_counter() - start)
            assert status == 200, (path, status)
        p95 = common.pct([v * 1000 for v in latencies], 95)
        ok &= p95 < INBOX_TARGET_MS
        print(f"  inbox {label:14} {common.summary(latencies)}  {'OK' if p95 < INBOX_TARGET_MS else 'SLOW'}")
    return ok


def bench_depositors(base: str, env: dict) -> bool:
    seen: list[str] = []
    failures: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.time() + SECONDS

    def depositor(index: int):
        rng = random.Random(index)
        person, count = None, 0
        while time.time() < deadline:
            if person is None or count % 10 == 0:  # a new person (device and IP) every ten deposits
                person = Person(base, f"10.{index}.{count // 256 % 256}.{count % 256}")
                _s, form, _h = person.get("/urna/")
            body = {
                "csrf_token": person.csrf(form),
                "kind": rng.choice(["question", "proposal", "information"]),
                "text": f"Pregunta concurrente {index}-{count} sobre el alumbrado del parque.",
                "identity": "anonymous",
                "office": "",
                "territory": "",
            }
            start = time.perf_counter()
            status, _t, headers = person.post("/urna/", body)
            if status != 302:
                with lock:
                    failures.append(f"deposit {status}")
                count += 1
                continue
            status, page, _h = person.get("/urna/radicado")
            elapsed = time.perf_counter() - start
            match = re.search(r'<p class="radicado">(UV-\d{4}-\d{6})</p>', page)
            with lock:
                if match:
                    seen.append(match.group(1))
                    latencies.append(elapsed)
                else:
                    failures.append(f"receipt {status}")
            count += 1

    threads = [threading.Thread(target=depositor, args=(i,)) for i in range(DEPOSITORS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    import json

    out = subprocess.run(
        [common.PY, "-c", CHECK], cwd=common.ROOT, env=env, capture_output=True, text=True, check=True
    )
    stored = json.loads(out.stdout.strip().splitlines()[-1])
    numbers = sorted(stored["numbers"])
    unique = len(set(seen)) == len(seen)
    consecutive = numbers == list(range(1, len(numbers) + 1))
    none_lost = sorted(seen) == sorted(stored["radicados"])
    print(
        f"  {DEPOSITORS} depositors × {SECONDS}s: {len(seen)} radicados ({len(seen) / SECONDS:.1f}/s), "
        f"{len(failures)} failed requests; deposit+receipt {common.summary(latencies)}"
    )
    print(
        f"  unique: {unique}; consecutive 1..{len(numbers)} without gaps: {consecutive}; "
        f"none lost (shown == stored): {none_lost}"
    )
    if failures:
        print("  failures:", sorted(set(failures))[:5])
    return unique and consecutive and none_lost and not failures


def main() -> int:
    common.header(
        f"Urna virtual: inbox with {N_QUESTIONS:,} questions; {DEPOSITORS} depositors for {SECONDS}s",
        ("BENCH_QUICK=1 " if common.QUICK else "") + "python bench/bench_ballot.py",
    )
    ok = True
    for name, url in common.databases():
        print(f"\n[{name}]")
        if name == "postgresql":
            common.reset_postgres(url)
        env = common.env_for(url, PARTICIPA_PROXY_COUNT=1)
        subprocess.run(
            [common.PY, "-c", SETUP, str(N_QUESTIONS), PASSWORD],
            cwd=common.ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        with common.gunicorn("wsgi:app", env, workers=2) as base:
            ok &= bench_inbox(base)
            ok &= bench_depositors(base, env)
    print("\nRESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
