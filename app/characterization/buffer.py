"""The profile buffer: characterisation profiles reach the database in shuffled batches.

WHY
---
A profile written in the transaction (or right after the transaction) that stores a person's
identity can be paired with it by anyone who reads the database: on PostgreSQL both rows carry
the same `xmin`, and physical order (`ctid`), SQLite's rowid, sequences and commit order pair
them too. So no citizen flow writes a profile next to an identity. It puts the profile here, and
`flush()` writes waiting profiles in batches of at least k (default 5): one transaction per batch,
rows in random order, random ids, nothing but the answers and their context (capability, object,
the event's *day*, channel). Inside a batch every row has the same `xmin` and no order.

Batches are per stratum: profiles alike on every context column an identity also reveals
(capability, object, day, channel), so that no profile stands out in its batch. A stratum with
fewer than k waiting is written only when its oldest profile has waited `max_age` (default
10 minutes, `PARTICIPA_PROFILE_MAX_WAIT`): then it is topped up to at least k rows by
*re-writing* profiles of the same stratum already stored (same answers, new random ids, the old
rows deleted in the same transaction). On PostgreSQL whole earlier batches are re-written, never
part of one, so no batch left behind drops below k. Counts do not change, no dummy row is ever
stored, and the batch still looks like k rows written together. Only a stratum with fewer than k
profiles in all (an event where fewer than k people answered) can have a smaller batch; then its
identities are fewer than k too, and nothing can hide them among more.

WHERE PROFILES WAIT
-------------------
* A spool directory under the instance folder (default): one file per profile with a random
  name, written to a temporary name, fsync'ed and renamed, so a worker killed at any moment
  leaves either a whole file or none. A flush holds an exclusive file lock.
* A Redis set, when `PARTICIPA_PROFILE_BUFFER_URL` is a `redis://` URL (several hosts sharing one
  buffer). Members are read, written to the database, and only then removed. Redis must keep
  its data (append-only file) for the buffer to survive a Redis restart.

Every profile carries a random id from the moment it is buffered; a flush inserts only ids not
stored yet and removes buffered entries only after its transaction committed. A flush killed at
any point therefore loses nothing and, run again, counts nothing twice.

Flushing happens after requests (a cheap check at most every few seconds per process, run after
the response is sent) and with `flask participa flush-profiles` (a job queue can call `flush()`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import random
import secrets
import time as _time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, exists, select

from app.characterization import summary
from app.core.db import random_id
from app.extensions import db

log = logging.getLogger(__name__)

DEFAULT_K = 5
DEFAULT_MAX_WAIT = 600  # seconds a profile may wait before it is written in a smaller batch
CHECK_EVERY = 5.0  # seconds between two after-request checks in one process
CHUNK = 1000  # profiles per transaction when a surge left many waiting
_rng = random.SystemRandom()


# ---------------------------------------------------------------------------- configuration


def k() -> int:
    return max(1, int(current_app.config.get("PARTICIPA_PROFILE_BATCH_K", DEFAULT_K)))


def max_wait() -> int:
    return int(current_app.config.get("PARTICIPA_PROFILE_MAX_WAIT", DEFAULT_MAX_WAIT))


def _backend():
    url = current_app.config.get("PARTICIPA_PROFILE_BUFFER_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBuffer(url)
    return SpoolBuffer(Path(url) if url else Path(current_app.instance_path) / "profile-spool")


# ---------------------------------------------------------------------------- items


def item_from(profile, disabilities: list[str], attach: dict | None = None) -> dict:
    """A buffered profile: its column values (JSON-safe), its disability codes, and optionally an
    `attach` payload ({"kind", "data"}) written with it by a registered writer (see `register_writer`)."""
    table = type(profile).__table__
    values = {}
    for column in table.columns:
        value = getattr(profile, column.key, None)
        if value is None:
            continue
        values[column.key] = value.isoformat() if isinstance(value, date) else value
    values.setdefault("id", random_id())
    return {
        "profile": values,
        "disabilities": sorted(set(disabilities)),
        "attach": attach,
        "w": int(_time.time()),
    }


def put(item: dict) -> None:
    """Keep one profile until the next flush. Returns once it is durable (it then counts after a
    flush, whatever happens to this process)."""
    _backend().put(item)


def put_profile(profile, attach: dict | None = None) -> str:
    """Buffer a built (not added) `Profile`; returns its future id."""
    item = item_from(profile, [d.code for d in profile.disabilities], attach)
    put(item)
    return item["profile"]["id"]


# ---------------------------------------------------------------------------- attached rows

_WRITERS: dict[str, Callable[[Any, list[tuple[dict, dict]]], None]] = {}


def register_writer(kind: str, writer: Callable[[Any, list[tuple[dict, dict]]], None]) -> None:
    """A capability's rows that must be written with buffered profiles, in their batch (e.g. a
    consultation ballot that points to its profile, when the same request stored an identity):
    `writer(connection, [(profile values, data), ...])`, in the batch's random order, inside its
    transaction. A capability registers it in `register(app)`."""
    _WRITERS[kind] = writer


# ---------------------------------------------------------------------------- backends


class SpoolBuffer:
    """One JSON file per profile under `directory`, random names; flushes under a file lock."""

    def __init__(self, directory: Path):
        self.directory = directory

    def _ensure(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def put(self, item: dict) -> None:
        self._ensure()
        name = secrets.token_hex(16)
        tmp = self.directory / f".tmp-{name}"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(item, fh, separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.directory / f"{name}.json")

    def _names(self) -> list[str]:
        try:
            return [e.name for e in os.scandir(self.directory) if e.name.endswith(".json")]
        except FileNotFoundError:
            return []

    def size(self) -> int:
        return len(self._names())

    def oldest_age(self) -> float:
        now, oldest = _time.time(), None
        for name in self._names():
            with contextlib.suppress(FileNotFoundError):
                mtime = os.stat(self.directory / name).st_mtime
                oldest = mtime if oldest is None else min(oldest, mtime)
        return 0.0 if oldest is None else now - oldest

    @contextlib.contextmanager
    def locked(self) -> Iterator[bool]:
        self._ensure()
        with open(self.directory / ".lock", "a+") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def read(self) -> list[tuple[str, dict]]:
        out = []
        for name in self._names():
            try:
                with open(self.directory / name, encoding="utf-8") as fh:
                    out.append((name, json.load(fh)))
            except (FileNotFoundError, ValueError):  # removed meanwhile, or never completed
                continue
        return out

    def remove(self, keys: list[str]) -> None:
        for name in keys:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.directory / name)

    def discard_all(self) -> None:
        for name in self._names():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.directory / name)


class RedisBuffer:
    """A Redis set of JSON items; a flush holds a lock key that expires on its own."""

    SET, LOCK = "participa:profile-buffer", "participa:profile-buffer:lock"

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)

    def put(self, item: dict) -> None:
        self.client.sadd(self.SET, json.dumps(item, separators=(",", ":")))

    def size(self) -> int:
        return int(self.client.scard(self.SET))

    def oldest_age(self) -> float:
        now, oldest = _time.time(), None
        for raw in self.client.sscan_iter(self.SET, count=500):
            with contextlib.suppress(ValueError):
                w = json.loads(raw).get("w", now)
                oldest = w if oldest is None else min(oldest, w)
        return 0.0 if oldest is None else now - oldest

    @contextlib.contextmanager
    def locked(self) -> Iterator[bool]:
        token = secrets.token_hex(8)
        if not self.client.set(self.LOCK, token, nx=True, ex=300):
            yield False
            return
        try:
            yield True
        finally:
            if self.client.get(self.LOCK) == token.encode():
                self.client.delete(self.LOCK)

    def read(self) -> list[tuple[bytes, dict]]:
        out = []
        for raw in self.client.sscan_iter(self.SET, count=1000):
            with contextlib.suppress(ValueError):
                out.append((raw, json.loads(raw)))
        return out

    def remove(self, keys: list[bytes]) -> None:
        for i in range(0, len(keys), 500):
            self.client.srem(self.SET, *keys[i : i + 500])

    def discard_all(self) -> None:
        self.client.delete(self.SET, self.LOCK)


# ---------------------------------------------------------------------------- flushing


def waiting() -> int:
    """How many profiles wait in the buffer (not counted by any dashboard yet)."""
    return _backend().size()


def discard_all() -> None:
    """Empty the buffer without writing (tests and a wiped development database only)."""
    _backend().discard_all()


# The context columns a profile shares with the identity it was given with: a batch only ever
# holds profiles alike on all of them, or one odd profile in a batch (an urna question during an
# event's surge, a paper row among web ones, two events at once) would be paired with the only
# identity of its kind written in that window.
STRATUM = ("capability", "object_id", "on_date", "channel")


def _stratum(item: dict) -> tuple:
    return tuple(str(item["profile"].get(name)) for name in STRATUM)


def flush(max_age: float | None = None) -> int:
    """Write waiting profiles in shuffled batches; returns how many new profiles were stored.

    Profiles are batched by stratum (same capability, object, day and channel). A stratum is
    written when at least k of its profiles wait, or when its oldest has waited `max_age` seconds
    (default `PARTICIPA_PROFILE_MAX_WAIT`; `max_age=0` drains whatever waits), topped up to k then
    by re-writing stored profiles of the same stratum. Another flush already running (same spool
    or Redis) makes this one return 0 at once.
    """
    max_age = max_wait() if max_age is None else max_age
    backend, batch_k, now = _backend(), k(), _time.time()
    with backend.locked() as mine:
        if not mine:
            return 0
        strata: dict[tuple, list] = {}
        for key, item in backend.read():
            strata.setdefault(_stratum(item), []).append((key, item))
        due = [
            entries
            for entries in strata.values()
            if len(entries) >= batch_k or now - min(item.get("w", 0) for _k, item in entries) >= max_age
        ]
        _rng.shuffle(due)
        stored = 0
        for entries in due:
            _rng.shuffle(entries)
            for chunk in _chunks(entries, batch_k):
                stored += _write_batch([item for _key, item in chunk], batch_k)
                backend.remove([key for key, _item in chunk])  # only after the batch committed
        return stored


def _chunks(entries: list, batch_k: int) -> list[list]:
    """Pieces of at most CHUNK entries, none smaller than k unless all of them are."""
    if len(entries) <= CHUNK:
        return [entries]
    pieces = [entries[i : i + CHUNK] for i in range(0, len(entries), CHUNK)]
    if len(pieces[-1]) < batch_k:
        pieces[-2].extend(pieces.pop())
    return pieces


def _referencing_columns():
    """Columns of other tables that point to `profile.id` (their profiles are never re-written)."""
    from app.characterization.models import Profile, ProfileDisability

    out = []
    for table in db.metadata.tables.values():
        if table is ProfileDisability.__table__:
            continue
        for fk in table.foreign_keys:
            if fk.column is Profile.__table__.c.id:
                out.append(fk.parent)
    return out


def _write_batch(items: list[dict], batch_k: int) -> int:
    """One transaction: the new profiles (ids not stored yet), topped up to k by re-writing stored
    ones when fewer, in random order. Returns how many new profiles it stored."""
    from app.characterization.models import Profile, ProfileDisability

    ptable, dtable = Profile.__table__, ProfileDisability.__table__
    ids = [item["profile"]["id"] for item in items]
    with db.engine.begin() as conn:
        known = set(conn.scalars(select(ptable.c.id).where(ptable.c.id.in_(ids)))) if ids else set()
        fresh = [item for item in items if item["profile"]["id"] not in known]
        if not fresh:
            return 0
        rows = [(_profile_values(item["profile"], ptable), item["disabilities"], item) for item in fresh]
        missing = batch_k - len(rows)
        removed: list[tuple[dict, list]] = []
        if missing > 0:
            rows += _rewrites(conn, missing, set(ids), rows[0][0], removed)
        _rng.shuffle(rows)
        columns = [c.key for c in ptable.columns]
        conn.execute(ptable.insert(), [{c: values.get(c) for c in columns} for values, _d, _i in rows])
        # disability rows carry their profile's record key (the disclosure layer's cell keys)
        disabilities = [
            {"profile_id": values["id"], "code": code, "record_key": values["record_key"]}
            for values, codes, _i in rows
            for code in codes
        ]
        if disabilities:
            conn.execute(dtable.insert(), disabilities)
        # the dashboard's pre-aggregated counts, in this transaction (cells in sorted order, no ids)
        summary.apply(
            conn,
            [(values, [(code, values["record_key"]) for code in codes]) for values, codes, _i in rows],
            removed,
        )
        attached: dict[str, list[tuple[dict, dict]]] = {}
        for values, _codes, item in rows:
            attach = item.get("attach") if item else None
            if attach:
                attached.setdefault(attach["kind"], []).append((values, attach.get("data") or {}))
        for kind, pairs in attached.items():
            _WRITERS[kind](conn, pairs)
    return len(fresh)


def _profile_values(values: dict, table) -> dict:
    out = {}
    for column in table.columns:
        value = values.get(column.key)
        if value is not None and column.type.python_type is date and isinstance(value, str):
            value = date.fromisoformat(value)
        if value is None and column.default is not None:
            default = column.default
            value = default.arg if default.is_scalar else (default.arg(None) if default.is_callable else None)
        out[column.key] = value
    return out


def _rewrites(
    conn, n: int, exclude: set[str], like: dict, removed: list | None = None
) -> list[tuple[dict, list[str], None]]:
    """At least `n` stored profiles of the same stratum as `like`, among those nothing refers to,
    deleted and returned with new random ids (same answers): written again in this batch. The
    deleted rows are appended to `removed` ((values, [(code, key)]), for the summary).

    On PostgreSQL every stored batch shows as the rows sharing one `xmin`; taking single rows out
    of one would leave it with fewer than k. So whole batches are taken (the smallest first, ties
    in random order) and only batches none of whose rows is referenced. SQLite keeps no trace of
    which rows were written together (random ids, no rowid), so any rows will do there."""
    from app.characterization.models import Profile, ProfileDisability

    ptable, dtable = Profile.__table__, ProfileDisability.__table__
    same = [ptable.c[name] == like[name] for name in STRATUM]
    free = [~exists().where(col == ptable.c.id) for col in _referencing_columns()]
    if conn.dialect.name == "postgresql":
        picked = _whole_batches(conn, n, exclude, same, free)
    else:
        picked = _any_rows(conn, n, exclude, same + free)
    out = []
    for values in picked:
        declared = list(
            conn.execute(
                select(dtable.c.code, dtable.c.record_key).where(dtable.c.profile_id == values["id"])
            )
        )
        codes = [code for code, _key in declared]
        if removed is not None:
            removed.append((dict(values), [(code, key) for code, key in declared]))
        conn.execute(delete(dtable).where(dtable.c.profile_id == values["id"]))
        conn.execute(delete(ptable).where(ptable.c.id == values["id"]))
        out.append(({**values, "id": random_id()}, codes, None))
    return out


def _any_rows(conn, n: int, exclude: set[str], where: list) -> list[dict]:
    from app.characterization.models import Profile

    ptable = Profile.__table__
    picked: list[dict] = []
    for start in (secrets.token_urlsafe(16), ""):  # from a random point of the id order, then wrap
        if len(picked) >= n:
            break
        stmt = (
            select(ptable).where(ptable.c.id >= start, *where).order_by(ptable.c.id).limit(n + len(exclude))
        )
        for row in conn.execute(stmt).mappings():
            if row["id"] not in exclude and all(p["id"] != row["id"] for p in picked) and len(picked) < n:
                picked.append(dict(row))
    return picked


def _whole_batches(conn, n: int, exclude: set[str], same: list, free: list) -> list[dict]:
    from sqlalchemy import func, literal_column

    from app.characterization.models import Profile

    ptable = Profile.__table__
    batch = literal_column("profile.xmin::text")
    everyone = dict(conn.execute(select(batch, func.count()).where(*same).group_by(batch)).all())
    unreferenced = dict(conn.execute(select(batch, func.count()).where(*same, *free).group_by(batch)).all())
    if exclude:
        touched = set(conn.scalars(select(batch).where(ptable.c.id.in_(exclude))))
    else:
        touched = set()
    whole = [
        (size, _rng.random(), b)
        for b, size in unreferenced.items()
        if everyone.get(b) == size and b not in touched
    ]
    whole.sort()
    chosen, total = [], 0
    for size, _r, b in whole:
        if total >= n:
            break
        chosen.append(b)
        total += size
    if not chosen:
        return []
    return [dict(row) for row in conn.execute(select(ptable).where(batch.in_(chosen), *same)).mappings()]


# ---------------------------------------------------------------------------- after requests

_last_check = [0.0]


def after_request(response):
    """Flush after the response is sent, at most every CHECK_EVERY seconds per process."""
    now = _time.monotonic()
    if now - _last_check[0] < CHECK_EVERY or not current_app.config.get(
        "PARTICIPA_PROFILE_FLUSH_AFTER_REQUESTS", True
    ):
        return response
    _last_check[0] = now
    app = current_app._get_current_object()

    def run():
        try:
            with app.app_context():
                backend = _backend()
                n = backend.size()
                if n >= k() or (n and backend.oldest_age() >= max_wait()):
                    flush()
        except Exception:  # a failed flush leaves the buffer as it was: the next one retries
            log.exception("profile buffer flush failed")

    response.call_on_close(run)
    return response


def reset_check_clock() -> None:
    _last_check[0] = 0.0
