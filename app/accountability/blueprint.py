"""Every URL of the accountability package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.accountability import public, public_opendata, staff
from app.core.urls import add_urls

accountability_bp = Blueprint("accountability", __name__, url_prefix="/rendicion-de-cuentas")
accountability_staff_bp = Blueprint(
    "accountability_staff", __name__, url_prefix="/gestion/rendicion-de-cuentas"
)
opendata_bp = Blueprint("opendata", __name__, url_prefix="/datos-abiertos")

URLS = (
    (accountability_bp, "/informes/<int:report_id>.pdf", public.report_pdf, {}),
    (accountability_bp, "/informes/<int:report_id>.docx", public.report_docx, {}),
    (accountability_staff_bp, "/", staff.index, {"methods": ["GET", "POST"]}),
    (accountability_staff_bp, "/<int:report_id>.<any(pdf, docx):kind>", staff.staff_file, {}),
    (accountability_staff_bp, "/<int:report_id>/publicar", staff.publish, {"methods": ["POST"]}),
    (opendata_bp, "/", public_opendata.index, {}),
    (opendata_bp, "/<key>.csv", public_opendata.csv_file, {}),
    (opendata_bp, "/<key>.json", public_opendata.json_file, {}),
    (opendata_bp, "/catalogo.json", public_opendata.catalog, {}),
)

BLUEPRINTS = add_urls(URLS)
