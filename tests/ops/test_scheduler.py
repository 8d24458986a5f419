"""Scheduled work runs from RQ's own scheduler (`flask participa scheduler`), not cron: started,
it puts every entry of the schedule table on the queue at once, and a worker runs them all."""

from __future__ import annotations

import sys
import time as clock
from pathlib import Path

from app.core import jobs
from tests.ops.conftest import service_env, start, stop


def test_scheduler_queues_the_table_and_a_worker_runs_it(app, db, with_redis, small_threshold, tmp_path):
    env = service_env(
        app, PARTICIPA_REDIS_URL=app.config["PARTICIPA_REDIS_URL"], PARTICIPA_REDIS_PREFIX=with_redis
    )
    flask = str(Path(sys.executable).parent / "flask")
    scheduler = start([flask, "participa", "scheduler"], env, tmp_path / "scheduler.log")
    try:
        deadline = clock.monotonic() + 40
        while clock.monotonic() < deadline and len(jobs.queue()) < 3:
            clock.sleep(0.3)
        log = (tmp_path / "scheduler.log").read_text()
        assert len(jobs.queue()) == 5, log  # reap, expire, retention.purge, profiles.flush, notices
        assert "ballot.notices every 60 s" in log and "retention.purge every 86400 s" in log
        assert "profiles.flush every 60 s" in log
    finally:
        stop(scheduler)
    worker = start([flask, "participa", "worker", "--burst"], env, tmp_path / "worker.log")
    assert worker.wait(timeout=60) == 0, (tmp_path / "worker.log").read_text()
    q = jobs.queue()
    assert len(q) == 0 and q.failed_job_registry.count == 0 and q.finished_job_registry.count == 5
