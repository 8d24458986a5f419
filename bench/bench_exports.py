"""Exports through the queue: 1,000,000 characterisation rows (BENCH_QUICK=1: 20,000) on SQLite and
PostgreSQL, next to bare scripts writing the same rows with the same libraries.

Per database:
- CSV and XLSX through the queue: the export is requested as a job, a worker process
  (`flask participa worker --burst`) prepares the file; the job's own time (claim to file written)
  and the worker's peak RSS (job child included). Then the file is downloaded from gunicorn as
  staff would ("Mis descargas"): seconds and MB/s. Targets: CSV >= 150,000 rows/s and < 150 MB;
  XLSX < 30 s and < 200 MB.
- Bare scripts, each in a fresh process: the same SQL on a plain DB-API cursor, written with the
  csv module, XlsxWriter (constant_memory), rustpy-xlsxwriter and pyexcelerate (the last two
  when installed): seconds and peak RSS. The XLSX writer of the job is chosen by these figures.

Reproduce: `.venv/bin/python bench/bench_exports.py` (BENCH_QUICK=1 for a smoke run; BENCH_PG_URL
picks the PostgreSQL server (a database of its own there); BENCH_REDIS_URL the Redis database,
default 15, where it deletes only its own keys;
BENCH_ONLY=postgresql and BENCH_WRITERS=csv,rustpy-xlsxwriter narrow a run).
"""

from __future__ import annotations

import csv
import http.client
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_characterization import build, make_app  # noqa: E402
from bench.common import (  # noqa: E402
    OWN,
    PY,
    QUICK,
    REDIS_URL,
    Session,
    databases,
    env_for,
    gunicorn,
    header,
    peak_rss_and_cpu_of_child,
    reset_postgres,
)

N = 20_000 if QUICK else 1_000_000
PASSWORD = "bench-password-123"
EMAIL = "bench-analista@example.gov.co"
WRITERS = tuple(os.environ.get("BENCH_WRITERS", "csv,xlsxwriter,rustpy-xlsxwriter,pyexcelerate").split(","))
ONLY = os.environ.get("BENCH_ONLY", "")


def _sql(app) -> str:
    """The anonymised export's SQL, compiled for this database (what the job runs)."""
    from app.characterization.exports import _rows_stmt
    from app.characterization.queries import Filters
    from app.extensions import db

    with app.app_context():
        stmt = _rows_stmt(Filters(), False)
        return str(stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))


def bare(writer: str) -> None:
    """A fresh process: run the SQL on a plain cursor, write every row with `writer`."""
    url, sql, path = os.environ["DATABASE_URL"], os.environ["BENCH_SQL"], os.environ["BENCH_OUT"]
    from app.characterization.exports import row_columns

    header_row = list(row_columns(False))
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.split("///", 1)[1])
        cur = conn.cursor()
    else:
        import psycopg

        conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        cur = conn.cursor(name="bench")  # server-side: rows arrive in batches
        cur.itersize = 5000
    server = _server_cpu(backend) if not url.startswith("sqlite") else 0.0
    start = time.perf_counter()
    own = time.process_time()
    cur.execute(sql)
    n = 0
    if writer == "csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
            handle.write("\ufeff")
            out.writerow(header_row)
            for row in cur:
                out.writerow(row)
                n += 1
    elif writer == "xlsxwriter":
        import xlsxwriter

        book = xlsxwriter.Workbook(path, {"constant_memory": True})
        sheet = book.add_worksheet("perfiles")
        sheet.write_row(0, 0, header_row)
        for n, row in enumerate(cur, start=1):
            sheet.write_row(n, 0, row)
        book.close()
    elif writer == "rustpy-xlsxwriter":
        from rustpy_xlsxwriter import FastExcel

        counter = [0]

        def records():
            for row in cur:
                counter[0] += 1
                yield dict(zip(header_row, row, strict=True))

        FastExcel(path).sheet("perfiles", records()).save()
        n = counter[0]
    elif writer == "pyexcelerate":
        from pyexcelerate import Workbook

        counter = [0]

        def rows():
            yield header_row
            for row in cur:
                counter[0] += 1
                yield list(row)

        book = Workbook()
        book.new_sheet("perfiles", data=rows())
        book.save(path)
        n = counter[0]
    if not url.startswith("sqlite"):
        server = _server_cpu(backend) - server
    print(
        f"RESULT {n} {time.perf_counter() - start:.3f} {os.path.getsize(path)} "
        f"{time.process_time() - own:.2f} "
        f"{server:.2f}"
    )


def _server_cpu(pid: int) -> float:
    """CPU seconds of one PostgreSQL backend so far (Linux /proc): the query's share of the work."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _installed(writer: str) -> bool:
    import importlib.util

    module = {
        "csv": "csv",
        "xlsxwriter": "xlsxwriter",
        "rustpy-xlsxwriter": "rustpy_xlsxwriter",
        "pyexcelerate": "pyexcelerate",
    }[writer]
    return importlib.util.find_spec(module) is not None


def _download(base: str, token: str) -> tuple[float, int]:
    """Log in as the analyst and stream the job's file from the app to nowhere."""
    session = Session(base)
    _status, html, _ = session.get("/gestion/ingresar")
    status, _text, _ = session.post(
        "/gestion/ingresar", {"csrf_token": session.csrf(html), "email": EMAIL, "password": PASSWORD}
    )
    assert status == 302, status
    conn = http.client.HTTPConnection(session.host, session.port, timeout=300)
    start = time.perf_counter()
    conn.request(
        "GET",
        f"/gestion/descargas/{token}/archivo",
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items())},
    )
    resp = conn.getresponse()
    assert resp.status == 200, resp.status
    size = 0
    while chunk := resp.read(1 << 20):
        size += len(chunk)
    return time.perf_counter() - start, size


def through_queue(app, url: str, fmt: str, env: dict, base: str) -> None:
    from app.accounts.models import User
    from app.characterization.export_jobs import KINDS
    from app.core import jobs
    from app.extensions import db

    with app.app_context():
        user = db.session.query(User).filter_by(email=EMAIL).one()
        job = jobs.enqueue(
            KINDS[fmt],
            owner=user,
            label=f"bench {fmt}",
            total=N,
            params={"filters": {}, "full": False, "lang": "es"},
        )
        job_id = job.id
    flask = str(Path(PY).parent / "flask")
    wall = time.perf_counter()
    peak, cpu, _out = peak_rss_and_cpu_of_child([flask, "participa", "worker", "--burst"], env=env)
    wall = time.perf_counter() - wall
    with app.app_context():
        job = db.session.get(jobs.Job, job_id)
        if job.status != "done":
            print(f"  {fmt.upper()} job {job.status}: {job.error}")
            return
        seconds = (job.finished_at - job.started_at).total_seconds()
        rows, size, token = job.rows, job.size, job.token
    rate = rows / seconds if seconds else 0
    target = "(targets >= 150,000 rows/s, < 150 MB)" if fmt == "csv" else "(targets < 30 s, < 200 MB)"
    print(
        f"  queue {fmt.upper():4} {rows:,} rows, {size / 1e6:.1f} MB: job {seconds:.1f} s = {rate:,.0f} "
        f"rows/s, "
        f"worker wall {wall:.1f} s, worker CPU {cpu:.1f} s (start-up included), peak RSS {peak:.0f} MB "
        f"{target}"
    )
    down, got = _download(base, token)
    print(f"        download from gunicorn: {down:.2f} s ({got / 1e6 / down:.0f} MB/s)")


def main() -> None:
    header(
        f"Exports through the queue: {N:,} profiles",
        ("BENCH_QUICK=1 " if QUICK else "") + ".venv/bin/python bench/bench_exports.py",
    )
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        print(f"  Redis not reachable at {REDIS_URL}: the queue cannot be measured")
        return
    for name, url in databases():
        if ONLY and name != ONLY:
            continue
        if name == "postgresql":
            reset_postgres(url)
        extra = {
            "PARTICIPA_REDIS_URL": REDIS_URL,
            "PARTICIPA_REDIS_PREFIX": OWN,
            "PARTICIPA_DOWNLOAD_DIR": f"/tmp/participa-bench-downloads-{os.getpid()}",
        }
        os.environ.update(extra)
        app = make_app(url)
        app.config.update(extra)
        print(f"\n--- {name}")
        print(f"  bulk load of {N:,} profiles: {build(app, N):.1f} s")
        with app.app_context():
            from app.accounts import commands as accounts
            from app.catalogs import commands as catalogs

            catalogs.load("medellin")
            accounts.create_user(EMAIL, PASSWORD, "analyst", name="Bench", actor="bench")
        env = env_for(url, **extra)
        with gunicorn("wsgi:app", env, workers=1) as base:
            for fmt in ("csv", "xlsx"):
                through_queue(app, url, fmt, env, base)
        sql = _sql(app)
        for writer in WRITERS:
            if not _installed(writer):
                print(f"  bare {writer}: not installed")
                continue
            out = f"/tmp/participa-bench-{os.getpid()}.{'csv' if writer == 'csv' else 'xlsx'}"
            peak, _cpu, text = peak_rss_and_cpu_of_child(
                [PY, __file__, "--bare", writer], env={**env, "BENCH_SQL": sql, "BENCH_OUT": out}
            )
            match = re.search(r"RESULT (\d+) ([\d.]+) (\d+) ([\d.]+) ([\d.]+)", text)
            rows, seconds, size = int(match.group(1)), float(match.group(2)), int(match.group(3))
            own, server = float(match.group(4)), float(match.group(5))
            os.unlink(out)
            print(
                f"  bare {writer:17} {rows:,} rows, {size / 1e6:.1f} MB: {seconds:.1f} s = "
                f"{rows / seconds:,.0f} rows/s, CPU {own:.1f} s (+ server {server:.1f} s), peak RSS "
                f"{peak:.0f} MB"
            )
        import shutil

        shutil.rmtree(extra["PARTICIPA_DOWNLOAD_DIR"], ignore_errors=True)
        conn = redis.Redis.from_url(REDIS_URL)
        for key in conn.scan_iter(f"*{extra['PARTICIPA_REDIS_PREFIX']}*"):
            conn.delete(key)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--bare":
        bare(sys.argv[2])
    else:
        main()
