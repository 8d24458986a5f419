"""Every URL of the public package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.core.urls import add_urls
from app.public import public

public_bp = Blueprint("public", __name__)

URLS = (
    (public_bp, "/", public.home, {}),
    (public_bp, "/privacidad", public.privacy, {}),
    (public_bp, "/terminos", public.terms, {}),
    (public_bp, "/accesibilidad", public.accessibility, {}),
    (public_bp, "/mapa-del-sitio", public.sitemap, {}),
    (public_bp, "/buscar", public.search, {}),
    (public_bp, "/idioma/<lang>", public.set_language, {}),
)

BLUEPRINTS = add_urls(URLS)
