"""`flask participa …`: the command group every capability adds to."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

participa = AppGroup("participa", help="Participa administration commands.")


@participa.command("demo")
@click.option("--entity", default="medellin", show_default=True)
@with_appcontext
def demo(entity):
    """Fill a realistic demonstration: catalogs, staff users, and every capability's demo data.

    Idempotent enough to re-run on a demo database: each step skips what it already added.
    """
    from app.core import registry

    if current_app.config["PARTICIPA_ENV"] == "production":
        raise click.ClickException("The demo is for development databases only.")
    # The catalogs' own step (order 0) loads this entity's catalog before everything else.
    current_app.config["PARTICIPA_DEMO_ENTITY"] = entity
    # Steps and the hooks they call build links with url_for: give them a request context whose
    # host is the public base URL, as links in QR codes and e-mails use.
    with current_app.test_request_context("/", base_url=current_app.config["PARTICIPA_BASE_URL"]):
        for _order, name, step in sorted(registry.get().demo, key=lambda s: s[0]):
            click.echo(f"demo: {name}")
            step()
    click.echo("Demo ready.")


@participa.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what is due, change nothing.")
@with_appcontext
def purge(dry_run):
    """Delete or anonymise the personal data whose retention period has ended (one transaction,
    one audit entry). Schedule it daily; it is safe to run again."""
    from app.core import retention

    summary = retention.run_purge(dry_run=dry_run)
    for kind, count in summary.counts.items():
        click.echo(f"{kind}: {count} (period {summary.days[kind]} days)")
    click.echo(("dry run, nothing changed: " if dry_run else "purged: ") + f"{summary.total} records")
