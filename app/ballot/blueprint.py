"""Every URL of the ballot package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.ballot import public, staff
from app.ballot.habeas import public as habeas_public
from app.ballot.habeas import staff as habeas_staff
from app.core.urls import add_urls

ballot_bp = Blueprint("ballot", __name__, url_prefix="/urna")
ballot_staff_bp = Blueprint("ballot_staff", __name__, url_prefix="/gestion/urna")

URLS = (
    (ballot_bp, "/datos-personales", habeas_public.data_request, {"methods": ["GET", "POST"]}),
    (ballot_bp, "/", public.deposit, {"methods": ["GET", "POST"]}),
    (ballot_bp, "/radicado", public.receipt, {}),
    (ballot_bp, "/radicado.pdf", public.receipt_pdf, {}),
    (ballot_bp, "/radicado/olvidar", public.forget_receipt, {"methods": ["POST"]}),
    (ballot_bp, "/seguimiento", public.lookup, {"methods": ["GET", "POST"]}),
    (ballot_bp, "/seguimiento/<radicado>", public.status, {}),
    (ballot_bp, "/respuestas", public.archive, {}),
    (ballot_bp, "/respuestas/<int:question_id>", public.archive_detail, {}),
    (ballot_bp, "/cifras", public.figures, {}),
    (ballot_staff_bp, "/datos-personales/", habeas_staff.data_requests, {}),
    (
        ballot_staff_bp,
        "/datos-personales/<int:question_id>",
        habeas_staff.data_request_detail,
        {"methods": ["GET", "POST"]},
    ),
    (
        ballot_staff_bp,
        "/datos-personales/<int:question_id>/borrar",
        habeas_staff.data_request_erase,
        {"methods": ["POST"]},
    ),
    (ballot_staff_bp, "/", staff.inbox, {}),
    (ballot_staff_bp, "/<int:question_id>", staff.detail, {}),
    (ballot_staff_bp, "/<int:question_id>/enrutar", staff.route, {"methods": ["POST"]}),
    (ballot_staff_bp, "/<int:question_id>/nota", staff.note, {"methods": ["POST"]}),
    (ballot_staff_bp, "/<int:question_id>/respuesta", staff.answer, {"methods": ["POST"]}),
    (ballot_staff_bp, "/<int:question_id>/aprobar", staff.approve, {"methods": ["POST"]}),
    (ballot_staff_bp, "/<int:question_id>/enviar", staff.publish, {"methods": ["POST"]}),
    (ballot_staff_bp, "/<int:question_id>/cerrar", staff.close, {"methods": ["POST"]}),
    (ballot_staff_bp, "/<int:question_id>/prorroga", staff.extend, {"methods": ["POST"]}),
    (ballot_staff_bp, "/<int:question_id>/archivo", staff.public_version, {"methods": ["GET", "POST"]}),
    (ballot_staff_bp, "/<int:question_id>/archivo/retirar", staff.unpublish, {"methods": ["POST"]}),
    (ballot_staff_bp, "/avisos", staff.outbox, {"methods": ["GET", "POST"]}),
)

BLUEPRINTS = add_urls(URLS)


def template_helpers() -> dict:
    """Helpers for the urna's templates (kind and status labels, office and territory names)."""
    from flask import g

    from app.catalogs import queries as catalogs

    from .rules import STATUS_LABELS, kind_label, term_days

    def _offices():
        if "ballot_offices" not in g:
            g.ballot_offices = {o.code: o.name for o in catalogs.offices(include_inactive=True)}
        return g.ballot_offices

    def _territories():
        if "ballot_territories" not in g:
            g.ballot_territories = catalogs.territory_names()
        return g.ballot_territories

    return {
        "kind_label": kind_label,
        "status_label": lambda s: str(STATUS_LABELS.get(s, s)),
        "office_name": lambda code: _offices().get(code, code),
        "territory_name": lambda code: _territories().get(code, code),
        "term_days": term_days,
    }


ballot_bp.context_processor(template_helpers)
ballot_staff_bp.context_processor(template_helpers)
