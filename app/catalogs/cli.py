from pathlib import Path

import click
from flask.cli import with_appcontext

from app.catalogs import commands, files


@click.command("load-catalogs")
@click.option("--entity", type=click.Choice(files.ENTITIES), default="medellin", show_default=True)
@with_appcontext
def load_catalogs(entity):
    """Load (or update) option lists, territories and offices for an entity. Safe to re-run."""
    counts = commands.load(entity)
    click.echo(
        f"Catalogs for {entity}: {counts['options']} options, {counts['territories']} territories, "
        f"{counts['offices']} offices."
    )
    note = files.entity_draft_note(entity)
    if note:
        click.echo(f"WARNING: draft catalog, to be confirmed with the entity: {note}")


@click.command("build-catalogs")
@click.option(
    "--source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path(__file__).resolve().parents[3] / "shared" / "reference" / "catalogs.json",
)
def build_catalogs(source):
    """Regenerate app/catalogs/data/*.json from the reference catalogs.json."""
    from app.catalogs.build import build

    for path in build(source):
        click.echo(f"wrote {path}")
