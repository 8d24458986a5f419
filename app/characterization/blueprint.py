"""Every URL of the characterization package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.characterization import staff, staff_retention
from app.core.urls import add_urls

characterization_bp = Blueprint("characterization", __name__, url_prefix="/gestion/caracterizacion")
data_protection_bp = Blueprint("data_protection", __name__, url_prefix="/gestion/datos-personales")

URLS = (
    (characterization_bp, "/", staff.dashboard_view, {"methods": ["GET"]}),
    (characterization_bp, "/exportar/<kind>.<fmt>", staff.export, {"methods": ["GET"]}),
    (characterization_bp, "/exportar/diccionario-<kind>.csv", staff.export_dictionary, {"methods": ["GET"]}),
    (characterization_bp, "/consultas-inusuales", staff.unusual_querying, {"methods": ["GET"]}),
    (characterization_bp, "/linea-base", staff.baseline_upload, {"methods": ["GET", "POST"]}),
    (characterization_bp, "/vista-previa", staff.preview, {"methods": ["GET", "POST"]}),
    (data_protection_bp, "/conservacion", staff_retention.periods, {"methods": ["GET", "POST"]}),
    (characterization_bp, "/linea-base/incluida", staff.baseline_shipped, {"methods": ["POST"]}),
    (characterization_bp, "/linea-base/incluida.csv", staff.baseline_shipped_csv, {"methods": ["GET"]}),
)

BLUEPRINTS = add_urls(URLS)
