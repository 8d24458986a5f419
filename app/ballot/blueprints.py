"""The two blueprints: `ballot` (citizens, /urna/) and `ballot_staff` (/gestion/urna/)."""

from flask import Blueprint

public_bp = Blueprint("ballot", __name__, url_prefix="/urna")
staff_bp = Blueprint("ballot_staff", __name__, url_prefix="/gestion/urna")


def template_helpers() -> dict:
    """Helpers for the urna's templates (kind and status labels, office and territory names)."""
    from flask import g

    from app.catalogs import services as catalogs

    from .services import STATUS_LABELS, kind_label, term_days

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


public_bp.context_processor(template_helpers)
staff_bp.context_processor(template_helpers)
