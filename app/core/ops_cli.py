"""`flask participa worker | scheduler | backup | restore | jobs-check`: running as a service."""

from __future__ import annotations

import os
import socket

import click
from flask import current_app
from flask.cli import with_appcontext

from app.core.cli import participa


@participa.command("worker")
@click.option("--burst", is_flag=True, help="Run what is queued, then stop (tests, one-off runs).")
@with_appcontext
def worker(burst):
    """Run background jobs from the entity's queue (RQ). Each job runs in a forked child, so a
    job that crashes or leaks never takes the worker down; systemd restarts the worker itself."""
    from app.core import jobs

    try:
        jobs.work(current_app._get_current_object(), burst=burst, echo=click.echo)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc


@participa.command("scheduler")
@with_appcontext
def scheduler():
    """Put scheduled work on the queue at its interval (RQ's cron scheduler). Run ONE per entity."""
    from rq.cron import CronScheduler

    from app.core import broker, jobs

    conn = broker.connection()
    if conn is None:
        raise click.ClickException("PARTICIPA_REDIS_URL is not set.")
    cron = CronScheduler(
        connection=conn, name=f"{jobs.queue_name()}:cron:{socket.gethostname()}:{os.getpid()}"
    )
    for entry in jobs.schedule():
        cron.register(
            jobs.run_scheduled,
            jobs.queue_name(),
            args=(entry.name,),
            interval=entry.every,
            name=f"{jobs.queue_name()}:{entry.name}",
            job_timeout=current_app.config["PARTICIPA_JOB_TIMEOUT"],
        )
        click.echo(f"scheduler: {entry.name} every {entry.every} s")
    cron.start()


@participa.command("jobs-check")
@with_appcontext
def jobs_check():
    """Mark interrupted jobs (retry or failed) and delete expired files now."""
    from app.core import jobs

    click.echo(f"reap: {jobs.reap()}  expired: {jobs.expire()}")


@participa.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Back up the database to PATH (pg_dump custom format, or a SQLite copy)."""
    from app.core import backup

    try:
        counts = backup.backup(path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup: {path} ({sum(counts.values())} rows in {len(counts)} tables)")


@participa.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path, yes):
    """Replace the database's contents with the backup at PATH."""
    from app.core import backup

    if not yes:
        click.confirm("This replaces every row of the database with the backup. Continue?", abort=True)
    try:
        counts = backup.restore(path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restore: {path} ({sum(counts.values())} rows in {len(counts)} tables)")
