"""Transparency: the "Participa" section (section 6) of the transparency menu of Resolución
MinTIC 1519 de 2020, at /transparencia/participa.

Its six subsections list what every capability publishes through the `transparency_items`
hook (`(section) -> [{"title", "url", "text"}]`), with an honest empty state where nothing is
published yet.
"""

from flask import Blueprint

public = Blueprint("transparency", __name__, url_prefix="/transparencia")


def register(app):
    from flask_babel import lazy_gettext as _l

    from app.core import registry
    from app.transparency import items, models, routes  # noqa: F401

    app.register_blueprint(public)
    app.register_blueprint(items.staff)
    reg = registry.get(app)
    reg.add_nav(
        registry.NavItem("transparency.participa", lambda: _l("Transparencia: Participa"), area="public", order=80),
        registry.NavItem("transparency_staff.index", lambda: _l("Transparencia: documentos y enlaces"), area="staff",
                         permission="content.edit", order=80),
    )
    reg.add_hook("transparency_items", items.transparency_items)
