"""Bursts of responses from one device or one address, flagged to staff.

"One response per person" under a device rule is one per browser: a script that drops its cookies
can answer again and again. Each such response (a consultation ballot, a survey answer through the
open link) therefore counts, apart from the response itself, under its sources: the signed device
id and the address, each as a truncated keyed hash (16 hex characters, a key per consultation or
survey), never in the clear. When a source passes its threshold within its window, a burst row is
written (kind, window, count: no hash, no link to any response) and shown on the staff results
page. Source rows are deleted after `KEEP_SOURCES`.

Each capability keeps its own two tables (so they follow their owner's deletion and retention)
and builds one `Bursts` over them; the counting, the thresholds and the purge live here only:

- source model: `<owner>_id`, `source` (String 20), `window_start` (naive UTC), `n`, `burst_id`;
  primary key (owner, source, window_start);
- burst model: `id`, `<owner>_id`, `kind`, `window_start`, `window_minutes`, `n`.

Thresholds (see docs/operations/security.md):
- device: 3 or more responses within 10 minutes (a browser keeps a marker after answering; a
  second answer means the marker was cleared, a third is a pattern);
- address: 10 or more within 1 minute (a whole event venue answering on one Wi-Fi reaches a few
  a minute; a script reaches dozens). A venue may still trip it: staff read it as a sign, and
  the verified-only figures are the answer that a burst cannot move.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import cached_property

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core import time
from app.core.hashing import keyed_hash
from app.extensions import db

DEVICE, ADDRESS = "device", "address"
THRESHOLDS = {DEVICE: (3, 10), ADDRESS: (10, 1)}  # kind -> (responses, window minutes)
KEEP_SOURCES = timedelta(hours=1)
PURGE_ONE_IN = 20  # sweep old source rows on about one response in 20 (and on the staff page)


def window(kind: str, at: datetime) -> datetime:
    """Start of the `kind` window holding `at` (windows are aligned on the clock)."""
    minutes = THRESHOLDS[kind][1]
    return at.replace(second=0, microsecond=0) - timedelta(minutes=at.minute % minutes)


class BurstRow:
    """Mixin for a burst model: where its window ends."""

    @property
    def window_end(self) -> datetime:
        return self.window_start + timedelta(minutes=self.window_minutes)


class Bursts:
    """Burst counting over one capability's source and burst tables.

    `scope` names the key of the source hashes (`"consultation"` hashes under
    `consultation-source:<id>`), `owner` the owner's column on both tables (`"consultation_id"`).
    """

    def __init__(self, scope: str, owner: str, source_model, burst_model):
        for model, columns in (
            (source_model, ("source", "window_start", "n", "burst_id")),
            (burst_model, ("id", "kind", "window_start", "window_minutes", "n")),
        ):
            missing = [c for c in (owner, *columns) if c not in model.__table__.c]
            if missing:
                raise TypeError(f"{model.__name__} lacks {', '.join(missing)}")
        self.scope, self.owner = scope, owner
        self.Source, self.Burst = source_model, burst_model

    def source_hash(self, owner_id: int, kind: str, value: str) -> str:
        return keyed_hash(f"{self.scope}-source:{owner_id}", f"{kind}:{value}")[:16]

    @cached_property
    def _upserts(self) -> dict:
        table = self.Source.__table__
        out = {}
        for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert)):
            out[dialect] = (
                insert(table)
                .on_conflict_do_update(
                    index_elements=[self.owner, "source", "window_start"], set_={"n": table.c.n + 1}
                )
                .returning(table.c.n, table.c.burst_id)
            )
        return out

    def count(self, owner_id: int, *, device: str = "", address: str = "") -> None:
        """Count one response under its sources, flagging a burst at the threshold (no commit:
        runs in the response's transaction)."""
        now = time.now()
        upsert = self._upserts[db.session.get_bind().dialect.name]
        source_cols = self.Source.__table__.c
        for kind, value in ((DEVICE, device), (ADDRESS, address)):
            if not value:
                continue
            source, start = self.source_hash(owner_id, kind, value), window(kind, now)
            n, burst_id = db.session.execute(
                upsert, {self.owner: owner_id, "source": source, "window_start": start, "n": 1}
            ).one()
            threshold, minutes = THRESHOLDS[kind]
            if n < threshold:
                continue
            if burst_id is None:
                burst = self.Burst(
                    **{self.owner: owner_id}, kind=kind, window_start=start, window_minutes=minutes, n=n
                )
                db.session.add(burst)
                db.session.flush()
                db.session.execute(
                    update(self.Source.__table__)
                    .where(
                        source_cols[self.owner] == owner_id,
                        source_cols.source == source,
                        source_cols.window_start == start,
                    )
                    .values(burst_id=burst.id)
                )
            else:
                db.session.execute(
                    update(self.Burst.__table__).where(self.Burst.__table__.c.id == burst_id).values(n=n)
                )
        if random.randrange(PURGE_ONE_IN) == 0:  # spreading housekeeping (not security)
            self.purge(owner_id)

    def purge(self, owner_id: int | None = None) -> int:
        """Delete source rows older than KEEP_SOURCES (no commit). Returns how many."""
        cols = self.Source.__table__.c
        stmt = delete(self.Source.__table__).where(cols.window_start < time.now() - KEEP_SOURCES)
        if owner_id is not None:
            stmt = stmt.where(cols[self.owner] == owner_id)
        return db.session.execute(stmt).rowcount or 0

    def flagged(self, owner_id: int) -> list:
        """Bursts of one consultation or survey, latest first."""
        return list(
            db.session.scalars(
                select(self.Burst)
                .where(getattr(self.Burst, self.owner) == owner_id)
                .order_by(self.Burst.window_start.desc())
            )
        )
