"""A test client whose every request runs in its own application context, like a real server.

The autouse fixture of tests/conftest.py keeps one application context pushed for the whole
test (so tests can use `db.session`). Flask reuses a pushed context of the same app for the
requests the test client makes, so `g` — where Flask-Login caches the logged-in user and the
rate limiter caches the device id — would leak from one request (and one client) to the next:
a second, anonymous browser would see the first one's user. This client pushes a fresh context
around each request. Tests read the database through their own session, so they call
`db.session.expire_all()` before checking what a request changed.

The same change is proposed for `tests/conftest.py`; until it lands, the foundation's test
folders override the `client` fixture with this one (see their conftest.py).
"""

from __future__ import annotations

from tests.conftest import Client

_VERBS = ("open", "get", "post", "put", "patch", "delete", "head", "options")


class IsolatedClient(Client):
    def __getattr__(self, name):
        attr = getattr(self.c, name)
        if name not in _VERBS:
            return attr

        def call(*args, **kwargs):
            with self.c.application.app_context():
                return attr(*args, **kwargs)

        return call

    def csrf(self, url: str = "/") -> str:
        page = self.get(url).get_data(as_text=True)
        match = __import__("tests.conftest", fromlist=["CSRF_RE"]).CSRF_RE.search(page)
        assert match, f"no CSRF token in {url}"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, *, form_url: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf(form_url or url))
        return self.post(url, data=data, **kwargs)


def wipe(application) -> None:
    """Empty every table (like tests/conftest.py's `_wipe`), also when a table refers to itself.

    SQLite checks an ON DELETE RESTRICT key at once, row by row, so `DELETE FROM territory`
    fails while a barrio still points at its comuna. Self-references are cleared first.
    """
    from sqlalchemy import text

    from app.extensions import db

    with application.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
                return
            for table in tables:
                for fk in table.foreign_keys:
                    if fk.column.table is table and fk.parent.nullable:
                        conn.execute(table.update().values({fk.parent.name: None}))
                conn.execute(table.delete())
