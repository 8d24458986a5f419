"""Characterisation of citizens and grupos de valor: the shared question set with consent,
unlinkable profile storage, dashboards with small-count suppression and exports."""


def register(app):
    from flask_babel import lazy_gettext as _l

    from app.catalogs.services import register_usage_checker
    from app.characterization import buffer, cli, demo, models, staff  # noqa: F401
    from app.core import registry

    app.register_blueprint(staff.bp)
    app.after_request(buffer.after_request)  # writes waiting profiles once k wait (see buffer.py)
    app.cli.commands["participa"].add_command(cli.flush_profiles)
    reg = registry.get(app)
    reg.add_nav(registry.NavItem("characterization.dashboard_view", lambda: _l("Caracterización"), area="staff",
                                 permission="dashboards.view", order=60))
    reg.demo.append((80, "characterisation profiles", demo.demo_profiles))
    register_usage_checker(app, models.catalog_usage)
