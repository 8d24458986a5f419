"""The committed migrations build, from nothing, exactly the schema the models describe.

A fresh database is built with `flask db upgrade` (Flask-Migrate's `upgrade`): on SQLite a
temporary file, and — when the suite runs on PostgreSQL — a temporary PostgreSQL database created
and dropped here. Alembic's `compare_metadata` then lists every difference between that schema
and `db.metadata`; any difference fails the test. The session database is never touched.

When this fails after a model change, generate a migration (see CONTRIBUTING.md, "Database and
migrations") and commit it.
"""

from __future__ import annotations

import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from tests.conftest import database_url

SESSION_URL = database_url()
ON_POSTGRES = SESSION_URL.startswith(("postgres://", "postgresql"))


@contextmanager
def _sqlite_database():
    folder = Path(tempfile.mkdtemp(prefix="participa-migrations-"))
    yield f"sqlite:///{folder / 'fresh.db'}"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


@contextmanager
def _postgres_database():
    """A throw-away database on the same server as the session database."""
    import psycopg

    url = make_url(SESSION_URL.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql")
    name = f"participa_migrations_{secrets.token_hex(4)}"
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _differences(url: str) -> list:
    fresh = create_app({"TESTING": True, "SECRET_KEY": "migrations", "DATABASE_URL": url})
    with fresh.app_context():
        try:
            upgrade(revision="heads")
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                return compare_metadata(context, db.metadata)
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"])
def test_migrations_build_the_schema_of_the_models(backend):
    with _postgres_database() if backend == "postgresql" else _sqlite_database() as url:
        diff = _differences(url)
    assert not diff, "The committed migrations differ from the models (generate a migration):\n" + "\n".join(
        f"  {d}" for d in diff
    )
