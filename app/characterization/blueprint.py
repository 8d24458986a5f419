"""Every URL of this package: its blueprints and one table of (blueprint, rule, view, options).

Views live in the modules imported below and carry no route decorators: to find which
function answers a URL, read the table."""

from flask import Blueprint

from app.characterization import staff, staff_retention

characterization_bp = Blueprint("characterization", __name__, url_prefix="/gestion/caracterizacion")
data_protection_bp = Blueprint("data_protection", __name__, url_prefix="/gestion/datos-personales")

BLUEPRINTS = (characterization_bp, data_protection_bp)

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

for _bp, _rule, _view, _options in URLS:
    _bp.add_url_rule(_rule, view_func=_view, **_options)
