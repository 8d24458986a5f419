"""`flask participa flush-profiles`: write the profiles waiting in the profile buffer;
`flask participa rebuild-profile-summary`: recompute the dashboard's pre-aggregated counts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("flush-profiles")
@click.option(
    "--max-age",
    type=float,
    default=None,
    help="Write a batch smaller than k once its oldest profile waited this many seconds "
    "(default PARTICIPA_PROFILE_MAX_WAIT; 0 writes whatever waits).",
)
@with_appcontext
def flush_profiles(max_age):
    """Write buffered characterisation profiles in shuffled batches (schedule it every minute)."""
    from app.characterization import buffer

    stored = buffer.flush(max_age=max_age)
    click.echo(f"Profiles stored: {stored}; still waiting: {buffer.waiting()}")


@click.command("align-territories")
@click.option("--reason", required=True, help="Why the correction is made (kept in the audit log).")
@with_appcontext
def align_territories(reason):
    """Give every stored profile the comuna or corregimiento of its barrio or vereda (profiles
    stored before the two levels were kept consistent); the change is audited with the reason."""
    from app.characterization import commands

    click.echo(f"Profiles corrected: {commands.align_territories(reason)}")


@click.command("rebuild-profile-summary")
@with_appcontext
def rebuild_profile_summary():
    """Recompute the dashboard's pre-aggregated counts from the profile records (after a bulk load
    or a manual fix that bypassed the writers; until then the dashboard counts the records)."""
    from app.characterization import summary

    was_current = summary.current()
    summary.rebuild()
    click.echo("Profile summary rebuilt" + ("" if not was_current else " (it was already up to date)"))
