"""Satisfaction surveys: a builder for staff, public answering (open link, or one answer per
attendee of an event through a one-time right given at sign-in), results with charts, exports."""


def register(app):
    from flask_babel import lazy_gettext as _l

    from app.core import registry
    from app.surveys import demo, hooks, models, public, staff  # noqa: F401
    from app.surveys.blueprint import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    reg = registry.get(app)
    from app.surveys import report as _report

    reg.report_sections.append(_report.sections)
    reg.open_datasets.append(_report.datasets)
    reg.add_nav(
        registry.NavItem("surveys.index", lambda: _l("Encuestas"), area="public", order=50),
        registry.NavItem(
            "surveys_staff.index", lambda: _l("Encuestas"), area="staff", permission="content.view", order=50
        ),
    )
    reg.home.append(hooks.home)
    reg.search.append(hooks.search)
    reg.demo.append((60, "surveys", demo.run))
    reg.add_hook("after_sign_in", hooks.after_sign_in)
    reg.add_hook("event_page_sections", hooks.event_page_sections)
    reg.add_hook("characterization_objects", hooks.characterization_objects)
    reg.add_hook("transparency_items", hooks.transparency_items)
    from app.catalogs.usage import register_usage_checker

    register_usage_checker(app, hooks.catalog_usage)
    from app.surveys import retention

    retention.register(reg)
