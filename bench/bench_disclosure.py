"""Disclosure layer at scale: 1,000,000 profiles (BENCH_QUICK=1: 50,000) on SQLite and PostgreSQL.

For each database, the same three dashboard queries with the protection layer (cell keys,
perturbation, markers: what analysts and the public get) and without it (plain exact counts),
alternating in the same run, REPEAT times each:

- totals: every dashboard variable and the disability types;
- a cross-tab: sex x life course;
- a three-way intersection filter: the totals of every variable for women x rural x victims.

Both go through the app's own path: the pre-aggregated summary (app/characterization/summary.py)
where it answers the view, the profile records otherwise. A third column times the protected view
counted from the records only (the summary switched off), as before the summary existed.

Targets: protected <= 1.5 x unprotected, and each protected query under 500 ms on both databases.
Prints the median and the range (min-max) of the runs.

Reproduce: `.venv/bin/python bench/bench_disclosure.py` (BENCH_QUICK=1 for a smoke run).
PostgreSQL: BENCH_PG_URL, else (or when it names the shared `test` database) `participa_bench` on
the same server, created if missing; the bench drops and recreates only its own tables there.
SQLite: a fresh temporary file, or BENCH_SQLITE_FILE (kept; reused when it already holds the
profiles, like PostgreSQL with BENCH_REUSE=1). No Redis is used or flushed.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import QUICK, header  # noqa: E402

N = 50_000 if QUICK else 1_000_000
REPEAT = 5

# Value lists the generator picks from (codes of the Medellín catalogs; None = no answer).
CHOICES = {
    "capability": ("events", "consultations", "ballot", "surveys"),
    "channel": ("web", "web", "paper", "staff"),
    "life_course": ("AD", "JU", "AT", "AT", "VE", "99", None),
    "sex": ("1", "2", "2", "3", "99", None),
    "gender_identity": ("1", "2", "3", "4", "6", "99", None),
    "sexual_orientation": ("1", "1", "2", "3", "4", "99", None),
    "ethnicity": ("1", "5", "6", "6", "6", "9", None),
    "victim": ("1", "2", "3", "3", "99", None),
    "migrant": ("1", "6", "6", "6", "99", None),
    "campesino": ("1", "2", "2", "99", None),
    "zone": ("1", "1", "1", "2", "3"),
    "value_group": ("CIU", "CIU", "CIU", "JAC", "OSC", "SER", "VEE"),
    "territory": tuple(f"{i:02d}" for i in range(1, 17)) + ("50", "60", "70", "80", "90"),
}


def make_app(url: str):
    """The app on `url`, with its own instance folder; no Redis (nothing here needs it)."""
    os.environ.update(
        {
            "DATABASE_URL": url,
            "PARTICIPA_ENV": "development",
            "SECRET_KEY": "bench",
            "PARTICIPA_INSTANCE_PATH": tempfile.mkdtemp(prefix="participa-bench-inst-"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    from app import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TESTING": False,
            "PARTICIPA_ENV": "development",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def _postgres_url() -> str | None:
    """BENCH_PG_URL, unless it names the shared `test` database; else `participa_bench` on the same
    server (created if missing). None when no server answers."""
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        print("  (PostgreSQL not reachable on 127.0.0.1:5432: skipped)")
        return None
    url = os.environ.get("BENCH_PG_URL") or "postgresql://postgres@127.0.0.1:5432/participa_bench"
    base, _, name = url.rstrip("/").rpartition("/")
    if name == "test":  # the shared test database keeps its schema and its rows
        print("  (BENCH_PG_URL names the shared `test` database: this bench uses `participa_bench` instead)")
        name, url = "participa_bench", f"{base}/participa_bench"
    if name == "participa_bench":
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'participa_bench'").fetchone():
                conn.execute("CREATE DATABASE participa_bench")
    return url


def databases() -> list[tuple[str, str]]:
    sqlite_file = (
        os.environ.get("BENCH_SQLITE_FILE") or f"{tempfile.mkdtemp(prefix='participa-bench-')}/bench.db"
    )
    out = [("sqlite", f"sqlite:///{sqlite_file}")]
    pg = _postgres_url()
    if pg:
        out.append(("postgresql", pg))
    return out


def _pick_sql(dialect: str, values: tuple) -> str:
    """SQL choosing one of `values` at random per row."""
    rnd = "floor(random() * {n})::int" if dialect == "postgresql" else "abs(random()) % {n}"
    index = rnd.format(n=len(values))
    whens = " ".join(f"WHEN {i} THEN {'NULL' if v is None else repr(v)}" for i, v in enumerate(values))
    return f"CASE {index} {whens} END"


def build(app, n: int) -> float:
    """Schema, then n profiles with one INSERT ... SELECT (generate_series / a recursive CTE),
    then indexes. Returns seconds."""
    from app.characterization import summary
    from app.characterization.models import Profile, ProfileDisability, ProfileSummary, ProfileSummaryState
    from app.extensions import db

    start = time.perf_counter()
    with app.app_context():
        own = [
            Profile.__table__,
            ProfileDisability.__table__,
            ProfileSummary.__table__,
            ProfileSummaryState.__table__,
        ]
        reuse = os.environ.get("BENCH_REUSE") == "1" or db.engine.dialect.name == "sqlite"
        if reuse and _stored(db) == n:
            db.metadata.create_all(db.engine, tables=own)  # tables of a newer schema, triggers, state row
            summary.install(db.engine.connect().execution_options(isolation_level="AUTOCOMMIT"))
            return -1.0
        if db.engine.dialect.name == "postgresql":  # this bench's own tables only (and FKs to them)
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS " + ", ".join(t.name for t in own) + " CASCADE")
        else:
            db.metadata.drop_all(db.engine, tables=own)
        db.metadata.create_all(db.engine, tables=own)
        summary.install(db.engine.connect().execution_options(isolation_level="AUTOCOMMIT"))
        tables = (Profile.__table__, ProfileDisability.__table__)
        indexes = [ix for t in tables for ix in t.indexes]
        dialect = db.engine.dialect.name
        with db.engine.begin() as conn:
            for ix in indexes:
                ix.drop(conn, checkfirst=True)
            columns = list(CHOICES)
            picks = [_pick_sql(dialect, CHOICES[c]) for c in columns]
            if dialect == "postgresql":
                ident = "substr(md5(random()::text || i::text), 1, 22)"
                day = "DATE '2025-01-01' + floor(random() * 540)::int"
                disability = "CASE floor(random() * 6)::int WHEN 0 THEN NULL WHEN 1 THEN true ELSE false END"
                key = "floor(random() * 256)::int"
                source = f"FROM generate_series(1, {n}) AS i"
                prefix = ""
            else:
                ident = "lower(hex(randomblob(11)))"
                day = "date('2025-01-01', '+' || (abs(random()) % 540) || ' days')"
                disability = "CASE abs(random()) % 6 WHEN 0 THEN NULL WHEN 1 THEN 1 ELSE 0 END"
                key = "abs(random()) % 256"
                source = "FROM s"
                prefix = (
                    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "  # noqa: S608
                    f"WHERE i < {n}) "
                )
            object_id = (
                "(1 + floor(random() * 200)::int)::text"
                if dialect == "postgresql"
                else "CAST(1 + abs(random()) % 200 AS TEXT)"
            )
            sql = (
                "INSERT INTO profile (id, object_id, on_date, has_disability, record_key, "
                f"{', '.join(columns)}) {prefix}SELECT {ident}, {object_id}, {day}, {disability}, {key}, "
                f"{', '.join(picks)} {source}"
            )
            conn.exec_driver_sql(sql)
            conn.exec_driver_sql(
                "INSERT INTO profile_disability (profile_id, code, record_key) "
                "SELECT id, CASE WHEN has_disability THEN '02' ELSE '08' END, record_key "
                "FROM profile WHERE has_disability IS NOT NULL"
            )
        with db.engine.begin() as conn:
            for ix in indexes:
                ix.create(conn)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
            if dialect == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE profile")
    return time.perf_counter() - start


def _stored(db) -> int:
    from sqlalchemy import inspect, text

    if "profile" not in inspect(db.engine).get_table_names():
        return -1
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM profile")).scalar() or 0)


def rebuild_summary(app) -> float:
    """The pre-aggregated summary computed from the bulk-loaded records (a bulk INSERT bypasses the
    writers, so the summary is stale until rebuilt, as after any bulk load). Returns seconds."""
    from app.characterization import summary

    with app.app_context():
        if summary.current():
            return 0.0
        start = time.perf_counter()
        summary.rebuild()
        return time.perf_counter() - start


def measure(trios: dict, repeat: int = REPEAT) -> dict:
    """{name: (fn, ...)} -> {name: (times, ...)}: the functions of a query one after the other,
    `repeat` rounds (after a warm-up round)."""
    out = {name: tuple([] for _ in fns) for name, fns in trios.items()}
    for name, fns in trios.items():
        for fn in fns:
            fn()  # warm-up
        for _ in range(repeat):
            for fn, sink in zip(fns, out[name], strict=True):
                start = time.perf_counter()
                fn()
                sink.append(time.perf_counter() - start)
    return out


def fmt(times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"median {statistics.median(ms):6.0f} ms (range {min(ms):.0f}-{max(ms):.0f})"


def run_queries(app) -> dict:
    """The three queries without and with protection (the app's path), and protected from the
    records only, timed alternately."""
    from app.characterization import dashboard, disclosure, queries
    from app.characterization.queries import Filters

    with app.test_request_context():
        from app.catalogs import commands as catalogs
        from app.extensions import db

        db.create_all()  # the catalog tables (build() makes only the profile tables)
        catalogs.load("medellin")
        viewer = disclosure.Viewer(exact=False, k=5)
        everything, narrow = Filters(), Filters(where={"sex": "2", "zone": "3", "victim": "1"})
        variables = dashboard.SUMMARY_VARIABLES

        def plain_totals(filters):
            return queries.all_totals(variables, filters), queries.disability_types(filters)

        def protected_totals(filters):
            return dashboard.summary(filters, viewer)  # refusal check included

        def records_only(fn):
            def run():
                app.config["PARTICIPA_PROFILE_SUMMARY"] = False
                try:
                    return fn()
                finally:
                    app.config["PARTICIPA_PROFILE_SUMMARY"] = True

            return run

        return measure(
            {
                "totals (14 variables + disability types)": (
                    lambda: plain_totals(everything),
                    lambda: protected_totals(everything),
                    records_only(lambda: protected_totals(everything)),
                ),
                "cross-tab sex x life course": (
                    lambda: queries.crosstab("sex", "life_course", everything),
                    lambda: dashboard.crosstab("sex", "life_course", everything, viewer),
                    records_only(lambda: dashboard.crosstab("sex", "life_course", everything, viewer)),
                ),
                "three-way filter women x rural x victims (totals)": (
                    lambda: plain_totals(narrow),
                    lambda: protected_totals(narrow),
                    records_only(lambda: protected_totals(narrow)),
                ),
            }
        )


def main() -> None:
    header(
        f"Disclosure layer: {N:,} profiles, protected against plain counts",
        ("BENCH_QUICK=1 " if QUICK else "") + ".venv/bin/python bench/bench_disclosure.py",
    )
    failures = []
    only = os.environ.get("BENCH_ONLY", "")
    for name, url in databases():
        if only and name != only:
            continue
        app = make_app(url)
        print(f"\n--- {name}", flush=True)
        seconds = build(app, N)
        print(
            "  profiles already loaded (reused)"
            if seconds < 0
            else f"  load of {N:,} profiles (INSERT ... SELECT), indexes built after: {seconds:.1f} s",
            flush=True,
        )
        print(
            f"  summary rebuilt from the records after the bulk load: {rebuild_summary(app):.1f} s",
            flush=True,
        )
        results = run_queries(app)
        for label, (plain, protected, records) in results.items():
            ratio = statistics.median(protected) / statistics.median(plain)
            ok = ratio <= 1.5 and statistics.median(protected) < 0.5
            if not ok:
                failures.append(f"{name}: {label}")
            print(f"  {label}")
            print(f"    without protection:            {fmt(plain)}")
            print(
                f"    with protection:               {fmt(protected)}   ratio {ratio:.2f} "
                f"(target <= 1.5, < 500 ms) {'OK' if ok else 'MISSED'}"
            )
            print(f"    with protection, records only: {fmt(records)}", flush=True)
    if failures:
        print("\n  targets missed: " + "; ".join(failures))


if __name__ == "__main__":
    main()
