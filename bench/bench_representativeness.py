"""Representativeness against a population baseline: 200,000 profiles (BENCH_QUICK=1: 20,000)
on SQLite (and PostgreSQL when BENCH_PG_URL is set).

Measures the whole comparison (every variable the baseline carries: territory, age, sex,
ethnicity, disability, victim, zone), exact (steward) and protected (k = 5), best of 5 after a
warm-up. Each variable is one GROUP BY over the profiles, with the ages that cannot take part
left out. Target: < 1 s.

Reproduce: `.venv/bin/python bench/bench_representativeness.py` (BENCH_QUICK=1 for a smoke run;
BENCH_PG_URL picks the PostgreSQL database, which is wiped).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_characterization import COLUMNS as PROFILE_COLUMNS  # noqa: E402
from bench.bench_characterization import make_app, synthetic_rows  # noqa: E402
from bench.common import QUICK, databases, header, reset_postgres, timed  # noqa: E402


def build(app, n: int) -> float:
    """Schema and n synthetic profiles (the characterisation bench's, with record keys)."""
    from sqlalchemy import insert

    from app.characterization.models import Profile, ProfileDisability
    from app.extensions import db

    start, rng = time.perf_counter(), random.Random(7)
    with app.app_context():
        db.create_all()
        batch_p, batch_d = [], []
        for row, (pid, code) in synthetic_rows(n):
            key = rng.randrange(256)
            batch_p.append({**dict(zip(PROFILE_COLUMNS, row, strict=True)), "record_key": key})
            batch_d.append({"profile_id": pid, "code": code, "record_key": key})
            if len(batch_p) >= 20_000:
                db.session.execute(insert(Profile.__table__), batch_p)
                db.session.execute(insert(ProfileDisability.__table__), batch_d)
                batch_p, batch_d = [], []
        if batch_p:
            db.session.execute(insert(Profile.__table__), batch_p)
            db.session.execute(insert(ProfileDisability.__table__), batch_d)
        db.session.commit()
    return time.perf_counter() - start


N = 20_000 if QUICK else 200_000

BASELINE = (
    "territorio;sexo;edad_desde;edad_hasta;etnia;discapacidad;victima;zona;poblacion\n"
    + "".join(f"{c:02d};;;;;;;;{10_000 + c}\n" for c in range(1, 17))
    + "".join(
        f";{s};{lo};{hi};;;;;{1000 + lo}\n"
        for s in "12"
        for lo, hi in ((0, 13), (14, 17), (18, 28), (29, 59), (60, ""))
    )
    + ";;;;5;;;;10000\n;;;;6;;;;90000\n;;;;;1;;;7000\n;;;;;0;;;93000\n"
    + ";;;;;;1;;12000\n;;;;;;3;;88000\n;;;;;;;1;90000\n;;;;;;;3;10000\n"
)


def main() -> None:
    header("Representativeness", "bench/bench_representativeness.py")
    for name, url in databases():
        if url.startswith("postgresql"):
            reset_postgres(url)
        app = make_app(url)
        seconds = build(app, N)
        with app.app_context():
            from app.catalogs import commands as catalogs
            from app.characterization import baseline, dashboard, disclosure, queries

            catalogs.load("medellin")
            baseline.load(BASELINE.encode(), "bench")
            with app.test_request_context():
                exact = timed(lambda: dashboard.representativeness(queries.Filters(), None))
                protected = timed(
                    lambda: dashboard.representativeness(queries.Filters(), disclosure.from_threshold(5))
                )
                blocks = len(dashboard.representativeness(queries.Filters(), None))
        print(
            f"| {name} | {N:,} profiles (load {seconds:.1f} s) | {blocks} variables | "
            f"exact {exact * 1000:.0f} ms | protected {protected * 1000:.0f} ms |"
        )


if __name__ == "__main__":
    main()
