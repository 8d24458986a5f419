"""Background jobs on Redis with RQ, and the "Mis descargas" record of each one.

    job = jobs.enqueue("characterization.profiles.csv", owner=current_user, label=_("Perfiles (CSV)"),
                       params={...}, personal=True, total=rows)

A *kind* is registered once by the package that knows how to do the work (core never imports a
capability): `register_kind(name, run, filename=..., mimetype=...)` where
`run(job, path, progress) -> rows` writes the file at `path` (reading `job.params`, auditing as
`job.owner_id`) and calls `progress(done)` now and then. Each request for work is a `Job` row
(owner, kind, status, progress, file, expiry, error), which the staff page "Mis descargas" lists;
the queue only carries the row's id.

- With `PARTICIPA_REDIS_URL`, `enqueue` puts the id on the entity's RQ queue; a worker
  (`flask participa worker`) runs it. Without Redis (development), the job runs at once in the
  requesting process, synchronously, before the page answers.
- A worker that dies in the middle (killed, out of memory, host restart) leaves a job whose
  heartbeat stops: `reap()` (scheduled every minute) puts it back on the queue once, then marks it
  failed with a message that says what happened. Nothing stays "running" forever.
- Files live under PARTICIPA_DOWNLOAD_DIR for PARTICIPA_DOWNLOAD_DAYS days; `expire()`
  (scheduled hourly) deletes them. Only the person who asked can download a file (audited).

Scheduled work (the notices outbox, expiry, the reaper, and whatever other packages add through
the `scheduled_jobs` hook) runs from RQ's own cron scheduler (`flask participa scheduler`), see
`schedule()`.
"""

from __future__ import annotations

import os
import secrets
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.core import broker, time
from app.extensions import db

QUEUED, RUNNING, DONE, FAILED, EXPIRED = "queued", "running", "done", "failed", "expired"
STATUSES = (QUEUED, RUNNING, DONE, FAILED, EXPIRED)
MAX_ATTEMPTS = 2  # a job interrupted by a crash is tried once more, then marked failed
STALE_SECONDS = 120  # a running job whose heartbeat is older than this was interrupted
HEARTBEAT_SECONDS = 2.0  # progress is written at most this often

# Errors stored on a job: plain words for the person who asked (the traceback goes to the log).
CRASHED = "interrupted"
TIMED_OUT = "timeout"
BROKEN = "error"


class Job(db.Model):
    __tablename__ = "core_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # in URLs: not enumerable
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    personal: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=QUEUED, index=True)
    total: Mapped[int | None] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(40))
    file_path: Mapped[str | None] = mapped_column(String(500))
    filename: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    downloads: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        if not self.total:
            return 0
        return max(0, min(99, int(100 * self.done / self.total)))

    @property
    def active(self) -> bool:
        return self.status in (QUEUED, RUNNING)


@dataclass(frozen=True)
class Kind:
    name: str
    run: Callable[[Job, str, Callable[[int], None]], int]
    filename: str  # download name, may use {placeholders} filled from params
    mimetype: str


_KINDS: dict[str, Kind] = {}


def register_kind(name: str, run, *, filename: str, mimetype: str) -> None:
    """Declare a kind of job (at import or register time; the same in web and worker processes)."""
    _KINDS[name] = Kind(name, run, filename, mimetype)


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)


# --- queue ------------------------------------------------------------------------------------


def queue_name(app=None) -> str:
    return broker.key("jobs", app=app)


def queue(app=None):
    """The entity's RQ queue, or None without Redis."""
    from rq import Queue

    conn = broker.connection(app)
    return Queue(queue_name(app), connection=conn) if conn is not None else None


def enqueue(
    kind: str,
    *,
    owner,
    label: str,
    params: dict | None = None,
    personal: bool = False,
    total: int | None = None,
) -> Job:
    """Record a job for `owner` and hand it to the queue (or run it now, without Redis)."""
    if kind not in _KINDS:
        raise KeyError(f"unknown job kind {kind!r}")
    job = Job(
        token=secrets.token_urlsafe(16)[:22],
        owner_id=owner.id,
        kind=kind,
        label=label[:200],
        params=params or {},
        personal=personal,
        total=total,
        status=QUEUED,
        created_at=time.now(),
    )
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    _dispatch(job_id)
    db.session.rollback()  # the job row changed on other connections: read it afresh
    return db.session.get(Job, job_id)


def _dispatch(job_id: int) -> None:
    q = queue()
    if q is None:
        execute(job_id)  # development fallback: in this process, before the page answers
        return
    q.enqueue(
        "app.core.jobs.run_job",
        job_id,
        job_id=_rq_id(job_id),
        job_timeout=current_app.config["PARTICIPA_JOB_TIMEOUT"],
        result_ttl=3600,
        failure_ttl=7 * 86400,
    )


def _rq_id(job_id: int) -> str:
    """RQ's id of one attempt: the prefix (letters, digits, - and _ only), the row id, a nonce."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in queue_name())
    return f"{safe}-{job_id}-{secrets.token_hex(4)}"


def run_job(job_id: int) -> str:
    """The RQ entry point (what the queue carries). The worker process holds an app context."""
    if has_app_context():
        return execute(job_id)
    with _worker_app().app_context():
        return execute(job_id)


def _worker_app():
    from app import create_app

    if "app" not in _WORKER:
        _WORKER["app"] = create_app()
    return _WORKER["app"]


_WORKER: dict = {}


def _set(job_id: int, **values) -> int:
    """Update a job on its own connection and transaction: never the session of the work itself
    (committing it would close the server-side cursor an export is reading)."""
    with db.engine.begin() as conn:
        return conn.execute(
            update(Job.__table__).where(Job.__table__.c.id == job_id).values(**values)
        ).rowcount


def download_dir() -> Path:
    path = Path(current_app.config["PARTICIPA_DOWNLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def execute(job_id: int) -> str:
    """Run one job: claim it (queued -> running), write its file, record the outcome."""
    now = time.now()
    claimed = _set_where(
        job_id,
        (QUEUED,),
        status=RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=Job.__table__.c.attempts + 1,
        done=0,
    )
    if not claimed:
        return "skipped"  # already taken, finished, or failed by the reaper
    db.session.rollback()
    job = db.session.get(Job, job_id)
    kind = _KINDS.get(job.kind)
    kind_name = job.kind
    ext = os.path.splitext(kind.filename)[1] if kind else ""
    path = str(download_dir() / f"{job.token}{ext}")
    last = [time.now()]

    def progress(done: int) -> None:
        moment = time.now()
        if (moment - last[0]).total_seconds() >= HEARTBEAT_SECONDS:
            last[0] = moment
            _set(job_id, done=done, heartbeat_at=moment)

    try:
        if kind is None:
            raise KeyError(job.kind)
        with _job_locale(job.params.get("lang")):
            rows = kind.run(job, path, progress)
    except Exception as exc:
        db.session.rollback()
        from rq.timeouts import JobTimeoutException

        code = TIMED_OUT if isinstance(exc, JobTimeoutException) else BROKEN
        current_app.logger.error("job %s (%s) failed: %s", job_id, kind_name, traceback.format_exc(limit=5))
        if os.path.exists(path):
            os.unlink(path)
        _set(job_id, status=FAILED, error=code, finished_at=time.now())
        _count_metric("failed")
        db.session.rollback()
        return FAILED
    db.session.rollback()
    days = current_app.config["PARTICIPA_DOWNLOAD_DAYS"]
    finished = time.now()
    name = kind.filename.format(**job.params)
    _set(
        job_id,
        status=DONE,
        rows=rows,
        done=rows,
        file_path=path,
        filename=name,
        size=os.path.getsize(path),
        finished_at=finished,
        heartbeat_at=finished,
        expires_at=finished + timedelta(days=days),
        error=None,
    )
    _count_metric("done")
    db.session.rollback()
    return DONE


def _set_where(job_id: int, statuses: tuple[str, ...], **values) -> bool:
    t = Job.__table__
    with db.engine.begin() as conn:
        return (
            conn.execute(
                update(t).where(t.c.id == job_id, t.c.status.in_(statuses)).values(**values)
            ).rowcount
            == 1
        )


class _job_locale:
    """Run a job in the language of the person who asked (labels, headers)."""

    def __init__(self, lang: str | None):
        self.lang = "en" if lang == "en" else "es_CO"

    def __enter__(self):
        from flask_babel import force_locale

        self._ctx = current_app.test_request_context("/")
        self._ctx.push()
        self._locale = force_locale(self.lang)
        self._locale.__enter__()

    def __exit__(self, *exc):
        self._locale.__exit__(*exc)
        self._ctx.pop()


def _count_metric(outcome: str) -> None:
    from app.core import observe

    observe.JOBS.labels(outcome=outcome).inc()


def work(app, *, burst: bool = False, echo=print) -> None:
    """Run an RQ worker on the entity's queue in this process (`flask participa worker`). Each
    job runs in a forked child holding this app, so a job that crashes never takes the worker
    down. Jobs a previous worker left half-done are handled first."""
    import socket

    from rq import Worker

    with app.app_context():
        conn = broker.connection()
        if conn is None:
            raise RuntimeError("PARTICIPA_REDIS_URL is not set: without Redis, jobs run in the web process.")
        _WORKER["app"] = app
        outcome = reap()
        if any(outcome.values()):
            echo(f"worker: jobs found interrupted: {outcome}")
        db.session.remove()
        db.engine.dispose()  # children open their own connections
        name = f"{queue_name()}:{socket.gethostname()}:{os.getpid()}"
        Worker([queue()], connection=conn, name=name).work(
            burst=burst, with_scheduler=True, logging_level="WARNING" if burst else "INFO"
        )


# --- upkeep -----------------------------------------------------------------------------------


def reap(stale_seconds: int = STALE_SECONDS) -> dict[str, int]:
    """Running jobs whose heartbeat stopped (a worker crashed): queue them again while they have
    attempts left, else mark them failed with the reason. Returns counts."""
    cutoff = time.now() - timedelta(seconds=stale_seconds)
    stale = db.session.execute(
        select(Job.id, Job.attempts).where(Job.status == RUNNING, Job.heartbeat_at < cutoff)
    ).all()
    db.session.rollback()
    out = {"retried": 0, "failed": 0}
    for job_id, attempts in stale:
        if attempts < MAX_ATTEMPTS:
            if _set_where(job_id, (RUNNING,), status=QUEUED, heartbeat_at=None):
                out["retried"] += 1
                _dispatch(job_id)
        elif _set_where(job_id, (RUNNING,), status=FAILED, error=CRASHED, finished_at=time.now()):
            out["failed"] += 1
            _count_metric("failed")
    return out


def expire() -> int:
    """Delete the files of jobs past their expiry (and of failed jobs' leftovers); keep the rows
    (what was asked, by whom, when) as status "expired"."""
    now = time.now()
    rows = db.session.execute(
        select(Job.id, Job.file_path).where(Job.status == DONE, Job.expires_at <= now)
    ).all()
    db.session.rollback()
    for job_id, path in rows:
        if path and os.path.exists(path):
            os.unlink(path)
        _set(job_id, status=EXPIRED, file_path=None)
    return len(rows)


# --- scheduled work ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scheduled:
    name: str
    run: Callable[[], object]
    every: int  # seconds


def schedule(app=None) -> list[Scheduled]:
    """The table of scheduled work: core's own entries plus every `scheduled_jobs` hook entry
    ({"name", "run", "every"}: the privacy purge, the profile buffer flush, notices...).
    `PARTICIPA_SCHEDULE="name=seconds,..."` overrides an interval; 0 turns an entry off."""
    from app.core import registry

    app = app or current_app
    entries = [Scheduled("jobs.reap", reap, 60), Scheduled("jobs.expire", expire, 3600)]
    for item in registry.get(app).call("scheduled_jobs"):
        entries.append(Scheduled(item["name"], item["run"], int(item["every"])))
    overrides = {}
    for part in (app.config.get("PARTICIPA_SCHEDULE") or os.environ.get("PARTICIPA_SCHEDULE") or "").split(
        ","
    ):
        name, _, seconds = part.strip().partition("=")
        if name and seconds.strip().isdigit():
            overrides[name] = int(seconds)
    out = []
    for entry in entries:
        every = overrides.get(entry.name, entry.every)
        if every > 0:
            out.append(Scheduled(entry.name, entry.run, every))
    return out


def run_scheduled(name: str):
    """The RQ entry point of a scheduled entry (looked up by name in the worker's own table)."""
    if not has_app_context():
        with _worker_app().app_context():
            return run_scheduled(name)
    for entry in schedule():
        if entry.name == name:
            try:
                return repr(entry.run())
            finally:
                db.session.remove()
    raise KeyError(f"no scheduled entry {name!r}")


# --- reads for the staff page ----------------------------------------------------------------


def for_owner(owner_id: int, limit: int = 50) -> list[Job]:
    return list(
        db.session.scalars(
            select(Job)
            .where(Job.owner_id == owner_id)
            .order_by(Job.created_at.desc(), Job.id.desc())
            .limit(limit)
        )
    )


def by_token(token: str) -> Job | None:
    if not token or len(token) > 32:
        return None
    return db.session.scalar(select(Job).where(Job.token == token))


def counts() -> dict[str, int]:
    from sqlalchemy import func

    return dict(db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
