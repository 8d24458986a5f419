"""Public pages shared by all capabilities: home, policies, site map, search, language
(the health check is `app.core.observe`)."""


def register(app):
    from app.public import public  # noqa: F401
    from app.public.blueprint import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
