"""Radicados: consecutive per year, unique and without gaps under concurrent deposits, on the
real database of the run (a SQLite file, or PostgreSQL with DATABASE_URL)."""

import threading
from datetime import datetime

from sqlalchemy import select

from app.ballot import commands, rules
from app.ballot.models import BallotQuestion
from app.core import time
from app.extensions import db

from .conftest import TEXT

THREADS, PER_THREAD = 8, 6


def _worker(app, index: int, errors: list, refused: list):
    with app.app_context():
        for j in range(PER_THREAD):
            named = (index + j) % 5 == 0  # named without consent: refused after taking a number
            data = {
                "kind": "question",
                "text": TEXT,
                "anonymous": not named,
                "name": "X" if named else None,
                "email": "x@example.org" if named else None,
            }
            try:
                with app.test_request_context():
                    commands.deposit(commands.Deposit(**data), None)
            except commands.DepositError:
                refused.append(1)
            except Exception as exc:  # noqa: BLE001 - reported by the test
                errors.append(repr(exc))
        db.session.remove()


def test_concurrent_deposits_get_unique_consecutive_numbers_without_gaps(app, catalogs):
    assert db.engine.dialect.name == "postgresql" or db.engine.url.database not in (None, "", ":memory:")
    errors, refused = [], []
    threads = [threading.Thread(target=_worker, args=(app, i, errors, refused)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(db.session.scalars(select(BallotQuestion.number)))
    expected = THREADS * PER_THREAD - len(refused)
    assert refused and len(numbers) == expected
    assert numbers == list(range(1, expected + 1))  # unique, consecutive, no number burnt by a refusal
    radicados = list(db.session.scalars(select(BallotQuestion.radicado)))
    assert len(set(radicados)) == expected


def test_numbering_restarts_each_year_in_bogota_time(app, file_question):
    # 2026-12-31 23:30 in Bogotá is 2027-01-01 04:30 UTC: still a 2026 filing.
    with time.freeze(datetime(2027, 1, 1, 4, 30)):
        last = file_question().question
    with time.freeze(datetime(2027, 1, 1, 5, 10)):
        first = file_question().question
        second = file_question().question
    assert last.radicado == "UV-2026-000001" and last.filed_on.isoformat() == "2026-12-31"
    assert first.radicado == "UV-2027-000001" and second.radicado == "UV-2027-000002"


def test_radicado_is_normalised_when_typed_loosely():
    assert rules.normalise_radicado(" uv 2026 123 ") == "UV-2026-000123"
    assert rules.normalise_radicado("UV-2026-000123") == "UV-2026-000123"
    assert rules.normalise_radicado("2026-123") == ""
