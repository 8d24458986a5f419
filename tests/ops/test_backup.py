"""Backups that restore: the demo is backed up, wiped (its tables dropped), restored from the
backup, and every table has the same rows again, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import stat

from app.core import backup
from tests.conftest import _wipe


def test_demo_backup_wipe_restore_gives_back_every_row(app, db, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["participa", "demo"])
    assert result.exit_code == 0, result.output
    before = backup.table_counts()
    assert before["event"] > 0 and before["profile"] > 100 and before["staff_user"] > 0

    path = tmp_path / "participa.backup"
    result = runner.invoke(args=["participa", "backup", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # personal data: the service account only

    _wipe(app)  # a disaster: every row of every table gone
    left = {name: n for name, n in backup.table_counts().items() if n}
    assert left == {"profile_summary_state": 1}  # only the summary's state row, which every wipe writes back

    result = runner.invoke(args=["participa", "restore", str(path)], input="y\n")
    assert result.exit_code == 0, result.output
    assert backup.table_counts() == before


def test_restore_refuses_a_file_that_is_not_a_backup(app, db, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_text("not a backup")
    result = app.test_cli_runner().invoke(args=["participa", "restore", "--yes", str(junk)])
    assert result.exit_code != 0 and (
        "not a SQLite backup" in result.output or "pg_restore failed" in result.output
    )
    assert "staff_user" in backup.table_counts()  # the database is untouched


def test_pg_dump_must_not_be_older_than_the_server(db):
    if db.engine.dialect.name != "postgresql":
        assert backup._major("pg_dump (PostgreSQL) 15.20") == 15
        return
    client, server = backup.check_pg_client()
    assert client >= server
