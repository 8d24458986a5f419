"""Improvement and action plans: actions, tasks, responsible offices, indicators and goals,
follow-up per period (quarters I–IV by default), findings, public progress, import and exports.
"""


def register(app):
    """Register blueprints, registry entries, CLI commands and demo steps."""
    from flask_babel import lazy_gettext as _l

    from app.catalogs.usage import register_usage_checker
    from app.core import registry
    from app.plans import cli, demo, hooks, models, public, staff, staff_followup  # noqa: F401
    from app.plans.blueprint import BLUEPRINTS
    from app.plans.queries import office_usage

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.cli.commands["participa"].add_command(cli.import_plan_command)
    app.cli.commands["participa"].add_command(cli.plan_reminders_command)
    register_usage_checker(app, office_usage)

    reg = registry.get(app)
    from app.plans import report as _report

    reg.report_sections.append(_report.sections)
    reg.open_datasets.append(_report.datasets)
    reg.add_nav(
        registry.NavItem("plans.index", lambda: _l("Planes de mejoramiento"), area="public", order=60),
        registry.NavItem(
            "plans_staff.index",
            lambda: _l("Planes de mejoramiento"),
            area="staff",
            permission="content.view",
            order=60,
        ),
        registry.NavItem(
            "plans_staff.my_tasks",
            lambda: _l("Mis tareas"),
            area="staff",
            permission="content.edit",
            order=61,
        ),
    )
    reg.home.append(hooks.home)
    reg.search.append(hooks.search)
    reg.demo.append((70, "plans", demo.run))
    reg.add_hook("event_page_sections", hooks.event_page_sections)
    reg.add_hook("topic_links", hooks.topic_links)
    reg.add_hook("transparency_items", hooks.transparency_items)
