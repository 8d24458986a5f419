"""The production setup, run: Debian's nginx with deploy/nginx/participa.conf (its example values
replaced by ports and folders of this test) in front of two gunicorn instances (two workers each)
and a worker (`flask participa worker`), on one database and one Redis. Through nginx: TLS and
HSTS, gzip, static files cached for a year, forwarded headers trusted only from nginx, the body
size limit, a sign-in, an export job and its download (sent by nginx after the app's check)."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import ssl
import subprocess
import sys
import time as clock
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core import jobs
from app.core.audit import AuditEntry
from tests.conftest import PASSWORD
from tests.events.conftest import attendee, hidden_fields
from tests.ops.conftest import ROOT, Browser, free_port, gunicorn, service_env, start, stop, wait_http

SITE = ROOT / "deploy" / "nginx" / "participa.conf"


def _site(http_port, https_port, app_ports, cert, key, downloads: str, webroot: str) -> str:
    text = SITE.read_text()
    swaps = [
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/participa.example.gov.co/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/participa.example.gov.co/privkey.pem", str(key)),
        ("127.0.0.1:8001", f"127.0.0.1:{app_ports[0]}"),
        ("127.0.0.1:8002", f"127.0.0.1:{app_ports[1]}"),
        ("/srv/participa/static/", f"{ROOT / 'static'}/"),
        ("/var/lib/participa/downloads/", f"{downloads}/"),
        ("/var/www/letsencrypt", webroot),
    ]
    for old, new in swaps:
        assert old in text, f"deploy/nginx/participa.conf no longer has {old!r}: update this test"
        text = text.replace(old, new)
    return text


def _main_conf(tmp: Path, site: Path) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's private folders
    temps = "".join(
        f"    {name}_temp_path {tmp / name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 2;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'} warn;\n"
        f"events {{ worker_connections 512; }}\nhttp {{\n    include /etc/nginx/mime.types;\n"
        f"    default_type application/octet-stream;\n    access_log {tmp / 'access.log'};\n{temps}"
        f"    include {site};\n}}\n"
    )


@pytest.fixture
def stack(app, db, with_redis, small_threshold, tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert os.path.exists(nginx), "nginx is needed (make system-deps installs it)"
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    app_ports = free_port(), free_port()
    http_port, https_port = free_port(), free_port()
    env = {
        "PARTICIPA_REDIS_URL": app.config["PARTICIPA_REDIS_URL"],
        "PARTICIPA_REDIS_PREFIX": with_redis,
        "PARTICIPA_PROXY_COUNT": "1",
        "PARTICIPA_ACCEL_REDIRECT": "/_descargas/",
        "PARTICIPA_BASE_URL": f"https://127.0.0.1:{https_port}",
    }
    procs = [gunicorn(app, port, tmp_path / f"web{port}.log", **env) for port in app_ports]
    procs.append(
        start(
            [str(Path(sys.executable).parent / "flask"), "participa", "worker"],
            service_env(app, **env),
            tmp_path / "worker.log",
        )
    )
    site = tmp_path / "site.conf"
    site.write_text(
        _site(
            http_port, https_port, app_ports, cert, key, app.config["PARTICIPA_DOWNLOAD_DIR"], str(tmp_path)
        )
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(_main_conf(tmp_path, site))
    os.makedirs(app.config["PARTICIPA_DOWNLOAD_DIR"], exist_ok=True)
    checked = subprocess.run(
        [nginx, "-t", "-q", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    procs.append(
        start(
            [nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
            dict(os.environ),
            tmp_path / "nginx.out",
        )
    )
    try:
        for port in app_ports:
            wait_http(port)
        yield {
            "https": f"https://127.0.0.1:{https_port}",
            "http": f"http://127.0.0.1:{http_port}",
            "tmp": tmp_path,
        }
    finally:
        for proc in reversed(procs):
            stop(proc)


def _tls_browser(base: str) -> Browser:
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # the test's self-signed certificate
    return Browser(base, context=insecure)


def test_nginx_in_front_of_two_hosts_and_a_worker(stack, db, make_event, make_user, profiles):
    web = _tls_browser(stack["https"])
    plain = Browser(stack["http"])
    status, headers, _ = plain.get("/")
    assert status == 301 and headers["Location"].startswith("https://")

    # gzip, HSTS, static files by hash for a year
    status, headers, body = web.get("/", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("Content-Encoding") == "gzip"
    html = gzip.decompress(body).decode()
    assert len(body) < len(html.encode()) / 2
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    css = re.search(r'href="(/static/css/participa\.css\?v=[0-9a-f]{12})"', html).group(1)
    status, headers, _ = web.get(css)
    assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"

    # a sign-in through the proxy
    event = make_event(starts_in=-timedelta(minutes=5))
    status, _headers, body = web.get(f"/asistencia/{event.token}")
    assert status == 200
    status, headers, _ = web.post(
        f"/asistencia/{event.token}", {**hidden_fields(body.decode()), **attendee()}
    )
    assert status == 303
    from app.events import queries

    assert queries.count(event.id) == 1

    # a body over the app's limit stops at nginx
    status, _headers, _ = web.post("/gestion/ingresar", {"x": "y" * (3 * 1024 * 1024)})
    assert status == 413

    # a forged X-Forwarded-For is not believed: the audit log keeps the address nginx saw
    steward = make_user("steward")
    forger = _tls_browser(stack["https"])
    status, _h, _b = forger.post(
        "/gestion/ingresar",
        {
            "csrf_token": forger.csrf("/gestion/ingresar"),
            "email": steward.email,
            "password": "wrong-password",
        },
        headers={"X-Forwarded-For": "203.0.113.66"},
    )
    db.session.rollback()
    failed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).one()
    assert failed.ip == "127.0.0.1"
    web.login(steward.email, PASSWORD)

    # an export job: queued on one host, prepared by the worker, downloaded through nginx
    profiles(40)
    status, headers, _ = web.get("/gestion/caracterizacion/exportar/perfiles.csv")
    assert status == 302 and headers["Location"].endswith("/gestion/descargas/")
    deadline = clock.monotonic() + 90
    while clock.monotonic() < deadline:
        db.session.rollback()
        job = db.session.scalars(select(jobs.Job)).one()
        if job.status == "done":
            break
        clock.sleep(0.3)
    assert job.status == "done", (stack["tmp"] / "worker.log").read_text()[-2000:]
    status, _headers, page = web.get("/gestion/descargas/")
    assert f"/gestion/descargas/{job.token}/archivo".encode() in page
    status, headers, body = web.get(f"/gestion/descargas/{job.token}/archivo")
    assert status == 200 and "X-Accel-Redirect" not in headers
    assert (
        headers["Cache-Control"] == "no-store"
        and 'filename="caracterizacion-perfiles.csv"' in headers["Content-Disposition"]
    )
    # the 40 added; the sign-in above stored no profile (that is the optional second step)
    assert job.rows == 40
    assert body.decode("utf-8-sig").count("\n") == 41 and b"capability" in body.splitlines()[0]
    db.session.rollback()
    assert (
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "download")).one().user_id
        == steward.id
    )
    # the internal location is not reachable from outside, and neither are the metrics
    assert web.get(f"/_descargas/{os.path.basename(job.file_path)}")[0] == 404
    assert web.get("/metrics")[0] == 404
    health = web.get("/healthz")
    assert health[0] == 200 and b'"queue":"ok"' in health[2].replace(b" ", b"")
