"""Transparency: the "Participa" section (section 6) of the transparency menu of Resolución
MinTIC 1519 de 2020, at /transparencia/participa.

Its six subsections list what every capability publishes through the `transparency_items`
hook (`(section) -> [{"title", "url", "text"}]`), with an honest empty state where nothing is
published yet.
"""


def register(app):
    from flask_babel import lazy_gettext as _l

    from app.core import registry
    from app.transparency import hooks, models, public, staff  # noqa: F401
    from app.transparency.blueprint import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    reg = registry.get(app)
    reg.add_nav(
        registry.NavItem(
            "transparency.participa", lambda: _l("Transparencia: Participa"), area="public", order=80
        ),
        registry.NavItem(
            "transparency_staff.index",
            lambda: _l("Transparencia: documentos y enlaces"),
            area="staff",
            permission="content.edit",
            order=80,
        ),
    )
    reg.add_hook("transparency_items", hooks.transparency_items)
