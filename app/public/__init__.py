"""Public pages shared by all capabilities: home, policies, site map, search, language, health."""

from flask import Blueprint

public = Blueprint("public", __name__)


def register(app):
    from app.public import routes  # noqa: F401

    app.register_blueprint(public)
    from app.extensions import csrf

    csrf.exempt(routes.healthz)
