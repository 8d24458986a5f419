"""Every URL of this package: its blueprints and one table of (blueprint, rule, view, options).

Views live in the modules imported below and carry no route decorators: to find which
function answers a URL, read the table."""

from flask import Blueprint

from app.accounts import staff, staff_downloads

accounts_bp = Blueprint("accounts", __name__, url_prefix="/gestion")
downloads_bp = Blueprint("downloads", __name__, url_prefix="/gestion/descargas")

BLUEPRINTS = (accounts_bp, downloads_bp)

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

for _bp, _rule, _view, _options in URLS:
    _bp.add_url_rule(_rule, view_func=_view, **_options)
