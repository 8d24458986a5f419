"""The daily purge on a large database: how long one all-or-nothing run takes.

Fills 400 events with 500 signatures each (200,000 attendance rows, half of them past the
2-year period), 20,000 named ballot questions (half answered more than a year ago) with their
notices, and 20,000 consent proofs; then times `run_purge()` (one transaction, one audit entry)
and a second run that finds nothing. SQLite and PostgreSQL. BENCH_QUICK=1: a tenth of the rows.

    .venv/bin/python bench/bench_retention.py
"""

from __future__ import annotations

import os
import secrets
import sys
import time as clock
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import QUICK, databases, reset_postgres  # noqa: E402

SCALE = 10 if QUICK else 1
EVENTS, PER_EVENT, QUESTIONS, CONSENTS = 400 // SCALE, 500, 20_000 // SCALE, 20_000 // SCALE
NOW = datetime(2026, 6, 15, 15)


def fill(db):
    from sqlalchemy import insert

    from app.ballot.models import BallotNotice, BallotQuestion
    from app.characterization.models import ConsentRecord
    from app.events.models import Attendance, Event

    consents = [
        {
            "id": secrets.token_hex(12),
            "policy_version": "v1",
            "channel": "web",
            "capability": "events",
            "given_at": NOW - timedelta(days=400 + i % 1500),
        }
        for i in range(CONSENTS)
    ]
    db.session.execute(insert(ConsentRecord), consents)
    events = []
    for i in range(EVENTS):
        ends = NOW - timedelta(days=100 + 5 * i)  # half the events ended more than 730 days ago
        events.append(
            {
                "id": i + 1,
                "kind": "AUD",
                "title": f"Evento {i}",
                "status": "closed",
                "starts_at": ends - timedelta(hours=2),
                "ends_at": ends,
                "token": secrets.token_hex(10),
                "secret": "s",
                "short_code": f"C{i:06d}",
            }
        )
    db.session.execute(insert(Event), events)
    rows = []
    for e in events:
        for j in range(PER_EVENT):
            rows.append(
                {
                    "event_id": e["id"],
                    "nonce": f"{e['id']}-{j}",
                    "name": f"Persona {j}",
                    "doc_type": "CC",
                    "doc_number": str(10_000_000 + j),
                    "doc_hash": secrets.token_hex(32),
                    "contact": "300 000 0000",
                    "signed_at": e["starts_at"],
                    "consent_id": consents[(e["id"] * PER_EVENT + j) % CONSENTS]["id"],
                }
            )
        if len(rows) >= 20_000:
            db.session.execute(insert(Attendance), rows)
            rows = []
    if rows:
        db.session.execute(insert(Attendance), rows)
    questions = []
    for i in range(QUESTIONS):
        filed = (NOW - timedelta(days=200 + i % 400)).date()
        questions.append(
            {
                "id": i + 1,
                "year": filed.year,
                "number": i + 1,
                "radicado": f"UV-{filed.year}-{i:06d}",
                "received_at": NOW - timedelta(days=200 + i % 400),
                "filed_on": filed,
                "code_hash": "x",
                "kind": "question",
                "term_code": "PETICION_GENERAL",
                "term_days": 15,
                "initial_due_on": filed,
                "due_on": filed,
                "text": "Pregunta",
                "anonymous": False,
                "name": "Ana",
                "email": f"a{i}@example.co",
                "status": "answered",
                "answered_at": NOW - timedelta(days=180 + i % 400),
            }
        )
    db.session.execute(insert(BallotQuestion), questions)
    db.session.execute(
        insert(BallotNotice),
        [
            {
                "question_id": q["id"],
                "kind": "received",
                "to_address": q["email"],
                "subject": "s",
                "body": "b",
                "sent_at": q["received_at"],
            }
            for q in questions
        ],
    )
    db.session.commit()


def main():
    print(
        f"bench_retention: {EVENTS * PER_EVENT:,} attendance rows, {QUESTIONS:,} questions, "
        f"{CONSENTS:,} consent proofs"
    )
    for name, url in databases():
        if name == "postgresql":
            reset_postgres(url)
        os.environ["DATABASE_URL"] = url
        from app import create_app
        from app.core import retention, time
        from app.extensions import db

        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "PARTICIPA_HASH_KEY": "bench",
                "PARTICIPA_ENV": "development",
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
        with app.app_context():
            db.create_all()
            started = clock.perf_counter()
            fill(db)
            filled = clock.perf_counter() - started
            with time.freeze(NOW):
                started = clock.perf_counter()
                summary = retention.run_purge()
                first = clock.perf_counter() - started
                started = clock.perf_counter()
                again = retention.run_purge()
                second = clock.perf_counter() - started
            db.session.remove()
            db.engine.dispose()
        print(
            f"  {name}: fill {filled:.1f} s; purge {first:.2f} s ({summary.total:,} records: "
            f"{', '.join(f'{k} {v:,}' for k, v in summary.counts.items() if v)}); "
            f"second run {second:.2f} s ({again.total} records)"
        )


if __name__ == "__main__":
    main()
