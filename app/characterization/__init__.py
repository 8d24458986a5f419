"""Characterisation of citizens and grupos de valor: the shared question set with consent,
unlinkable profile storage, dashboards protected by the disclosure layer (disclosure.py) and exports."""


def register(app):
    from flask_babel import lazy_gettext as _l

    from app.catalogs.usage import register_usage_checker
    from app.characterization import buffer, cli, demo, export_jobs, models, staff  # noqa: F401
    from app.characterization.blueprint import BLUEPRINTS
    from app.core import registry

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.after_request(buffer.after_request)  # writes waiting profiles once k wait (see buffer.py)
    app.cli.commands["participa"].add_command(cli.flush_profiles)
    app.cli.commands["participa"].add_command(cli.align_territories)

    app.cli.commands["participa"].add_command(cli.rebuild_profile_summary)
    _listen_for_profile_writes()
    reg = registry.get(app)
    from app.characterization import report as _report

    reg.report_sections.append(_report.sections)
    reg.add_nav(
        registry.NavItem(
            "characterization.dashboard_view",
            lambda: _l("Caracterización"),
            area="staff",
            permission="dashboards.view",
            order=60,
        )
    )
    reg.demo.append((80, "characterisation profiles", demo.demo_profiles))
    reg.demo.append((81, "population baseline", demo.demo_baseline))
    register_usage_checker(app, models.catalog_usage)
    from app.characterization import retention, staff_retention

    retention.register(reg)
    staff_retention.register(app, reg)
    export_jobs.register()
    # personal data past its retention period is deleted or anonymised once a day, from the queue
    reg.add_hook("scheduled_jobs", lambda: {"name": "retention.purge", "run": _purge, "every": 86400})
    # profiles waiting in the buffer past their longest wait are written every minute (buffer.py)
    reg.add_hook("scheduled_jobs", lambda: {"name": "profiles.flush", "run": buffer.flush, "every": 60})


def _listen_for_profile_writes():
    """Profiles added or deleted through the ORM update the pre-aggregated summary in their own
    transaction (summary.py); registered once per process."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from app.characterization import summary

    if not event.contains(Session, "after_flush", summary.after_flush):
        event.listen(Session, "after_flush", summary.after_flush)


def _purge():
    from app.core import retention

    return retention.run_purge().counts
