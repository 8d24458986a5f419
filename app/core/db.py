"""Database helpers: SQLite pragmas, checking pooled connections, random ids, rows stored in one go."""

from __future__ import annotations

import secrets
import sqlite3
from functools import lru_cache
from time import monotonic
from typing import Any

from sqlalchemy import Insert, Table, bindparam, event, exc, insert
from sqlalchemy.engine import Engine

from app.extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL (readers never block the writer), foreign keys enforced, a busy timeout."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# A connection back in the pool for longer than this is checked with a round trip before use.
PING_AFTER_IDLE_SECONDS = 10.0


def ping_when_idle(engine: Engine, after_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Check a pooled connection before use only when it has sat unused for `after_seconds`.

    SQLAlchemy's `pool_pre_ping` pays a round trip on every request; at a venue where hundreds of
    phones sign in within minutes that is one round trip in six of a signature. A connection used
    a moment ago is alive; one that sat idle may have been cut by a server restart, a failover or
    a firewall, and is checked first: if the check fails the pool opens a new one and the visitor
    notices nothing. (A restart in the middle of a surge can still fail the requests that were
    already running, as it would with `pool_pre_ping`.)
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")
        if since is None or monotonic() - since < after_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError() from error  # the pool replaces the connection


def random_id() -> str:
    """A random, unguessable 22-character id (128 bits), for rows that must not be enumerable."""
    return secrets.token_urlsafe(16)


def is_sqlite(engine) -> bool:
    return engine.dialect.name == "sqlite"


class RowBatch:
    """Rows stored together, all or none, in one round trip to PostgreSQL.

    The busiest write of the portal, an event sign-in, stores a consent proof and the attendance
    row (never a profile: those go through the characterisation profile buffer). As separate
    statements that is BEGIN, one INSERT per row and COMMIT: four round trips, each paid with
    system calls on both sides. `store()` sends them as one statement instead (every row but the
    last as a data-modifying `WITH` part) outside any transaction: PostgreSQL runs a single
    statement atomically, so a unique or foreign-key violation raises `IntegrityError` and
    stores nothing. On SQLite (in the same process, no round trips) the rows go in one
    transaction of their own.

    The rows are independent of the session: its pending changes are neither stored nor needed.
    Columns left out take their Python-side defaults, as an ORM insert would give them.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[Table, dict[str, Any]]] = []

    def add(self, model: type | Table, values: dict[str, Any]) -> None:
        table: Table = getattr(model, "__table__", model)
        values = dict(values)
        for column in table.columns:
            default = column.default
            if column.key in values or default is None:
                continue
            if default.is_scalar:
                values[column.key] = default.arg
            elif default.is_callable:
                values[column.key] = default.arg(None)
        self.rows.append((table, values))

    def store(self) -> None:
        if not self.rows:
            return
        engine = db.engine
        if engine.dialect.name != "postgresql":
            with engine.begin() as conn:
                for table, values in self.rows:
                    conn.execute(table.insert(), values)
        else:
            statement = _one_statement(tuple((table, tuple(values)) for table, values in self.rows))
            params = {
                f"r{i}_{key}": value
                for i, (_table, values) in enumerate(self.rows)
                for key, value in values.items()
            }
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(statement, params)
        _tables_changed({table.name for table, _values in self.rows})


def _tables_changed(names: set[str]) -> None:
    """Caches that depend on these tables (none do on the sign-in path's tables: no Redis trip)."""
    from app.core import cache

    if any(c.tables & names for c in cache._CACHES):
        cache.tables_changed(names)


@lru_cache(maxsize=64)
def _one_statement(shape: tuple[tuple[Table, tuple[str, ...]], ...]) -> Insert:
    """`WITH row0 AS (INSERT ...), row1 AS (INSERT ...) INSERT ...` for rows of this shape (tables
    and columns), built once: SQLAlchemy then reuses its compiled form."""
    parts = [
        insert(table).values({key: bindparam(f"r{i}_{key}", type_=table.c[key].type) for key in keys})
        for i, (table, keys) in enumerate(shape)
    ]
    statement = parts[-1]
    for i, part in enumerate(parts[:-1]):
        statement = statement.add_cte(part.cte(f"row{i}"))
    return statement
