"""Bursts of responses from one device or one address, flagged to staff.

"One response per person" under the device rule is one per browser: a script that drops its
cookies can answer again and again. Each response therefore counts, apart from the ballot, under
its sources: the signed device id and the address, each as a truncated keyed hash (16 hex
characters, a key per consultation), never in the clear. When a source passes its threshold
within its window, a `ConsultationBurst` is written (kind, window, count: no hash) and shown on
the staff results page. Source rows are deleted after `KEEP_SOURCES`.

Thresholds (see docs/operations/security.md):
- device: 3 or more responses to one consultation within 10 minutes (a browser keeps a marker
  after answering; a second answer means the marker was cleared, a third is a pattern);
- address: 10 or more within 1 minute (a whole event venue answering on one Wi-Fi reaches a few
  a minute; a script reaches dozens). A venue may still trip it: staff read it as a sign, and
  the "verified only" results are the answer that a burst cannot move.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.consultations.models import ConsultationBurst, ConsultationSource
from app.core import time
from app.core.hashing import keyed_hash
from app.extensions import db

DEVICE, ADDRESS = "device", "address"
THRESHOLDS = {DEVICE: (3, 10), ADDRESS: (10, 1)}  # kind -> (responses, window minutes)
KEEP_SOURCES = timedelta(hours=1)
PURGE_ONE_IN = 20  # sweep old source rows on about one response in 20 (and on the staff page)


def _window(kind: str, at: datetime) -> datetime:
    minutes = THRESHOLDS[kind][1]
    return at.replace(second=0, microsecond=0) - timedelta(minutes=at.minute % minutes)


def source_hash(consultation_id: int, kind: str, value: str) -> str:
    return keyed_hash(f"consultation-source:{consultation_id}", f"{kind}:{value}")[:16]


@cache
def _upsert(dialect: str):
    table = ConsultationSource.__table__
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return (stmt.on_conflict_do_update(index_elements=["consultation_id", "source", "window_start"],
                                       set_={"n": table.c.n + 1})
            .returning(table.c.n, table.c.burst_id))


def count(consultation_id: int, *, device: str = "", address: str = "") -> None:
    """Count one response under its sources, flagging a burst at the threshold (no commit: runs in
    the response's transaction)."""
    now = time.now()
    dialect = db.session.get_bind().dialect.name
    for kind, value in ((DEVICE, device), (ADDRESS, address)):
        if not value:
            continue
        source, start = source_hash(consultation_id, kind, value), _window(kind, now)
        n, burst_id = db.session.execute(_upsert(dialect), {"consultation_id": consultation_id, "source": source,
                                                             "window_start": start, "n": 1}).one()
        threshold, minutes = THRESHOLDS[kind]
        if n < threshold:
            continue
        if burst_id is None:
            burst = ConsultationBurst(consultation_id=consultation_id, kind=kind, window_start=start,
                                      window_minutes=minutes, n=n)
            db.session.add(burst)
            db.session.flush()
            db.session.execute(update(ConsultationSource).where(
                ConsultationSource.consultation_id == consultation_id, ConsultationSource.source == source,
                ConsultationSource.window_start == start).values(burst_id=burst.id))
        else:
            db.session.execute(update(ConsultationBurst).where(ConsultationBurst.id == burst_id).values(n=n))
    if random.randrange(PURGE_ONE_IN) == 0:  # spreading housekeeping (not security)
        purge(consultation_id)


def purge(consultation_id: int | None = None) -> int:
    """Delete source rows older than KEEP_SOURCES (no commit). Returns how many."""
    stmt = delete(ConsultationSource).where(ConsultationSource.window_start < time.now() - KEEP_SOURCES)
    if consultation_id is not None:
        stmt = stmt.where(ConsultationSource.consultation_id == consultation_id)
    return db.session.execute(stmt).rowcount or 0


def flagged(consultation_id: int) -> list[ConsultationBurst]:
    """Bursts of a consultation, latest first."""
    return list(db.session.scalars(select(ConsultationBurst).where(ConsultationBurst.consultation_id == consultation_id)
                                   .order_by(ConsultationBurst.window_start.desc())))
