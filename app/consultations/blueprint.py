"""Every URL of the consultations package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.consultations import public, staff
from app.core.urls import add_urls

consultations_bp = Blueprint("consultations", __name__, url_prefix="/consultas")
consultations_staff_bp = Blueprint("consultations_staff", __name__, url_prefix="/gestion/consultas")

URLS = (
    (consultations_bp, "/", public.public_index, {}),
    (consultations_bp, "/<slug>", public.public_show, {"methods": ["GET", "POST"]}),
    (consultations_bp, "/<slug>/gracias", public.public_thanks, {}),
    (consultations_bp, "/<slug>/resultados", public.public_results, {}),
    (consultations_bp, "/<slug>/resultados.<fmt>", public.public_results_export, {}),
    (consultations_bp, "/<slug>/temas/<int:topic_id>", public.public_topic, {}),
    (consultations_staff_bp, "/", staff.index, {}),
    (consultations_staff_bp, "/nueva", staff.new, {"methods": ["GET", "POST"]}),
    (consultations_staff_bp, "/<int:consultation_id>/editar", staff.edit, {"methods": ["GET", "POST"]}),
    (consultations_staff_bp, "/<int:consultation_id>", staff.detail, {}),
    (
        consultations_staff_bp,
        "/<int:consultation_id>/temas/nuevo",
        staff.topic_form,
        {"methods": ["GET", "POST"]},
    ),
    (
        consultations_staff_bp,
        "/<int:consultation_id>/temas/<int:topic_id>/editar",
        staff.topic_form,
        {"methods": ["GET", "POST"]},
    ),
    (
        consultations_staff_bp,
        "/<int:consultation_id>/temas/<int:topic_id>/<any(retirar, activar):action>",
        staff.topic_toggle,
        {"methods": ["POST"]},
    ),
    (
        consultations_staff_bp,
        "/<int:consultation_id>/resultados/<any(publicar, retirar):action>",
        staff.publish,
        {"methods": ["POST"]},
    ),
    (consultations_staff_bp, "/<int:consultation_id>/propuestas", staff.proposals, {}),
    (
        consultations_staff_bp,
        "/<int:consultation_id>/propuestas/<int:proposal_id>",
        staff.moderate,
        {"methods": ["GET", "POST"]},
    ),
    (consultations_staff_bp, "/<int:consultation_id>/resultados", staff.staff_results, {}),
    (
        consultations_staff_bp,
        "/<int:consultation_id>/resultados.<any(csv, xlsx):fmt>",
        staff.staff_results_export,
        {},
    ),
)

BLUEPRINTS = add_urls(URLS)
