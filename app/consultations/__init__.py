"""Priority-topic consultations: citizens choose and propose the topics the entity must report on.

Public pages under /consultas/, staff pages under /gestion/consultas/. See commands.py for the
changes, queries.py for the reads, results.py for the figures, hooks.py for what other
capabilities read from here.
"""


def register(app):
    """Register blueprints, registry entries, CLI commands and demo steps."""
    from flask_babel import lazy_gettext as _l

    from app.catalogs.usage import register_usage_checker
    from app.characterization import buffer
    from app.consultations import commands, demo, exports, hooks, models, public, staff  # noqa: F401
    from app.consultations.blueprint import BLUEPRINTS
    from app.core import registry

    buffer.register_writer(commands.BALLOT_WITH_PROFILE, commands.write_buffered_ballots)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    reg = registry.get(app)
    from app.consultations import report as _report

    reg.report_sections.append(_report.sections)
    reg.open_datasets.append(_report.datasets)
    reg.add_nav(
        registry.NavItem("consultations.public_index", lambda: _l("Consultas"), area="public", order=30),
        registry.NavItem(
            "consultations_staff.index",
            lambda: _l("Consultas"),
            area="staff",
            permission="content.view",
            order=30,
        ),
    )
    reg.home.append(hooks.home)
    reg.search.append(hooks.search)
    reg.demo.append((40, "consultations", demo.run))
    reg.add_hook("topic_options", hooks.topic_options)
    reg.add_hook("topic_summary", hooks.topic_summary)
    reg.add_hook("event_page_sections", hooks.event_page_sections)
    reg.add_hook("characterization_objects", hooks.characterization_objects)
    reg.add_hook("transparency_items", hooks.transparency_items)
    register_usage_checker(app, hooks.catalog_usage)
    from app.consultations import retention

    retention.register(reg)
