"""The accountability report in one click (rendición de cuentas): for a year or one event, staff
generate a report that assembles every capability's section (`registry.report_sections`), as an
accessible tagged PDF with a table of contents and an editable DOCX, and publish it on the
transparency page. Sections come only through the registry: this package imports no capability.
"""


def register(app):
    from flask_babel import lazy_gettext as _l

    from app.accountability import exports, hooks, models, public_opendata, staff  # noqa: F401
    from app.accountability.blueprint import BLUEPRINTS
    from app.core import registry

    public_opendata.register(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    reg = registry.get(app)
    reg.add_nav(
        registry.NavItem(
            "accountability_staff.index",
            lambda: _l("Informe de rendición de cuentas"),
            area="staff",
            permission="content.edit",
            order=65,
        )
    )
    reg.add_hook("transparency_items", hooks.transparency_items)
