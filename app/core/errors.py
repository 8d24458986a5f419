"""Error pages (400, 403, 404, 405, 413, 429, 500) in the visitor's language."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
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
    400: lambda: _("La solicitud llegó incompleta o con datos que no entendemos. Vuelve a la página anterior e inténtalo de nuevo."),
    403: lambda: _("Tu cuenta no tiene el rol necesario para esta sección. Si crees que es un error, pide acceso a un administrador."),
    404: lambda: _("Es posible que el enlace esté mal escrito o que la página ya no exista."),
    405: lambda: _("Vuelve a la página anterior y usa el formulario o el botón correspondiente."),
    413: lambda: _("El envío supera el tamaño permitido. Acorta el texto o adjunta un archivo más pequeño."),
    429: lambda: _("Hiciste muchos intentos en poco tiempo. Espera unos minutos y vuelve a intentarlo."),
    500: lambda: _("No es culpa tuya. Ya quedó registrado; inténtalo de nuevo en unos minutos."),
}


def render_error(code: int, text: str | None = None):
    code = code if code in TITLES else 500
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": code, "message": TITLES[code]()}), code
    return (
        render_template("errors/error.html", code=code, title=TITLES[code](), text=text or TEXTS[code]()),
        code,
    )


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
