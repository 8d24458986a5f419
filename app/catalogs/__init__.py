"""Catalogs: territories (zone → comuna/corregimiento → barrio/vereda), municipal offices, and
the option lists of the population, differential and value-group variables.

Catalogs are data, not code: they ship as JSON under `data/`, load with
`flask participa load-catalogs --entity medellin|cartago`, and admins edit them in the web UI.
"""


def register(app):
    from flask_babel import lazy_gettext as _l

    from app.catalogs import cli, staff  # noqa: F401
    from app.catalogs.blueprint import BLUEPRINTS
    from app.core import registry

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.cli.commands["participa"].add_command(cli.load_catalogs)
    app.cli.commands["participa"].add_command(cli.build_catalogs)
    registry.get(app).demo.append((0, "catalogs", _demo_catalogs))
    registry.get(app).add_nav(
        registry.NavItem(
            "catalogs.index", lambda: _l("Catálogos"), area="staff", permission="catalogs.manage", order=90
        )
    )


def _demo_catalogs():
    from flask import current_app

    from app.catalogs import commands

    commands.load(current_app.config.get("PARTICIPA_DEMO_ENTITY", "medellin"))
