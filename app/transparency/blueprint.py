"""Every URL of this package: its blueprints and one table of (blueprint, rule, view, options).

Views live in the modules imported below and carry no route decorators: to find which
function answers a URL, read the table."""

from flask import Blueprint

from app.transparency import public, staff

transparency_bp = Blueprint("transparency", __name__, url_prefix="/transparencia")
transparency_staff_bp = Blueprint("transparency_staff", __name__, url_prefix="/gestion/transparencia")

BLUEPRINTS = (transparency_bp, transparency_staff_bp)

URLS = (
    (transparency_bp, "/participa", public.participa, {}),
    (transparency_staff_bp, "/", staff.index, {"methods": ["GET", "POST"]}),
    (transparency_staff_bp, "/<int:item_id>", staff.index, {"methods": ["GET", "POST"]}),
    (transparency_staff_bp, "/<int:item_id>/borrar", staff.delete, {"methods": ["POST"]}),
)

for _bp, _rule, _view, _options in URLS:
    _bp.add_url_rule(_rule, view_func=_view, **_options)
