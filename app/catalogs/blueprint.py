"""Every URL of this package: its blueprints and one table of (blueprint, rule, view, options).

Views live in the modules imported below and carry no route decorators: to find which
function answers a URL, read the table."""

from flask import Blueprint

from app.catalogs import staff

catalogs_bp = Blueprint("catalogs", __name__, url_prefix="/gestion/catalogos")

BLUEPRINTS = (catalogs_bp,)

URLS = (
    (catalogs_bp, "/", staff.index, {}),
    (catalogs_bp, "/lista/<list_key>", staff.option_list, {"methods": ["GET", "POST"]}),
    (catalogs_bp, "/territorios", staff.territories, {"methods": ["GET", "POST"]}),
    (catalogs_bp, "/dependencias", staff.offices, {"methods": ["GET", "POST"]}),
    (catalogs_bp, "/<kind>/<int:entry_id>/editar", staff.rename, {"methods": ["GET", "POST"]}),
    (catalogs_bp, "/<kind>/<int:entry_id>/<action>", staff.act, {"methods": ["POST"]}),
)

for _bp, _rule, _view, _options in URLS:
    _bp.add_url_rule(_rule, view_func=_view, **_options)
