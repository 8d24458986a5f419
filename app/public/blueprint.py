"""Every URL of this package: its blueprints and one table of (blueprint, rule, view, options).

Views live in the modules imported below and carry no route decorators: to find which
function answers a URL, read the table."""

from flask import Blueprint

from app.public import public

public_bp = Blueprint("public", __name__)

BLUEPRINTS = (public_bp,)

URLS = (
    (public_bp, "/", public.home, {}),
    (public_bp, "/privacidad", public.privacy, {}),
    (public_bp, "/terminos", public.terms, {}),
    (public_bp, "/accesibilidad", public.accessibility, {}),
    (public_bp, "/mapa-del-sitio", public.sitemap, {}),
    (public_bp, "/buscar", public.search, {}),
    (public_bp, "/idioma/<lang>", public.set_language, {}),
)

for _bp, _rule, _view, _options in URLS:
    _bp.add_url_rule(_rule, view_func=_view, **_options)
