"""Shared benchmark helpers: serve the app with gunicorn, drive load, print figures.

Each bench/bench_*.py script uses these and prints its figures plus the command that produced
them. `make bench` runs them all (bench/run_all.py). Set BENCH_QUICK=1 for a fast smoke run.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
QUICK = os.environ.get("BENCH_QUICK") == "1"
# BENCH_PG_URL names the PostgreSQL server (and a database to connect to there); the benches never
# write to that database: each bench process creates its own, participa_bench_<pid>, and drops it
# when it ends.
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
OWN = f"participa_bench_{os.getpid()}"  # this process's database name and Redis key prefix
_OWN_DATABASES: set[str] = set()


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connect():
    import psycopg

    return psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def own_postgres() -> str:
    """URL of this bench's own database on the server of BENCH_PG_URL, created on first use and
    dropped when the process exits."""
    if OWN not in _OWN_DATABASES:
        with _admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{OWN}"')
            conn.execute(f'CREATE DATABASE "{OWN}"')
        _OWN_DATABASES.add(OWN)
        atexit.register(_drop_own_postgres)
    return _with_database(PG_URL, OWN)


def _drop_own_postgres() -> None:
    try:
        with _admin_connect() as conn:
            for name in sorted(_OWN_DATABASES):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exc:  # noqa: BLE001 - the process is ending: say so, do not hide the figures
        print(f"  (could not drop the bench database: {exc!r:.200})")


def databases() -> list[tuple[str, str]]:
    """[(name, DATABASE_URL)] for SQLite (fresh temp file) and PostgreSQL (this process's own
    database on the server of BENCH_PG_URL, if reachable)."""
    out = [("sqlite", f"sqlite:///{tempfile.mkdtemp(prefix='participa-bench-')}/bench.db")]
    try:
        out.append(("postgresql", own_postgres()))
    except Exception as exc:  # noqa: BLE001 - no server: the SQLite figures still come
        print(f"  (PostgreSQL at BENCH_PG_URL not usable: {type(exc).__name__}: skipped)")
    return out


def reset_postgres(url: str) -> None:
    """Empty this bench's own database (never any other: the name must be one it created)."""
    import psycopg

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if name not in _OWN_DATABASES:
        raise RuntimeError(f"refusing to reset {name!r}: not a database this bench created")
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
_REDIS_CLEANUP: list[bool] = []


def delete_own_keys() -> int:
    """Delete this bench's own Redis keys (those holding its prefix), and no others."""
    import redis

    conn = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    keys = list(conn.scan_iter(match=f"*{OWN}*", count=1000))
    for start in range(0, len(keys), 500):
        conn.delete(*keys[start : start + 500])
    return len(keys)


def _delete_own_keys_quietly() -> None:
    with contextlib.suppress(Exception):
        delete_own_keys()


def rate_limit_storage() -> str:
    """Where the served app keeps rate-limit counters: Redis, as the deployment guide asks for several
    gunicorn workers, under this bench's own key prefix (its earlier keys are deleted, so each run
    starts with empty counters; keys of anyone else in that database are left alone), or memory://
    when no Redis answers (counters per worker: limits then count per worker, as documented)."""
    import redis

    try:
        delete_own_keys()
    except redis.RedisError:
        return "memory://"
    if not _REDIS_CLEANUP:
        _REDIS_CLEANUP.append(True)
        atexit.register(_delete_own_keys_quietly)
    return REDIS_URL


def env_for(database_url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "PARTICIPA_ENV": "development",
            "SECRET_KEY": "bench-secret",
            "PARTICIPA_INSTANCE_PATH": tempfile.mkdtemp(prefix="participa-bench-inst-"),
            "FLASK_APP": "wsgi.py",
            "RATELIMIT_STORAGE_URI": rate_limit_storage(),
            "RATELIMIT_KEY_PREFIX": OWN,
            "BENCH_REDIS_PREFIX": OWN,
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask_cli(args: list[str], env: dict, cwd: Path = ROOT) -> str:
    """Run `flask …` with the given environment (in the checkout `cwd`); return stdout."""
    result = subprocess.run(
        [str(Path(PY).parent / "flask"), *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict, workers: int = 2, chdir: Path = ROOT):
    """Serve `app_spec` (e.g. 'wsgi:app') with gunicorn sync workers on 127.0.0.1; yield base URL.

    The portal ('wsgi:app' of the checkout `chdir`) is served through bench/serve_app.py, which
    keeps its rate-limit counters under this bench's own Redis key prefix (any checkout, old or new)."""
    port = free_port()
    extra: list[str] = []
    if app_spec == "wsgi:app":
        extra, app_spec = ["--pythonpath", str(Path(__file__).resolve().parent)], "serve_app:app"
        env = {**env, "BENCH_APP": "wsgi:app", "BENCH_REDIS_PREFIX": env.get("BENCH_REDIS_PREFIX", OWN)}
    proc = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "-w",
            str(workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
            *extra,
            app_spec,
        ],
        cwd=chdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + proc.stderr.read()[-3000:]) from None
            time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


class Session:
    """A tiny HTTP/1.1 client with cookies (one per simulated person), on http.client."""

    CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

    def __init__(self, base: str, ip: str | None = None):
        """`ip`: the client address this person arrives from, sent as X-Forwarded-For (serve the
        app with PARTICIPA_PROXY_COUNT=1), so per-IP rate limits apply as in production."""
        parsed = urllib.parse.urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.ip = ip

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, dict]:
        headers = {"X-Forwarded-For": self.ip} if self.ip else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, text, dict(resp.getheaders())

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)

    def csrf(self, html: str) -> str:
        match = self.CSRF.search(html)
        return match.group(1) if match else ""


def run_concurrently(
    task: Callable[[int], float | None], n: int, concurrency: int
) -> tuple[list[float], int, float]:
    """Run task(i) for i in range(n) on `concurrency` threads. task returns its latency in seconds
    (or None for a failure). Returns (latencies, failures, wall seconds)."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    counter = iter(range(n))

    def worker():
        nonlocal failures
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            try:
                value = task(i)
            except Exception as exc:  # noqa: BLE001 - a failure is counted, not fatal
                value = None
                print("  request failed:", repr(exc)[:200])
            with lock:
                if value is None:
                    failures += 1
                else:
                    latencies.append(value)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures, time.perf_counter() - start


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(latencies: list[float]) -> str:
    if not latencies:
        return "no successful requests"
    ms = [v * 1000 for v in latencies]
    return (
        f"p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, p99 {pct(ms, 99):.1f} ms, "
        f"mean {statistics.fmean(ms):.1f} ms"
    )


def timed(fn: Callable, repeat: int = 5) -> float:
    """Best-of-N wall time of fn() in seconds (after one warm-up)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def cpu_seconds(match: Callable[[str], bool]) -> float:
    """User + system CPU seconds used so far by the running processes whose command line matches
    (Linux /proc): a figure steadier than latency when the machine's speed drifts."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if match(cmdline):
            fields = stat[stat.rindex(")") + 2 :].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def peak_rss_mb_of_child(cmd: list[str], env: dict | None = None) -> tuple[float, str]:
    """Run cmd in a fresh child process; return (its peak RSS in MB, its stdout).

    A wrapper process runs the command, so earlier children do not mask the figure."""
    wrapper = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
        "print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
    )
    result = subprocess.run(
        [PY, "-c", wrapper, *cmd], cwd=ROOT, env=env or os.environ.copy(), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    lines = result.stdout.strip().splitlines()
    peak_kb = int(lines[-1].split()[-1])
    return peak_kb / 1024, "\n".join(lines[:-1])


def header(title: str, command: str) -> None:
    print(f"\n=== {title}\n    reproduce: {command}")


def peak_rss_and_cpu_of_child(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Like `peak_rss_mb_of_child`, also giving the child's CPU seconds (user + system, its own
    children included): a figure that says what the work costs when the machine is shared."""
    wrapper = (
        "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print('PEAK_RSS_KB', u.ru_maxrss, u.ru_utime + u.ru_stime); sys.exit(r.returncode)"
    )
    result = subprocess.run(
        [PY, "-c", wrapper, *cmd], cwd=ROOT, env=env or os.environ.copy(), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    lines = result.stdout.strip().splitlines()
    _label, peak_kb, cpu = lines[-1].split()
    return int(peak_kb) / 1024, float(cpu), "\n".join(lines[:-1])
