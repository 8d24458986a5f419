import click
from flask.cli import with_appcontext

from app.accounts import commands, rules

DEMO_USERS = [
    ("admin@participa.demo", "admin", "Administración Demo"),
    ("editor@participa.demo", "editor", "Edición Demo"),
    ("analista@participa.demo", "analyst", "Análisis Demo"),
    ("custodia@participa.demo", "steward", "Custodia Demo"),
]
DEMO_PASSWORD = rules.DEMO_PASSWORD


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 12 characters.")
@click.option("--role", required=True, type=click.Choice(["admin", "editor", "analyst", "steward"]))
@click.option("--name", default="")
@click.option("--office", "offices", multiple=True, help="Office code (editors); repeatable.")
@with_appcontext
def create_user(email, password, role, name, offices):
    """Create a staff user (non-interactive, for scripts)."""
    try:
        user = commands.create_user(email, password, role, name=name, office_codes=offices, actor="cli")
    except rules.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email} ({user.role})")


def demo_users():
    """One staff user per role, with a printed password (development only)."""
    from flask import current_app
    from sqlalchemy import select

    from app.accounts.models import User
    from app.extensions import db

    if current_app.config["PARTICIPA_ENV"] == "production":
        raise click.ClickException("Refusing to create demo users with known passwords in production.")
    click.echo(f"Staff logins ({current_app.config['PARTICIPA_BASE_URL']}/gestion/ingresar):")
    for email, role, name in DEMO_USERS:
        if not db.session.scalar(select(User).where(User.email == email)):
            commands.create_user(email, DEMO_PASSWORD, role, name=name, actor="demo", allow_demo=True)
        click.echo(f"  {role:8} {email:28} {DEMO_PASSWORD}")
