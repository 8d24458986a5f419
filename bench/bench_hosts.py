"""Hosts that share the load: the attendance sign-in surge (bench_events.py's: 2,000 distinct
attendees, BENCH_QUICK=1: 200, 50 at a time, each loading the form, signing, and every other one
answering the optional second step) through Debian's nginx, first in front of one gunicorn
instance (2 sync workers), then in front of two (2 workers each), in the same run, on one
PostgreSQL database and one Redis (rate limits, caches and the queue's prefix shared, as in
production). Per round: sign-ins per second, p95 of a whole sign-in, and rows stored against
sign-ins answered (nothing lost or doubled). Target: two instances give at least 1.6 times one
instance's sign-ins per second when each has its own cores.

Everything it touches is its own: a database `participa_hosts_<pid>` created next to BENCH_PG_URL's
and dropped at the end, keys under the prefix `hosts<pid>` in BENCH_REDIS_URL's database (rate-limit
counters under the app's fixed prefix expire by themselves), and nginx on free ports.

Reproduce: `.venv/bin/python bench/bench_hosts.py` (BENCH_QUICK=1 for a smoke run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_events  # noqa: E402  (its surge, reused as it is)
import common  # noqa: E402

WORKERS = 2
SETUP = textwrap.dedent("""
    import secrets
    from datetime import timedelta
    from app import create_app
    from app.catalogs import commands as catalogs
    from app.core import time
    from app.events.models import Event
    from app.extensions import db
    app = create_app()
    with app.app_context():
        db.create_all()
        catalogs.load("medellin")
        start = time.now() - timedelta(minutes=10)
        for n in (1, 2):
            event = Event(kind="AUD", title=f"Audiencia pública {n} (benchmark)", status="published",
                          starts_at=start, ends_at=start + timedelta(hours=3), place="Teatro", territory="01",
                          token=secrets.token_urlsafe(16), secret=secrets.token_urlsafe(32),
                          short_code=f"HOST{n}X",
                          opens_before_min=60, closes_after_min=60)
            db.session.add(event)
            db.session.commit()
            print(event.id, event.token)
""")


def _nginx_conf(tmp: Path, port: int, app_ports: list[int]) -> Path:
    """The deploy site's proxying (deploy/nginx/participa.conf: upstream with keepalive, forwarded
    headers, no retry of a POST) on plain HTTP: TLS would only add the load generator's handshakes."""
    servers = "".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in app_ports)
    temps = "".join(
        f"    {n}_temp_path {tmp / n};\n" for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = tmp / f"nginx-{len(app_ports)}.conf"
    conf.write_text(f"""{user}worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temps}    upstream participa_app {{
{servers}        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 2m;
        location / {{
            proxy_pass http://participa_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-Id $request_id;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout http_502 http_503;
        }}
    }}
}}
""")
    return conf


def _admin_url(url: str, database: str) -> str:
    base = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
    return f"{base}/{database}"


def _gunicorn(port: int, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(common.PY).parent / "gunicorn"),
            "-w",
            str(WORKERS),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "wsgi:app",
        ],
        cwd=common.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )


def _wait(port: int, path: str = "/healthz") -> None:
    import urllib.request

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as r:  # noqa: S310
                if r.status == 200:
                    return
        except Exception:  # noqa: BLE001,S110
            pass
        time.sleep(0.3)
    raise RuntimeError(f"nothing answered on port {port}")


def _stop(proc: subprocess.Popen) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _round(label: str, tmp: Path, app_ports: list[int], token: str, event_id: int, url: str) -> dict:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = common.free_port()
    conf = _nginx_conf(tmp, port, app_ports)
    proc = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "nginx.out").open("ab"),
        start_new_session=True,
    )
    try:
        _wait(port)
        result = bench_events.surge(f"http://127.0.0.1:{port}", f"/asistencia/{token}", with_hidden=True)
    finally:
        _stop(proc)
    signed = len(result["whole"])
    where = f"FROM event_attendance WHERE event_id = {int(event_id)}"
    stored = bench_events.count_rows(url, f"SELECT count(*) {where}")  # noqa: S608 - an integer
    distinct = bench_events.count_rows(url, f"SELECT count(DISTINCT doc_hash) {where}")  # noqa: S608
    rate = signed / result["wall"] if result["wall"] else 0.0
    p95 = common.pct([v * 1000 for v in result["whole"]], 95)
    print(
        f"  {label:34} {signed}/{bench_events.N} signed in {result['wall']:.1f} s = {rate:.1f} sign-ins/s, "
        f"whole sign-in p95 {p95:.0f} ms; rows stored {stored} ({distinct} distinct documents), "
        f"failures {result['failures']}, statuses {dict(sorted(result['statuses'].items()))}"
    )
    return {"rate": rate, "p95": p95, "signed": signed, "stored": stored, "distinct": distinct}


def main() -> int:
    common.header(
        f"Hosts: sign-in surge through nginx, one instance vs two ({WORKERS} workers each), "
        f"{bench_events.N} attendees, {bench_events.CONCURRENCY} at a time",
        ("BENCH_QUICK=1 " if common.QUICK else "") + ".venv/bin/python bench/bench_hosts.py",
    )
    import psycopg
    import redis

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        print("  nginx is not installed: nothing measured")
        return 0
    try:
        redis.Redis.from_url(common.REDIS_URL, socket_connect_timeout=1).ping()
        psycopg.connect(_admin_url(common.PG_URL, "postgres"), connect_timeout=2).close()
    except Exception as exc:  # noqa: BLE001
        print(f"  PostgreSQL and Redis are both needed ({exc!r:.120}): nothing measured")
        return 0
    database = f"participa_hosts_{os.getpid()}"
    prefix = f"hosts{os.getpid()}"
    admin = _admin_url(common.PG_URL, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    url = _admin_url(common.PG_URL, database)
    tmp = Path(tempfile.mkdtemp(prefix="participa-hosts-"))
    procs: list[subprocess.Popen] = []
    try:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": url,
                "PARTICIPA_ENV": "development",
                "SECRET_KEY": "bench-secret",
                "PARTICIPA_INSTANCE_PATH": str(tmp / "instance"),
                "FLASK_APP": "wsgi.py",
                "RATELIMIT_STORAGE_URI": common.REDIS_URL,
                "PARTICIPA_REDIS_URL": common.REDIS_URL,
                "PARTICIPA_REDIS_PREFIX": prefix,
                "PARTICIPA_PROXY_COUNT": "2",
                "PARTICIPA_BASE_URL": "http://127.0.0.1",
                "PARTICIPA_WORKERS": str(WORKERS),
            }
        )
        out = subprocess.run(
            [common.PY, "-c", SETUP], cwd=common.ROOT, env=env, capture_output=True, text=True
        )
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-3000:])
        events = [line.split() for line in out.stdout.strip().splitlines()[-2:]]
        ports = [common.free_port(), common.free_port()]
        procs = [_gunicorn(p, env, tmp / f"gunicorn-{p}.log") for p in ports]
        for p in ports:
            _wait(p)
        print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
        one = _round("one instance behind nginx", tmp, ports[:1], events[0][1], int(events[0][0]), url)
        two = _round("two instances behind nginx", tmp, ports, events[1][1], int(events[1][0]), url)
        ratio = two["rate"] / one["rate"] if one["rate"] else 0.0
        intact = all(r["stored"] == r["signed"] == r["distinct"] for r in (one, two))
        print(
            f"  two instances / one: x{ratio:.2f} sign-ins/s (target x1.6 with cores of their own); "
            f"nothing lost or doubled: {'yes' if intact else 'NO'}"
        )
        load = os.getloadavg()[0]
        print(
            f"  load average {load:.1f} at the end. With {os.cpu_count()} CPUs shared by both instances, "
            f"nginx, "
            "PostgreSQL, Redis and this load generator, a second instance adds processes, not cores: this "
            "run "
            "shows the instances agree under load (nothing lost or doubled, one database, one set of "
            "counters), "
            "not how far a second machine scales."
        )
        if load > (os.cpu_count() or 1):
            print(
                "  The machine was busy with other work: twice the worker processes also take a larger share "
                "of its CPUs from the rest, which inflates the ratio."
            )
        return 0 if intact else 1
    finally:
        for proc in procs:
            _stop(proc)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn = redis.Redis.from_url(common.REDIS_URL)
        for key in conn.scan_iter(f"*{prefix}*"):
            conn.delete(key)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
