"""Urna virtual: citizen questions and proposals with radicado, routing to offices, legal
deadlines (Ley 1755 de 2015), notices and a public archive of answers."""


def register(app):
    """Register blueprints, registry entries, CLI commands and demo steps."""
    from flask_babel import lazy_gettext as _l

    from app.ballot import cli, demo, hooks, models, public, queries, staff  # noqa: F401
    from app.ballot.blueprint import BLUEPRINTS
    from app.ballot.habeas import models as _habeas_models  # noqa: F401
    from app.catalogs.usage import register_usage_checker
    from app.core import registry

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.cli.commands["participa"].add_command(cli.send_notices)

    reg = registry.get(app)
    from app.ballot import report as _report

    reg.report_sections.append(_report.sections)
    reg.open_datasets.append(_report.datasets)
    reg.add_nav(
        registry.NavItem("ballot.deposit", lambda: _l("Urna virtual"), area="public", order=40),
        registry.NavItem("ballot.archive", lambda: _l("Respuestas"), area="public", order=41),
        registry.NavItem(
            "ballot_staff.inbox",
            lambda: _l("Urna virtual"),
            area="staff",
            permission="content.edit",
            order=40,
        ),
    )
    reg.home.append(hooks.home)
    reg.search.append(hooks.search)
    reg.demo.append((50, "ballot box", demo.run))
    reg.add_hook("event_page_sections", hooks.event_page_sections)
    reg.add_hook("characterization_objects", hooks.characterization_objects)
    reg.add_hook("transparency_items", hooks.transparency_items)
    # The notices outbox is swept by the queue's scheduler every minute (no cron).
    reg.add_hook("scheduled_jobs", lambda: {"name": "ballot.notices", "run": _send_notices, "every": 60})
    register_usage_checker(app, queries.usage)
    from app.ballot import habeas, retention

    habeas.register(app, reg)
    retention.register(reg)


def _send_notices():
    from app.ballot import notices

    return notices.deliver_pending()
