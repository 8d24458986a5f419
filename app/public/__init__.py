"""Public pages shared by all capabilities: home, policies, site map, search, language
(the health check is `app.core.observe`)."""

from flask import Blueprint

public = Blueprint("public", __name__)


def register(app):
    from app.public import routes  # noqa: F401

    app.register_blueprint(public)
