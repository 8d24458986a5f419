"""A 1,000,000-row profile export through the production setup: requested through Debian's nginx
in front of two gunicorn instances, prepared by a real worker (`flask participa worker`), and
downloaded through nginx (the app checks who asks, nginx sends the file). The file holds every
row, formulas neutralised, and the audit log has the export and the download, in the name of
the steward who asked.

A million rows on PostgreSQL, the production database; on SQLite (the development default, whose
bulk load and clean-up of a million indexed rows take many minutes on two shared cores) the same
path with 200,000 rows."""

from __future__ import annotations

import time as clock

from sqlalchemy import select, text

from app.core import jobs
from app.core.audit import AuditEntry
from tests.conftest import PASSWORD
from tests.ops.test_nginx import _tls_browser, stack  # noqa: F401  (the fixture)

MILLION = 1_000_000
SQLITE_ROWS = 200_000  # the development database: a fifth, so the whole suite stays within CI's time
EVERY = 100_000  # one hostile organisation name every EVERY rows


def _bulk_insert(db, n: int) -> None:
    """n profiles in one INSERT ... SELECT (seconds, not minutes), ids in increasing order."""
    hostile = '\'=HYPERLINK("http://malo.example","clic")\''
    common = (
        "'events', {object_id}, {day}, 'web', '2', '01', '1', 'JAC', "
        f"CASE WHEN i % {EVERY} = 7 THEN {hostile} ELSE 'JAC Santo Domingo' END, "
        "i % 3 = 0, i % 256"
    )
    columns = (
        "id, capability, object_id, on_date, channel, sex, territory, zone, value_group, organisation, "
        "has_disability, record_key"
    )
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # As on SQLite below: the 17 secondary indexes of profile are dropped for the load and
            # built again after it (one sort each instead of a million insertions each), then the
            # table is analysed so the export is planned as on a loaded production database.
            indexes = conn.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND tablename = 'profile' AND indexname <> 'pk_profile'"
                )
            ).all()
            for name, _sql in indexes:
                conn.execute(text(f'DROP INDEX "{name}"'))
            values = common.format(object_id="(i % 200 + 1)::text", day="DATE '2025-01-01' + (i % 540)")
            conn.execute(
                text(
                    f"INSERT INTO profile ({columns}) SELECT lpad(i::text, 22, '0'), {values} "  # noqa: S608
                    f"FROM generate_series(1, {n}) AS i"
                )
            )
            conn.execute(text("SET LOCAL maintenance_work_mem = '128MB'"))
            for _name, sql in indexes:
                conn.execute(text(sql))
        else:
            # SQLite keeps 17 indexes on profile up to date row by row: minutes for a million rows on
            # two shared cores. Dropped for the load and built again after (seconds), as an
            # operator's bulk load would do.
            indexes = conn.execute(
                text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = 'profile' AND sql IS NOT NULL"
                )
            ).all()
            for name, _sql in indexes:
                conn.execute(text(f'DROP INDEX "{name}"'))
            values = common.format(
                object_id="CAST(i % 200 + 1 AS TEXT)", day="date('2025-01-01', '+' || (i % 540) || ' days')"
            )
            conn.execute(
                text(
                    f"INSERT INTO profile ({columns}) WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL "  # noqa: S608
                    f"SELECT i + 1 FROM s WHERE i < {n}) SELECT printf('%022d', i), {values} FROM s"
                )
            )
            for _name, sql in indexes:
                conn.execute(text(sql))
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE profile"))


def test_a_million_row_export_through_the_queue_downloads_through_nginx(stack, db, make_user):  # noqa: F811
    N = MILLION if db.engine.dialect.name == "postgresql" else SQLITE_ROWS  # noqa: N806
    _bulk_insert(db, N)
    steward = make_user("steward")
    web = _tls_browser(stack["https"])
    web.login(steward.email, PASSWORD)
    status, headers, _ = web.get("/gestion/caracterizacion/exportar/perfiles.csv")
    assert status == 302 and headers["Location"].endswith("/gestion/descargas/")
    deadline = clock.monotonic() + 600
    while clock.monotonic() < deadline:
        db.session.rollback()
        job = db.session.scalars(select(jobs.Job)).one()
        if job.status not in (jobs.QUEUED, jobs.RUNNING):
            break
        clock.sleep(1)
    assert job.status == jobs.DONE, (stack["tmp"] / "worker.log").read_text()[-2000:]
    assert job.rows == N and job.owner_id == steward.id

    status, headers, body = web.get(f"/gestion/descargas/{job.token}/archivo")
    assert status == 200 and len(body) == job.size and headers["Cache-Control"] == "no-store"
    assert body.startswith(b'\xef\xbb\xbf"capability";')
    assert body.count(b"\r\n") == N + 1  # the header and every row, no line break inside a cell here
    assert body.count(b"JAC Santo Domingo") == N - N // EVERY
    assert body.count(b"\"'=HYPERLINK(") == N // EVERY and b'"=HYPERLINK' not in body

    db.session.rollback()
    export = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert export.user_id == steward.id and export.details["rows"] == N and export.details["background"]
    download = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "download")).one()
    assert download.user_id == steward.id
