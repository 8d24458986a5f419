"""Characterisation at scale: 1,000,000 profiles (BENCH_QUICK=1: 20,000) on SQLite and PostgreSQL.

Measures, per database:
- dashboard totals (every variable + disability types, suppressed for k=5) and one cross-tab
  (sex × life course): best of 3 wall times in this process, after a warm-up (target < 1 s each);
- CSV export of anonymised profile rows: rows/s and the peak RSS of a fresh child process that
  streams the whole export to /dev/null (targets >= 100,000 rows/s, < 150 MB);
- XLSX export of the same rows plus its data dictionary: peak RSS of a fresh child (< 200 MB).

Reproduce: `.venv/bin/python bench/bench_characterization.py` (BENCH_QUICK=1 for a smoke run;
BENCH_PG_URL picks the PostgreSQL server; the bench uses a database of its own there).
"""

from __future__ import annotations

import os
import random
import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import QUICK, databases, env_for, header, peak_rss_mb_of_child, reset_postgres, timed  # noqa: E402

N = 20_000 if QUICK else 1_000_000
COLUMNS = (
    "id",
    "capability",
    "object_id",
    "on_date",
    "channel",
    "life_course",
    "sex",
    "gender_identity",
    "sexual_orientation",
    "ethnicity",
    "victim",
    "migrant",
    "campesino",
    "has_disability",
    "zone",
    "territory",
    "subterritory",
    "value_group",
    "organisation",
    "record_key",
)


def make_app(url: str):
    os.environ.update(env_for(url))
    from app import create_app

    return create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": False, "PARTICIPA_ENV": "development"}
    )


def synthetic_rows(n: int):
    """Rows in id order (ids are random; sorting them makes the bulk load append-only)."""
    rng = random.Random(42)
    ids = sorted(secrets.token_urlsafe(16) for _ in range(n))
    start = date(2025, 1, 1)
    pick = rng.choice
    for pid in ids:
        disability = pick((None, False, False, False, False, True))
        yield (
            (
                pid,
                pick(("events", "consultations", "ballot", "surveys")),
                str(rng.randint(1, 200)),
                start + timedelta(days=rng.randint(0, 540)),
                pick(("web", "web", "paper")),
                pick(("AD", "JU", "AT", "AT", "VE", "99", None)),
                pick(("1", "2", "2", "3", "99", None)),
                pick(("1", "2", "3", "4", "6", "99", None)),
                pick(("1", "1", "2", "3", "4", "99", None)),
                pick(("1", "5", "6", "6", "6", "9", None)),
                pick(("1", "2", "3", "3", "99", None)),
                pick(("1", "6", "6", "6", "99", None)),
                pick(("1", "2", "2", "99", None)),
                disability,
                pick(("1", "1", "1", "2", "3")),
                f"{rng.choice(list(range(1, 17)) + [50, 60, 70, 80, 90]):02d}",
                None,
                pick(("CIU", "CIU", "CIU", "JAC", "OSC", "SER", "VEE")),
                None,
                (key := rng.randint(0, 255)),
            ),
            (pid, "02" if disability else "08", key),
        )


def build(app, n: int) -> float:
    """Create the schema and bulk-load n profiles (indexes built after the load). Returns seconds."""
    from app.characterization.models import Profile, ProfileDisability
    from app.extensions import db

    start = time.perf_counter()
    with app.app_context():
        db.create_all()
        tables = (Profile.__table__, ProfileDisability.__table__)
        indexes = [ix for t in tables for ix in t.indexes]
        with db.engine.begin() as conn:
            for ix in indexes:
                ix.drop(conn, checkfirst=True)
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            profiles = ",".join(COLUMNS)
            if db.engine.dialect.name == "postgresql":
                with cur.copy(f"COPY profile ({profiles}) FROM STDIN") as copy_p:
                    disab = []
                    for row, d in synthetic_rows(n):
                        copy_p.write_row(row)
                        disab.append(d)
                with cur.copy("COPY profile_disability (profile_id, code, record_key) FROM STDIN") as copy_d:
                    for d in disab:
                        copy_d.write_row(d)
            else:
                marks = ",".join("?" * len(COLUMNS))
                insert_profile = f"INSERT INTO profile ({profiles}) VALUES ({marks})"  # noqa: S608 - constant names
                insert_disability = (
                    "INSERT INTO profile_disability (profile_id, code, record_key) VALUES (?, ?, ?)"
                )
                batch_p, batch_d = [], []
                for row, d in synthetic_rows(n):
                    batch_p.append(row)
                    batch_d.append(d)
                    if len(batch_p) >= 50_000:
                        cur.executemany(insert_profile, batch_p)
                        cur.executemany(insert_disability, batch_d)
                        batch_p, batch_d = [], []
                if batch_p:
                    cur.executemany(insert_profile, batch_p)
                    cur.executemany(insert_disability, batch_d)
            raw.commit()
        finally:
            raw.close()
        with db.engine.begin() as conn:
            for ix in indexes:
                ix.create(conn)
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
            if db.engine.dialect.name == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE profile")
    return time.perf_counter() - start


def child(kind: str) -> None:
    """Run one export in this (fresh) process: stream it to /dev/null, print rows and seconds."""
    from flask_login import login_user

    from app.accounts.models import User
    from app.characterization import exports
    from app.characterization.queries import Filters
    from app.extensions import db

    app = make_app(os.environ["DATABASE_URL"])
    with app.test_request_context("/gestion/caracterizacion/exportar"):
        user = db.session.query(User).filter_by(role="analyst").first()
        if user is None:
            user = User(email="bench-analyst@example.gov.co", name="Bench", role="analyst", password_hash="x")
            db.session.add(user)
            db.session.commit()
        login_user(user)
        start = time.perf_counter()
        response = (
            exports.rows_csv(Filters(), False) if kind == "csv" else exports.rows_xlsx(Filters(), False)
        )
        size = 0
        with open(os.devnull, "wb") as sink:
            for chunk in response.response:
                data = chunk.encode() if isinstance(chunk, str) else chunk
                size += len(data)
                sink.write(data)
        seconds = time.perf_counter() - start
        from app.core.audit import AuditEntry

        rows = db.session.query(AuditEntry).order_by(AuditEntry.id.desc()).first().details["rows"]
    print(f"RESULT {rows} {seconds:.3f} {size}")


def main() -> None:
    header(
        f"Characterisation: {N:,} profiles",
        ("BENCH_QUICK=1 " if QUICK else "") + ".venv/bin/python bench/bench_characterization.py",
    )
    for name, url in databases():
        if name == "postgresql":
            reset_postgres(url)
        app = make_app(url)
        print(f"\n--- {name}")
        print(
            f"  bulk load of {N:,} profiles (+ one disability row each), indexes built after: "
            f"{build(app, N):.1f} s"
        )
        from app.characterization import dashboard
        from app.characterization.queries import Filters

        with app.test_request_context():
            from app.catalogs import commands as catalogs

            catalogs.load("medellin")
            totals = timed(lambda: dashboard.summary(Filters(), 5), repeat=3)
            cross = timed(lambda: dashboard.crosstab("sex", "life_course", Filters(), 5), repeat=3)
            filtered = timed(
                lambda: dashboard.summary(Filters(capability="events", where={"sex": "2", "zone": "3"}), 5),
                repeat=3,
            )
        print(
            f"  dashboard totals (15 variables + disability types, suppressed): {totals:.3f} s   (target < 1 "
            f"s)"
        )
        print(
            f"  cross-tab sex × life course (suppressed):                        {cross:.3f} s   (target < 1 "
            f"s)"
        )
        print(f"  dashboard totals with filters events × women × rural:            {filtered:.3f} s")
        env = env_for(url)
        for kind, rss_target in (("csv", 150), ("xlsx", 200)):
            peak, out = peak_rss_mb_of_child([sys.executable, __file__, "--child", kind], env=env)
            line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
            rows, seconds, size = line.split()[1:]
            rate = int(rows) / float(seconds)
            extra = f"{rate:,.0f} rows/s (target >= 100,000), " if kind == "csv" else ""
            print(
                f"  {kind.upper()} export of {int(rows):,} rows ({int(size) / 1e6:.1f} MB) in "
                f"{float(seconds):.2f} s: "
                f"{extra}peak RSS of the exporting process {peak:.0f} MB (target < {rss_target} MB)"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
