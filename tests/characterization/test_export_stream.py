"""The profile export streams every row on the production path: the request's own application
context and database session (not the test's) end while the response is still being sent, so a
server-side cursor opened by the view would be closed after the first bytes (on PostgreSQL the
download stopped after the 3-byte BOM and the audit entry said "not completed")."""

from __future__ import annotations

import csv
import io
import threading

from sqlalchemy import select

from app.core.audit import AuditEntry
from tests.conftest import PASSWORD, Client

from .test_dashboard import add_profiles


def _in_own_thread(app, fn):
    """Run fn in a thread with no application context pushed, as a gunicorn worker does."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_profile_csv_streams_every_row_when_the_request_context_ends_first(app, db, catalogs, make_user):
    add_profiles(db, 2600, sex="2", territory="01", zone="1", victim="1")
    steward = make_user("steward")
    credentials = {"email": steward.email, "password": PASSWORD}

    def download():
        browser = Client(app.test_client())
        assert browser.submit("/gestion/ingresar", credentials).status_code == 302
        response = browser.get("/gestion/caracterizacion/exportar/perfiles.csv")
        return response.status_code, response.get_data(as_text=True)

    status, body = _in_own_thread(app, download)
    assert status == 200 and body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert len(rows) == 1 + 2600 and rows[0][0] == "capability"
    db.session.expire_all()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.details["completed"] is True and entry.details["rows"] == 2600


def test_plain_rows_read_the_same_rows_as_the_orm_with_filters(app, db, catalogs):
    """Exports read plain DB-API tuples (no result objects): the same values, in the same order, as
    SQLAlchemy gives for the same filtered statement, with and without personal columns."""
    from datetime import date

    from app.characterization import exports
    from app.characterization.queries import Filters
    from app.core.exports import plain_rows

    add_profiles(db, 30, sex="2", territory="01", zone="1", organisation='=JAC "norte"', disability="02")
    add_profiles(db, 20, sex="1", territory="50", zone="3", capability="surveys", on_date=date(2026, 5, 2))
    for filters in (
        Filters(),
        Filters(capability="surveys", date_from=date(2026, 5, 1), where={"sex": "1"}),
        Filters(disability_type="02"),
    ):
        for full in (False, True):
            stmt = exports._rows_stmt(filters, full)
            expected = [tuple(r) for r in db.session.execute(stmt)]
            assert [tuple(r) for r in plain_rows(stmt, size=7)] == expected and expected
            as_text = [tuple(str(v) if v is not None else None for v in r) for r in expected]
            got = [
                tuple(str(v) if v is not None else None for v in r)
                for r in plain_rows(exports._rows_stmt(filters, full, text_dates=True))
            ]
            assert got == as_text  # the same values (dates as ISO text) without a conversion per row
