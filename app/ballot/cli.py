"""`flask participa send-notices`: deliver the notice outbox (run it from cron every few minutes)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("send-notices")
@click.option("--limit", default=500, show_default=True, help="At most this many notices per run.")
@click.option("--retry-now", is_flag=True, help="Ignore the back-off and retry every pending notice now.")
@with_appcontext
def send_notices(limit, retry_now):
    """Send pending ballot-box notices by e-mail; failures stay queued for the next run."""
    from . import notices

    if retry_now:
        notices.retry_now()
    sent, failed = notices.deliver_pending(limit)
    click.echo(f"Notices sent: {sent}; failed (kept for retry): {failed}; pending: {notices.pending_count()}")
    if failed:
        raise SystemExit(1)
