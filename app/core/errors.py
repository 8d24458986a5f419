"""Error pages (400, 403, 404, 405, 413, 429, 500) in the visitor's language."""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

TITLES = {
    400: lambda: _("No pudimos procesar la solicitud"),
    403: lambda: _("No tienes permiso para ver esta página"),
    404: lambda: _("No encontramos esta página"),
    405: lambda: _("Esa acción no está permitida aquí"),
    413: lambda: _("Lo que enviaste es demasiado grande"),
    429: lambda: _("Demasiadas solicitudes seguidas"),
    500: lambda: _("Algo falló de nuestro lado"),
}
TEXTS = {
    400: lambda: _(
        "La solicitud llegó incompleta o con datos que no entendemos. Vuelve a la página anterior e "
        "inténtalo de nuevo."
    ),
    403: lambda: _(
        "Tu cuenta no tiene el rol necesario para esta sección. Si crees que es un error, pide acceso a un "
        "administrador."
    ),
    404: lambda: _("Es posible que el enlace esté mal escrito o que la página ya no exista."),
    405: lambda: _("Vuelve a la página anterior y usa el formulario o el botón correspondiente."),
    413: lambda: _("El envío supera el tamaño permitido. Acorta el texto o adjunta un archivo más pequeño."),
    429: lambda: _("Hiciste muchos intentos en poco tiempo. Espera unos minutos y vuelve a intentarlo."),
    500: lambda: _("No es culpa tuya. Ya quedó registrado; inténtalo de nuevo en unos minutos."),
}


# When even the error page cannot be drawn (the database or a template is what failed), a page
# that needs nothing but the standard library, still in Spanish, never the server's English text.
FALLBACK = (
    '<!doctype html><html lang="es-CO"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
    '<body><main><h1>{title}</h1><p>{text}</p><p>{code_text}</p><p><a href="/">{home}</a></p>'
    "</main></body></html>"
)


def _fallback_page(code: int, title: str, text: str) -> str:
    try:
        code_text, home = _("Código del error: %(code)s", code=code), _("Ir al inicio")
    except Exception:  # noqa: BLE001 - no translations available either
        code_text, home = f"Código del error: {code}", "Ir al inicio"
    return FALLBACK.format(
        title=escape(title), text=escape(text), code_text=escape(code_text), home=escape(home)
    )


def render_error(code: int, text: str | None = None):
    code = code if code in TITLES else 500
    try:
        title, text = TITLES[code](), text or TEXTS[code]()
    except Exception:  # noqa: BLE001 - the translation machinery itself failed
        title, text = "Algo falló de nuestro lado", "No es culpa tuya. Inténtalo de nuevo en unos minutos."
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": code, "message": title}), code
    try:
        return render_template("errors/error.html", code=code, title=title, text=text), code
    except Exception:  # noqa: BLE001 - drawing the error page failed: answer without templates
        current_app.logger.exception("Error page %s could not be rendered", code)
        return _fallback_page(code, title, text), code, {"Content-Type": "text/html; charset=utf-8"}


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        db.session.rollback()
        return render_error(
            400,
            _(
                "El formulario venció o le faltaba su código de seguridad, así que no guardamos nada. "
                "Vuelve a abrir la página y envíalo otra vez."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code and exc.code < 400:
            return exc
        if exc.code not in TITLES:
            return exc
        db.session.rollback()
        return render_error(exc.code)

    @app.errorhandler(Exception)
    def unhandled(exc):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        db.session.rollback()
        app.logger.exception("Unhandled error: %s", exc)
        return render_error(500)

    app.register_error_handler(InternalServerError, lambda exc: render_error(500))
