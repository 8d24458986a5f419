"""Database helpers: SQLite pragmas, random ids, timestamps."""

from __future__ import annotations

import secrets
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


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


def random_id() -> str:
    """A random, unguessable 22-character id (128 bits), for rows that must not be enumerable."""
    return secrets.token_urlsafe(16)


def is_sqlite(engine) -> bool:
    return engine.dialect.name == "sqlite"
