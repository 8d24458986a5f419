"""Home page throughput against a bare Flask app, both under gunicorn (2 sync workers).

The app runs on SQLite with the Medellín catalogs loaded (schema built with db.create_all(),
the same schema the migrations build). Both servers run at once and get the same number of
requests at the same concurrency from the same client, in alternating rounds; the figures are
requests per second and p95 latency, and the home page's share of the bare app's throughput
(target: 50 % or more).

    .venv/bin/python bench/bench_foundation.py            # full run
    BENCH_QUICK=1 .venv/bin/python bench/bench_foundation.py   # smoke run
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PY, QUICK, ROOT, Session, env_for, flask_cli, gunicorn, header, pct, run_concurrently  # noqa: E402

REQUESTS = 300 if QUICK else 3000
CONCURRENCY = 8
WARMUP = 20 if QUICK else 100
ROUNDS = 3 if QUICK else 6
SCHEMA = (
    "from app import create_app; from app.extensions import db; a = create_app(); "
    "a.app_context().push(); db.create_all()"
)


def drive(base: str, path: str, n: int) -> tuple[list[float], int, float]:
    """(latencies in s, failures, wall seconds) for `n` GETs of `path` at `CONCURRENCY`."""
    local = threading.local()

    def task(_i: int) -> float | None:
        if not hasattr(local, "session"):
            local.session = Session(base)
        start = time.perf_counter()
        status, body, _headers = local.session.get(path)
        elapsed = time.perf_counter() - start
        return elapsed if status == 200 and body else None

    return run_concurrently(task, n, CONCURRENCY)


def measure(bases: dict[str, str]) -> dict[str, tuple[float, float, int]]:
    """Alternate the servers in rounds (so a busy moment on a shared machine hits both alike);
    return name -> (requests per second, p95 ms, failures)."""
    totals = {name: ([], 0, 0.0) for name in bases}
    for base in bases.values():
        drive(base, "/", WARMUP)
    for _round in range(ROUNDS):
        for name, base in bases.items():
            latencies, failures, wall = drive(base, "/", REQUESTS // ROUNDS)
            lat, fail, secs = totals[name]
            totals[name] = (lat + latencies, fail + failures, secs + wall)
    return {
        name: (len(lat) / secs, pct([v * 1000 for v in lat], 95), fail)
        for name, (lat, fail, secs) in totals.items()
    }


def main() -> None:
    header(
        "Foundation: home page vs bare Flask 'hello' (gunicorn, 2 workers, SQLite)",
        ("BENCH_QUICK=1 " if QUICK else "") + ".venv/bin/python bench/bench_foundation.py",
    )
    import tempfile

    db_url = f"sqlite:///{tempfile.mkdtemp(prefix='participa-bench-')}/bench.db"
    env = env_for(db_url)
    subprocess.run([PY, "-c", SCHEMA], cwd=ROOT, env=env, check=True, capture_output=True)
    flask_cli(["participa", "load-catalogs", "--entity", "medellin"], env)
    print(
        f"  {REQUESTS} requests per server in {ROUNDS} alternating rounds, {CONCURRENCY} concurrent clients, "
        f"after {WARMUP} warm-up requests"
    )

    with (
        gunicorn("wsgi:app", env) as app_base,
        gunicorn("bare_app:app", env, chdir=ROOT / "bench") as bare_base,
    ):
        figures = measure({"app": app_base, "bare": bare_base})
    (app_rps, app_p95, app_fail), (bare_rps, bare_p95, bare_fail) = figures["app"], figures["bare"]

    print(f"  home page (/)      : {app_rps:8.1f} req/s   p95 {app_p95:6.1f} ms   failures {app_fail}")
    print(f"  bare Flask 'hello' : {bare_rps:8.1f} req/s   p95 {bare_p95:6.1f} ms   failures {bare_fail}")
    ratio = app_rps / bare_rps if bare_rps else 0.0
    verdict = "meets" if ratio >= 0.5 else "BELOW"
    print(f"  ratio              : {ratio:.0%} of the bare app ({verdict} the 50 % target)")
    if app_fail or bare_fail:
        sys.exit(1)


if __name__ == "__main__":
    main()
