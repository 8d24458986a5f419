"""Backups that restore: `flask participa backup FILE` / `flask participa restore FILE`.

PostgreSQL: `pg_dump --format=custom` (consistent snapshot while the portal runs) and
`pg_restore --clean --if-exists --single-transaction` (all or nothing). The client's major version
must be at least the server's (an older pg_dump refuses or, worse, misses objects): checked first.
SQLite: the online backup API (a consistent copy while the portal runs, WAL included), and the
same API copies a backup back over the live database.

The database is not everything: see docs/operations/services.md (the instance secret / hash key and the
downloads folder).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.extensions import db


class BackupError(RuntimeError):
    pass


def table_counts() -> dict[str, int]:
    """Rows per table of the models (what a restore is compared with)."""
    out = {}
    for table in db.metadata.sorted_tables:
        out[table.name] = db.session.scalar(select(func.count()).select_from(table)) or 0
    db.session.rollback()
    return out


def _pg_env_and_url() -> tuple[dict, str]:
    url = make_url(str(db.engine.url.render_as_string(hide_password=False)))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return env, plain


def _major(text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    if not match:
        raise BackupError(f"cannot read a version from {text!r}")
    return int(match.group(1))


def check_pg_client(tool: str = "pg_dump") -> tuple[int, int]:
    """(client major, server major); raises BackupError when the client is older or missing."""
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    client = _major(subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout)
    server = int(db.session.execute(select(func.current_setting("server_version_num"))).scalar()) // 10000
    db.session.rollback()
    if client < server:
        raise BackupError(
            f"{tool} {client} is older than the PostgreSQL server {server}: install "
            f"postgresql-client-{server}"
        )
    return client, server


def backup(path: str | Path) -> dict[str, int]:
    """Write a backup of the database to `path`; return the row counts it holds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = table_counts()
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        check_pg_client("pg_dump")
        env, url = _pg_env_and_url()
        done = subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={path}",
                f"--dbname={url}",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
    elif dialect == "sqlite":
        source = db.engine.url.database
        tmp = path.with_suffix(path.suffix + ".part")
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(tmp)) as dst:
            src.backup(dst)
        os.replace(tmp, path)
    else:
        raise BackupError(f"no backup for {dialect}")
    os.chmod(path, 0o600)  # personal data: readable by the service account only
    return counts


def restore(path: str | Path) -> dict[str, int]:
    """Replace the database's contents with the backup at `path`; return the restored counts."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    dialect = db.engine.dialect.name
    db.session.remove()
    if dialect == "postgresql":
        check_pg_client("pg_restore")
        db.engine.dispose()
        env, url = _pg_env_and_url()
        done = subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={url}",
                str(path),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise BackupError(f"pg_restore failed (nothing changed): {done.stderr.strip()[:500]}")
    elif dialect == "sqlite":
        with open(path, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{path} is not a SQLite backup")
        db.engine.dispose()
        with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(db.engine.url.database)) as dst:
            src.backup(dst)
    else:
        raise BackupError(f"no restore for {dialect}")
    from app.core import cache

    cache.changed_everything()
    return table_counts()
