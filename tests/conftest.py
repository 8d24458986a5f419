"""Fixtures: one app per database (SQLite by default; PostgreSQL when DATABASE_URL is set),
a CSRF-aware test client, users per role, catalogs, and a frozen clock.

Each test starts from empty tables. The schema comes from the models (fast); a separate test
(tests/core/test_migrations.py) proves that the committed migrations build the same schema.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter

PASSWORD = "contraseña-de-prueba-123"
_TMP = Path(tempfile.mkdtemp(prefix="participa-tests-"))


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"


class FreshRequestClient(FlaskClient):
    """Each request starts with an empty `g`, as in production.

    Tests keep one app context open (for `db.session`), and Flask reuses it for requests, so
    without this `g` (Flask-Login's cached user, Flask-WTF's CSRF token) would leak from one
    request, or one client, to the next.
    """

    def open(self, *args, **kwargs):
        for name in list(g.__dict__) if g else []:
            delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app():
    os.environ.setdefault("PARTICIPA_INSTANCE_PATH", str(_TMP / "instance"))
    application = create_app(
        {
            "TESTING": True,
            "PARTICIPA_ENV": "development",
            "SECRET_KEY": "test-secret-key",
            "PARTICIPA_HASH_KEY": "test-hash-key",
            "DATABASE_URL": database_url(),
            "RATELIMIT_STORAGE_URI": "memory://",
            "PARTICIPA_BASE_URL": "http://participa.test",
            "SERVER_NAME": None,
            "PARTICIPA_HOME_CACHE_SECONDS": 0,
            "PARTICIPA_PROFILE_BUFFER_URL": str(_TMP / "profile-spool"),  # this run's own buffer
        }
    )
    application.test_client_class = FreshRequestClient
    with application.app_context():
        _db.drop_all()
        with _db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        _db.create_all()
    yield application


def _wipe(application):
    from app.core import cache

    cache.clear_all()  # the wipe below bypasses the ORM events that clear the shared caches
    with application.app_context():
        from app.characterization import buffer

        buffer.discard_all()  # profiles buffered by the test go with its tables
        _db.session.remove()
        tables = list(reversed(_db.metadata.sorted_tables))
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                _wipe_postgresql(conn, tables)
            else:
                for table in tables:
                    for (
                        fk
                    ) in table.foreign_keys:  # SQLite checks RESTRICT row by row: clear self-references first
                        if fk.column.table is table and fk.parent.nullable:
                            conn.execute(table.update().values({fk.parent.name: None}))
                    conn.execute(table.delete())
        with _db.engine.begin() as conn:
            from app.characterization import summary

            summary.reset(conn)  # an empty, current pre-aggregated summary for the next test


BIG_TABLE = 50_000  # rows: above this a DELETE is slower than a TRUNCATE


def _wipe_postgresql(conn, tables) -> None:
    """Empty every table and restart every sequence, as `TRUNCATE ... RESTART IDENTITY` of all
    tables does. A TRUNCATE of all 54 tables costs 1.5-2.5 s (new files for each table and index),
    after every test; most tests leave a handful of rows in a few tables, so those are deleted
    instead (milliseconds). A test that filled a table (the million-row export) gets the TRUNCATE."""
    probe = " UNION ALL ".join(
        f"SELECT '{t.name}', (SELECT count(*) FROM (SELECT 1 FROM \"{t.name}\" LIMIT {BIG_TABLE + 1}) s) "  # noqa: S608
        f'WHERE EXISTS (SELECT 1 FROM "{t.name}")'
        for t in tables
    )
    filled = dict(conn.execute(text(probe)).all())
    if any(rows > BIG_TABLE for rows in filled.values()):
        conn.execute(
            text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE")
        )
        return
    for table in tables:  # children before parents
        if table.name not in filled:
            continue
        for fk in table.foreign_keys:  # a self-reference: clear it first (RESTRICT checks row by row)
            if fk.column.table is table and fk.parent.nullable:
                conn.execute(table.update().values({fk.parent.name: None}))
        conn.execute(table.delete())
    used = (
        conn.execute(
            text(
                "SELECT sequencename FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        )
        .scalars()
        .all()
    )
    for name in used:
        conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART'))


def _truncate_postgresql(application) -> None:
    """Every table emptied with TRUNCATE: new, empty files, so rows land in the order they are
    written (`ctid`) as on a fresh database, not in the holes the row-by-row wipe left."""
    with application.app_context(), _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            from app.characterization import summary

            summary.reset(conn)


@pytest.fixture(autouse=True)
def _clean(app, request):
    """Every test starts with empty tables and fresh rate-limit counters. A test marked
    `physical_order` (an attack that reads `ctid` or `xmin`) starts on freshly truncated tables,
    the attacker's best case, whatever the tests before it deleted."""
    if request.node.get_closest_marker("physical_order"):
        _truncate_postgresql(app)
    ctx = app.app_context()
    ctx.push()
    limiter.reset()
    yield
    _db.session.rollback()
    ctx.pop()
    _wipe(app)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def drain(app):
    """Write whatever waits in the profile buffer, as the scheduled job does after its delay;
    returns how many profiles it stored."""
    from app.characterization import buffer

    return lambda: buffer.flush(max_age=0)


@pytest.fixture
def catalogs(app):
    from app.catalogs import commands, queries

    commands.load("medellin")
    return queries


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """Wraps Flask's test client with helpers that behave like a browser: GET the form, read
    its CSRF token, POST with it."""

    def __init__(self, flask_client):
        self.c = flask_client

    def __getattr__(self, name):
        return getattr(self.c, name)

    def csrf(self, url: str = "/") -> str:
        page = self.c.get(url).get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, f"no CSRF token in {url}"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, *, form_url: str | None = None, **kwargs):
        """POST a form like a browser: fetch `form_url` (default `url`) for the CSRF token first."""
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = self.csrf(form_url or url)
        return self.c.post(url, data=data, **kwargs)

    def login(self, user, password: str = PASSWORD):
        response = self.submit("/gestion/ingresar", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def make_user(app, catalogs):
    from app.accounts import commands

    def _make(role: str = "admin", email: str | None = None, offices=()):
        return commands.create_user(
            email or f"{role}@prueba.gov.co",
            PASSWORD,
            role,
            name=role.title(),
            office_codes=offices,
            actor="test",
        )

    return _make


@pytest.fixture
def login_as(client, make_user):
    """login_as('editor') -> the logged-in user (client is now that user's browser)."""

    def _login(role: str = "admin", **kwargs):
        user = make_user(role, **kwargs)
        client.login(user)
        return user

    return _login
