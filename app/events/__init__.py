"""Accountability events and QR attendance lists signed on the attendee's own phone.

Public: the agenda (`/eventos/`), event pages, iCalendar, and the sign-in (`/asistencia/<token>`,
`/asistencia/codigo`). Staff (`/gestion/eventos/`): events with their planning format, QR poster,
paper sheet, projection with a rotating QR, live count, attendance list, paper entry, closing and
the official list exports.
"""


def register(app):
    from flask_babel import lazy_gettext as _l

    from app.catalogs.usage import register_usage_checker
    from app.core import registry
    from app.events import demo, export_jobs, hooks, models, public, rules, staff  # noqa: F401
    from app.events.blueprint import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.jinja_env.filters["event_when"] = rules.format_local
    app.jinja_env.filters["event_span"] = rules.format_span

    reg = registry.get(app)
    from app.events import report as _report

    reg.report_sections.append(_report.sections)
    reg.open_datasets.append(_report.datasets)
    reg.add_nav(
        registry.NavItem("events.public_index", lambda: _l("Eventos"), area="public", order=20),
        registry.NavItem(
            "events_staff.index",
            lambda: _l("Eventos y asistencia"),
            area="staff",
            permission="content.view",
            order=20,
        ),
    )
    reg.home.append(hooks.home_items)
    reg.search.append(hooks.search)
    reg.demo.append((30, "events", demo.run))
    reg.add_hook("event_options", hooks.event_options)
    reg.add_hook("event_summary", hooks.event_summary)
    reg.add_hook("characterization_objects", hooks.characterization_objects)
    reg.add_hook("transparency_items", hooks.transparency_items)
    register_usage_checker(app, hooks.catalog_usage)
    from app.events import retention

    retention.register(reg)
    export_jobs.register()
