"""Characterisation at scale: 1,000,000 profiles (BENCH_QUICK=1: 20,000) on SQLite and PostgreSQL.

Measures, per database:
- the dashboard with the disclosure layer on (cell keys, perturbation, markers, refusal: what
  analysts and the public get) against the same queries without it (plain exact counts), the two
  alternating in the same run (`--repeat` rounds after a warm-up; median and range): totals (every
  variable + disability types), a cross-tab (sex × life course) and a three-way intersection
  filter (women × rural × victims: the totals of every variable). Targets: each protected query
  under 500 ms, and the protected one at most 1.5 × the plain one. A third figure times the
  protected three-way filter counted the way it was before `summary.narrow` (records only, one
  GROUP BY or scan per query);
- CSV export of anonymised profile rows: rows/s and the peak RSS of a fresh child process that
  streams the whole export to /dev/null (targets >= 100,000 rows/s, < 150 MB);
- XLSX export of the same rows plus its data dictionary: peak RSS of a fresh child (< 200 MB).

Reproduce: `.venv/bin/python bench/bench_characterization.py` (BENCH_QUICK=1 for a smoke run;
BENCH_PG_URL picks the PostgreSQL server; the bench uses a database of its own there).
`--help` lists the options: `--dashboard-only` skips the exports; `--sqlite-file` and `--pg-url`
keep the loaded profiles between runs (reused when they already hold as many profiles; `--pg-url`
must name a database made for the bench: its profile tables are emptied when they hold another
number of rows).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import QUICK, databases, env_for, header, peak_rss_mb_of_child, reset_postgres  # noqa: E402

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
        with db.engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT COUNT(*) FROM profile").scalar()
        if stored == n:
            return -1.0  # kept from an earlier run (--sqlite-file, --pg-url)
        if stored:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM profile_disability")
                conn.exec_driver_sql("DELETE FROM profile")
        with db.engine.begin() as conn:
            for ix in indexes:  # by name: SQLAlchemy's checkfirst missed some on SQLite
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {ix.name}")
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


def fmt(times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"median {statistics.median(ms):6.0f} ms (range {min(ms):.0f}-{max(ms):.0f})"


def alternating(fns: tuple, repeat: int) -> tuple[list[float], ...]:
    """Wall times of the functions one after the other, `repeat` rounds, after a warm-up round."""
    for fn in fns:
        fn()
    out = tuple([] for _ in fns)
    for _ in range(repeat):
        for fn, sink in zip(fns, out, strict=True):
            began = time.perf_counter()
            fn()
            sink.append(time.perf_counter() - began)
    return out


def dashboard_figures(app, repeat: int) -> list[str]:
    """The dashboard's queries without protection, with it (the app's path), and the three-way
    filter protected the way it was counted before `summary.narrow`: printed lines, and the
    names of the targets missed."""
    from app.catalogs import commands as catalogs
    from app.characterization import dashboard, disclosure, queries, summary
    from app.characterization.queries import Filters

    missed = []
    with app.test_request_context():
        catalogs.load("medellin")
        seconds = -1.0
        if not summary.current():
            began = time.perf_counter()
            summary.rebuild()
            seconds = time.perf_counter() - began
        print(
            f"  summary rebuilt from the records after the bulk load: {seconds:.1f} s"
            if seconds >= 0
            else "  summary already current",
            flush=True,
        )
        viewer = disclosure.Viewer(exact=False, k=5)
        everything = Filters()
        three = Filters(where={"sex": "2", "zone": "3", "victim": "1"})
        events = Filters(capability="events", where={"sex": "2", "zone": "3"})
        variables = dashboard.SUMMARY_VARIABLES

        def plain(filters):
            return lambda: (queries.all_totals(variables, filters), queries.disability_types(filters))

        def protected(filters):
            return lambda: dashboard.summary(filters, viewer)  # the refusal check included

        def before(fn):
            def run():
                app.config["PARTICIPA_NARROW_VIEWS"] = False
                try:
                    return fn()
                finally:
                    app.config["PARTICIPA_NARROW_VIEWS"] = True

            return run

        cases = {
            "totals (14 variables + disability types)": (plain(everything), protected(everything)),
            "cross-tab sex × life course": (
                lambda: queries.crosstab("sex", "life_course", everything),
                lambda: dashboard.crosstab("sex", "life_course", everything, viewer),
            ),
            "three-way filter women × rural × victims (totals)": (
                plain(three),
                protected(three),
                before(protected(three)),
            ),
            "events × women × rural (totals)": (plain(events), protected(events), before(protected(events))),
        }
        for label, fns in cases.items():
            times = alternating(fns, repeat)
            ratio = statistics.median(times[1]) / statistics.median(times[0])
            ok = ratio <= 1.5 and statistics.median(times[1]) < 0.5
            if not ok:
                missed.append(label)
            print(f"  {label}")
            print(f"    without protection:  {fmt(times[0])}")
            print(
                f"    with protection:     {fmt(times[1])}   ratio {ratio:.2f} "
                f"(target <= 1.5, < 500 ms) {'OK' if ok else 'MISSED'}"
            )
            if len(times) > 2:
                print(f"    protected, as before summary.narrow: {fmt(times[2])}")
            print("", end="", flush=True)
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=N, help=f"profiles to load (default {N:,})")
    parser.add_argument("--repeat", type=int, default=5, help="alternating rounds per query (default 5)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    parser.add_argument("--dashboard-only", action="store_true", help="skip the CSV and XLSX exports")
    parser.add_argument("--sqlite-file", help="SQLite file to keep the profiles in (reused when loaded)")
    parser.add_argument("--pg-url", help="PostgreSQL database made for the bench (reused when loaded)")
    args = parser.parse_args()
    header(
        f"Characterisation: {args.rows:,} profiles",
        ("BENCH_QUICK=1 " if QUICK else "")
        + ".venv/bin/python bench/bench_characterization.py "
        + " ".join(sys.argv[1:]),
    )
    chosen = []
    if args.only != "postgresql":
        chosen.append(("sqlite", f"sqlite:///{args.sqlite_file}") if args.sqlite_file else databases()[0])
    if args.only != "sqlite":
        if args.pg_url:
            chosen.append(("postgresql", args.pg_url))
        else:
            chosen += [(name, url) for name, url in databases() if name == "postgresql"]
    missed = []
    for name, url in chosen:
        if name == "postgresql" and not args.pg_url:
            reset_postgres(url)
        app = make_app(url)
        print(f"\n--- {name}", flush=True)
        seconds = build(app, args.rows)
        print(
            f"  profiles already loaded: {args.rows:,} (reused)"
            if seconds < 0
            else f"  bulk load of {args.rows:,} profiles (+ one disability row each), indexes built after: "
            f"{seconds:.1f} s",
            flush=True,
        )
        missed += [f"{name}: {label}" for label in dashboard_figures(app, args.repeat)]
        if args.dashboard_only:
            continue
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
    if missed:
        print("\n  targets missed: " + "; ".join(missed))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
