"""Participa: citizen participation and accountability portal.

`create_app(config=None)` builds the app: configuration → extensions → capabilities → CLI.
Each capability is a package with a `register(app)` function (blueprints, registry entries).
"""

from __future__ import annotations

from importlib import import_module

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as config_module
from app.config import ROOT

# Shared floor first, then capabilities. Imports only go down (see README, Architecture).
PACKAGES = (
    "app.catalogs",
    "app.accounts",
    "app.characterization",
    "app.events",
    "app.consultations",
    "app.ballot",
    "app.surveys",
    "app.plans",
    "app.accountability",
    "app.transparency",
    "app.public",
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(config_module.INSTANCE),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config_module.load())
    if config:
        app.config.update(config)
        if "PARTICIPA_BASE_URL" in config and "SESSION_COOKIE_SECURE" not in config:
            app.config["SESSION_COOKIE_SECURE"] = str(config["PARTICIPA_BASE_URL"]).startswith("https://")
        if "DATABASE_URL" in config:
            app.config["SQLALCHEMY_DATABASE_URI"] = config_module.database_url(config["DATABASE_URL"])
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.engine_options(
                app.config["SQLALCHEMY_DATABASE_URI"]
            )
    from app.core import ratelimit

    ratelimit.check_storage(app.config, ratelimit.worker_count())
    if app.config["PARTICIPA_PROXY_COUNT"]:
        n = app.config["PARTICIPA_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _init_extensions(app)
    _init_request_hooks(app)

    from app.core import assets, errors, observe, ops_cli  # noqa: F401  (ops_cli: worker, scheduler, backup…)
    from app.core.cli import participa

    app.cli.add_command(participa)
    errors.register(app)
    observe.register(app)
    assets.register(app)
    for name in PACKAGES:
        import_module(name).register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app.core import audit as _audit_model  # noqa: F401  (model of the shared core)
    from app.core import db as core_db  # SQLite pragmas, pool checks
    from app.core.i18n import locale_selector
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        core_db.ping_when_idle(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=locale_selector)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)


def _init_request_hooks(app: Flask) -> None:
    from flask_babel import format_decimal, get_locale

    from app.core import i18n, ratelimit, security, text
    from app.core import time as clock

    app.after_request(security.add_security_headers)
    app.before_request(i18n.wtforms_translations)
    app.before_request(text.strip_nul_bytes)
    app.after_request(i18n.remember_language)
    app.after_request(ratelimit.ensure_device_cookie)
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def inject():
        from flask_login import current_user

        from app.core import registry

        lang = i18n.selected_language()
        reg = registry.get()
        staff_nav = []
        if current_user.is_authenticated:
            staff_nav = [
                i
                for i in reg.nav
                if i.area == "staff" and (i.permission is None or current_user.can(i.permission))
            ]
        return {
            "lang": lang,
            "html_lang": "es-CO" if lang == "es" else "en",
            "public_nav": [i for i in reg.nav if i.area == "public"],
            "staff_nav": staff_nav,
            "now_local": clock.local_now,
        }

    # Globals (not context processors) so imported macros see them too.
    app.jinja_env.globals["entity"] = {
        k[7:].lower(): v for k, v in app.config.items() if k.startswith("ENTITY_")
    }
    app.jinja_env.globals["catalog_label"] = i18n.label
    # Stored (UTC) times are converted to Bogotá once, here, by app.core.time.
    app.jinja_env.filters["date"] = clock.format_date
    app.jinja_env.filters["datetime"] = clock.format_datetime
    app.jinja_env.filters["time"] = clock.format_time
    app.jinja_env.filters["number"] = lambda n: format_decimal(n) if n is not None else ""
    app.jinja_env.globals["get_locale"] = get_locale
    from app.core import ui

    ui.register(app)  # error summary slot, `number`/`percent` filters (Colombian format)
