"""The queue with a real Redis and real worker processes: an export requested on the web is
prepared by `flask participa worker`; a worker killed in the middle of a job leaves a job that
is retried by the next worker (never "running" forever)."""

from __future__ import annotations

import os
import signal
import sys
import time as clock

from sqlalchemy import select

from app.core import jobs
from tests.ops.conftest import ROOT, service_env, start
from tests.ops.slow_worker import slow


def _job(db):
    db.session.rollback()
    return db.session.scalars(select(jobs.Job)).one()


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except FileNotFoundError:
        return []


def _worker(app, prefix, tmp_path, name, burst=True, **env):
    args = [sys.executable, str(ROOT / "tests/ops/slow_worker.py")] + (["--burst"] if burst else [])
    return start(
        args,
        service_env(
            app, PARTICIPA_REDIS_URL=app.config["PARTICIPA_REDIS_URL"], PARTICIPA_REDIS_PREFIX=prefix, **env
        ),
        tmp_path / f"{name}.log",
    )


def test_export_requested_on_the_web_is_prepared_by_a_worker(
    client, app, db, login_as, profiles, small_threshold, with_redis, tmp_path
):
    profiles(30)
    login_as("steward")
    assert client.get("/gestion/caracterizacion/exportar/perfiles.csv").status_code == 302
    job = _job(db)
    assert job.status == "queued" and len(jobs.queue()) == 1  # waiting for a worker, not run in the request
    html = client.get("/gestion/descargas/").get_data(as_text=True)
    assert "En cola" in html and 'http-equiv="refresh"' in html
    worker = _worker(app, with_redis, tmp_path, "worker")
    assert worker.wait(timeout=90) == 0, (tmp_path / "worker.log").read_text()
    job = _job(db)
    assert (job.status, job.rows) == ("done", 30), (tmp_path / "worker.log").read_text()
    download = client.get(f"/gestion/descargas/{job.token}/archivo")
    assert download.status_code == 200 and download.get_data(as_text=True).count("\n") == 31


def test_worker_killed_mid_job_then_job_is_retried_and_finishes(
    client, app, db, make_user, small_threshold, with_redis, tmp_path
):
    jobs.register_kind("test.slow", slow, filename="lento.txt", mimetype="text/plain")
    user = make_user("steward")
    job = jobs.enqueue("test.slow", owner=user, label="Lento", total=400)
    worker = _worker(app, with_redis, tmp_path, "first", burst=False, SLOW_STEP="0.05")
    try:
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline:
            job = _job(db)
            if job.status == "running" and job.done > 0:
                break
            clock.sleep(0.2)
        assert job.status == "running" and 0 < job.done < 400, (tmp_path / "first.log").read_text()
        horses = _children(worker.pid)
        assert horses  # the job runs in a forked child (its own session: kill it by id too)
    finally:
        for pid in [worker.pid, *_children(worker.pid)]:  # the whole worker: a host that went down
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=10)
    clock.sleep(3.2)
    assert _job(db).status == "running"  # nobody is left to say otherwise...
    assert jobs.reap(stale_seconds=3) == {"retried": 1, "failed": 0}  # ...until the reaper looks
    assert _job(db).status == "queued"
    second = _worker(app, with_redis, tmp_path, "second", SLOW_STEP="0.001")
    assert second.wait(timeout=90) == 0, (tmp_path / "second.log").read_text()
    job = _job(db)
    assert (job.status, job.rows, job.attempts) == ("done", 400, 2), (tmp_path / "second.log").read_text()
    assert open(job.file_path).read().splitlines()[-1] == "400"
    assert os.path.basename(job.file_path).startswith(job.token)
