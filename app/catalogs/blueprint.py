"""Every URL of the catalogs package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.catalogs import staff
from app.core.urls import add_urls

catalogs_bp = Blueprint("catalogs", __name__, url_prefix="/gestion/catalogos")

URLS = (
    (catalogs_bp, "/", staff.index, {}),
    (catalogs_bp, "/lista/<list_key>", staff.option_list, {"methods": ["GET", "POST"]}),
    (catalogs_bp, "/territorios", staff.territories, {"methods": ["GET", "POST"]}),
    (catalogs_bp, "/dependencias", staff.offices, {"methods": ["GET", "POST"]}),
    (catalogs_bp, "/<kind>/<int:entry_id>/editar", staff.rename, {"methods": ["GET", "POST"]}),
    (catalogs_bp, "/<kind>/<int:entry_id>/<action>", staff.act, {"methods": ["POST"]}),
)

BLUEPRINTS = add_urls(URLS)
