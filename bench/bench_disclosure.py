"""Disclosure layer at scale: 1,000,000 profiles (BENCH_QUICK=1: 50,000) on SQLite and PostgreSQL.

For each database, the same three dashboard queries with the protection layer (cell keys summed
in SQL, perturbation, markers: what analysts and the public get) and without it (plain exact
counts), alternating in the same run:

- totals: every dashboard variable and the disability types;
- a cross-tab: sex x life course;
- a three-way intersection filter: the totals of every variable for women x rural x victims.

Targets: protected <= 1.5 x unprotected, and each protected query under 500 ms on both databases.
Prints the median and the range (min-max) of REPEAT runs of each.

Reproduce: `.venv/bin/python bench/bench_disclosure.py` (BENCH_QUICK=1 for a smoke run;
BENCH_PG_URL picks the PostgreSQL server; the bench uses a database of its own there).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import QUICK, databases, env_for, header, reset_postgres  # noqa: E402

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
    os.environ.update(env_for(url))
    from app import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": False,
                       "PARTICIPA_ENV": "development"})


def _pick_sql(dialect: str, values: tuple) -> str:
    """SQL choosing one of `values` at random per row."""
    rnd = "floor(random() * {n})::int" if dialect == "postgresql" else "abs(random()) % {n}"
    index = rnd.format(n=len(values))
    whens = " ".join(f"WHEN {i} THEN {'NULL' if v is None else repr(v)}" for i, v in enumerate(values))
    return f"CASE {index} {whens} END"


def build(app, n: int) -> float:
    """Schema, then n profiles with one INSERT ... SELECT (generate_series / a recursive CTE),
    then indexes. Returns seconds."""
    from app.characterization.models import Profile, ProfileDisability
    from app.extensions import db

    start = time.perf_counter()
    with app.app_context():
        db.create_all()
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
                prefix = ("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "  # noqa: S608
                          f"WHERE i < {n}) ")
            object_id = ("(1 + floor(random() * 200)::int)::text" if dialect == "postgresql"
                         else "CAST(1 + abs(random()) % 200 AS TEXT)")
            sql = ("INSERT INTO profile (id, object_id, on_date, has_disability, record_key, "
                   f"{', '.join(columns)}) {prefix}SELECT {ident}, {object_id}, {day}, {disability}, {key}, "
                   f"{', '.join(picks)} {source}")
            conn.exec_driver_sql(sql)
            conn.exec_driver_sql("INSERT INTO profile_disability (profile_id, code, record_key) "
                                 "SELECT id, CASE WHEN has_disability THEN '02' ELSE '08' END, record_key "
                                 "FROM profile WHERE has_disability IS NOT NULL")
        with db.engine.begin() as conn:
            for ix in indexes:
                ix.create(conn)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
            if dialect == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE profile")
    return time.perf_counter() - start


def measure(pairs: dict, repeat: int = REPEAT) -> dict:
    """{name: (plain fn, protected fn)} -> {name: (plain times, protected times)}, alternating."""
    out = {name: ([], []) for name in pairs}
    for name, (plain, protected) in pairs.items():
        plain()
        protected()  # warm-up
        for _ in range(repeat):
            for fn, sink in ((plain, out[name][0]), (protected, out[name][1])):
                start = time.perf_counter()
                fn()
                sink.append(time.perf_counter() - start)
    return out


def fmt(times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"median {statistics.median(ms):6.0f} ms (range {min(ms):.0f}-{max(ms):.0f})"


def run_queries(app) -> dict:
    """The three queries with and without protection, timed alternately."""
    from app.characterization import dashboard, disclosure, queries
    from app.characterization.queries import Filters

    with app.test_request_context():
        from app.catalogs import services as catalogs

        catalogs.load("medellin")
        viewer = disclosure.Viewer(exact=False, k=5)
        everything, narrow = Filters(), Filters(where={"sex": "2", "zone": "3", "victim": "1"})
        variables = dashboard.SUMMARY_VARIABLES

        def plain_totals(filters):
            return queries.all_totals(variables, filters), queries.disability_types(filters)

        def protected_totals(filters):
            return dashboard.summary(filters, viewer)  # refusal check included

        return measure({
            "totals (14 variables + disability types)": (
                lambda: plain_totals(everything), lambda: protected_totals(everything)),
            "cross-tab sex x life course": (
                lambda: queries.crosstab("sex", "life_course", everything),
                lambda: dashboard.crosstab("sex", "life_course", everything, viewer)),
            "three-way filter women x rural x victims (totals)": (
                lambda: plain_totals(narrow), lambda: protected_totals(narrow)),
        })


def main() -> None:
    header(f"Disclosure layer: {N:,} profiles, protected against plain counts",
           ("BENCH_QUICK=1 " if QUICK else "") + ".venv/bin/python bench/bench_disclosure.py")
    failures = []
    for name, url in databases():
        if name == "postgresql":
            reset_postgres(url)
        app = make_app(url)
        print(f"\n--- {name}")
        print(f"  load of {N:,} profiles (INSERT ... SELECT), indexes built after: {build(app, N):.1f} s")
        results = run_queries(app)
        for label, (plain, protected) in results.items():
            ratio = statistics.median(protected) / statistics.median(plain)
            ok = ratio <= 1.5 and statistics.median(protected) < 0.5
            if not ok:
                failures.append(f"{name}: {label}")
            print(f"  {label}")
            print(f"    without protection: {fmt(plain)}")
            print(f"    with protection:    {fmt(protected)}   ratio {ratio:.2f} "
                  f"(target <= 1.5, < 500 ms) {'OK' if ok else 'MISSED'}")
    if failures:
        print("\n  targets missed: " + "; ".join(failures))


if __name__ == "__main__":
    main()
