"""Every URL of the accounts package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.accounts import staff, staff_downloads
from app.core.urls import add_urls

accounts_bp = Blueprint("accounts", __name__, url_prefix="/gestion")
downloads_bp = Blueprint("downloads", __name__, url_prefix="/gestion/descargas")

URLS = (
    (accounts_bp, "/ingresar", staff.login, {"methods": ["GET", "POST"]}),
    (accounts_bp, "/salir", staff.logout, {"methods": ["POST"]}),
    (accounts_bp, "/", staff.home, {}),
    (accounts_bp, "/cuenta/clave", staff.change_password, {"methods": ["GET", "POST"]}),
    (accounts_bp, "/usuarios", staff.users, {}),
    (accounts_bp, "/usuarios/nuevo", staff.user_new, {"methods": ["GET", "POST"]}),
    (accounts_bp, "/usuarios/<int:user_id>", staff.user_edit, {"methods": ["GET", "POST"]}),
    (accounts_bp, "/auditoria", staff.audit_log, {}),
    (accounts_bp, "/auditoria.csv", staff.audit_export, {}),
    (downloads_bp, "/", staff_downloads.index, {"methods": ["GET"]}),
    (downloads_bp, "/<token>/archivo", staff_downloads.file, {"methods": ["GET"]}),
)

BLUEPRINTS = add_urls(URLS)
