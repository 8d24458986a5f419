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
    from app.transparency import routes  # noqa: F401

    app.register_blueprint(public)
    registry.get(app).add_nav(
        registry.NavItem("transparency.participa", lambda: _l("Transparencia: Participa"), area="public", order=80)
    )
