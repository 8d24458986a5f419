"""Every URL of the transparency package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.core.urls import add_urls
from app.transparency import public, staff

transparency_bp = Blueprint("transparency", __name__, url_prefix="/transparencia")
transparency_staff_bp = Blueprint("transparency_staff", __name__, url_prefix="/gestion/transparencia")

URLS = (
    (transparency_bp, "/participa", public.participa, {}),
    (transparency_staff_bp, "/", staff.index, {"methods": ["GET", "POST"]}),
    (transparency_staff_bp, "/<int:item_id>", staff.index, {"methods": ["GET", "POST"]}),
    (transparency_staff_bp, "/<int:item_id>/borrar", staff.delete, {"methods": ["POST"]}),
)

BLUEPRINTS = add_urls(URLS)
