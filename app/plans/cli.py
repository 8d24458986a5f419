"""`flask participa import-plan FILE`: import a plan table (Medellín TSV or Cartago layout)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.plans import commands


def echo_issues(parsed) -> None:
    for issue in parsed.issues:
        where = f"línea {issue.line}" if issue.line else "archivo"
        click.echo(f"  {'ERROR' if issue.level == 'error' else 'aviso'} ({where}): {issue.reason}")


@click.command("import-plan")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="Plan name (default: read from the file).")
@click.option("--year", type=int, default=None, help="Plan year (default: read from the file).")
@click.option("--owner", default=None, help="Owner office code (default: read from the file).")
@click.option(
    "--create-offices",
    is_flag=True,
    help="Create the offices the catalog does not know as new catalog offices.",
)
@click.option("--publish", is_flag=True, help="Publish the plan at /planes/ right away.")
@click.option("--dry-run", is_flag=True, help="Only check the file; write nothing.")
@with_appcontext
def import_plan_command(file, name, year, owner, create_offices, publish, dry_run):
    """Import an improvement or action plan. Every row lands or is reported with its line and the
    reason; with any error nothing is written."""
    data = file.read_bytes()
    preview = commands.import_plan(data, filename=file.name, name=name, year=year, owner=owner, dry_run=True)
    create = list(preview.parsed.unknown_offices) if create_offices else []
    result = (
        preview
        if dry_run or not preview.ok
        else commands.import_plan(
            data,
            filename=file.name,
            name=name,
            year=year,
            owner=owner,
            create_offices=create,
            publish=publish,
            actor="cli",
        )
    )
    parsed = result.parsed
    echo_issues(parsed)
    for unknown, lines in parsed.unknown_offices.items():
        action = (
            f"created as {result.proposals[unknown]}"
            if unknown in create and not dry_run
            else "not in the catalog (kept as text; use --create-offices to add it)"
        )
        click.echo(
            f"  office «{unknown}» (lines {', '.join(str(n) for n in lines if n) or 'header'}): {action}"
        )
    if not result.ok:
        raise click.ClickException(f"{len(parsed.errors)} error(s): nothing was imported.")
    summary = f"{parsed.name} ({parsed.year}): {len(parsed.actions)} actions, {parsed.task_count} tasks"
    if dry_run:
        click.echo(f"Dry run OK, nothing written: {summary}.")
    else:
        click.echo(f"Imported plan {result.plan.id}: {summary}.")


@click.command("plan-reminders")
@click.option(
    "--days",
    type=int,
    default=7,
    show_default=True,
    help="Remind offices of periods that close within this many days.",
)
@with_appcontext
def plan_reminders_command(days):
    """E-mail the editors of each office with unreported tasks in a follow-up period about to close
    (at most one reminder per plan, period and office: run it daily)."""
    from app.plans import commands

    sent = commands.send_reminders(days=days)
    for r in sent:
        click.echo(
            f"plan {r.plan_id}, periodo {r.period}, {r.office}: {len(r.recipients)} destinatarios, "
            f"{r.tasks} tareas"
        )
    click.echo(f"{len(sent)} recordatorios enviados.")
