"""Every URL of the surveys package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.core.urls import add_urls
from app.surveys import public, staff

surveys_bp = Blueprint("surveys", __name__, url_prefix="/encuestas")
surveys_staff_bp = Blueprint("surveys_staff", __name__, url_prefix="/gestion/encuestas")

URLS = (
    (surveys_bp, "/", public.index, {}),
    (surveys_bp, "/<slug>", public.answer, {"methods": ["GET", "POST"]}),
    (surveys_bp, "/<slug>/gracias", public.thanks, {}),
    (surveys_bp, "/<slug>/resultados", public.public_results, {}),
    (surveys_staff_bp, "/", staff.index, {}),
    (surveys_staff_bp, "/nueva", staff.new, {"methods": ["GET", "POST"]}),
    (surveys_staff_bp, "/<int:survey_id>/ajustes", staff.settings, {"methods": ["GET", "POST"]}),
    (surveys_staff_bp, "/<int:survey_id>/publicar", staff.publish, {"methods": ["POST"]}),
    (surveys_staff_bp, "/<int:survey_id>/borrar", staff.delete, {"methods": ["POST"]}),
    (surveys_staff_bp, "/<int:survey_id>", staff.builder, {"methods": ["GET", "POST"]}),
    (
        surveys_staff_bp,
        "/<int:survey_id>/secciones/<int:section_id>",
        staff.section,
        {"methods": ["GET", "POST"]},
    ),
    (
        surveys_staff_bp,
        "/<int:survey_id>/secciones/<int:section_id>/<any(subir,bajar,borrar):action>",
        staff.section_action,
        {"methods": ["POST"]},
    ),
    (surveys_staff_bp, "/<int:survey_id>/preguntas/nueva", staff.new_question, {"methods": ["GET", "POST"]}),
    (
        surveys_staff_bp,
        "/<int:survey_id>/preguntas/<int:question_id>",
        staff.question,
        {"methods": ["GET", "POST"]},
    ),
    (
        surveys_staff_bp,
        "/<int:survey_id>/preguntas/<int:question_id>/<any(subir,bajar,borrar):action>",
        staff.question_action,
        {"methods": ["POST"]},
    ),
    (surveys_staff_bp, "/<int:survey_id>/vista-previa", staff.preview, {"methods": ["GET", "POST"]}),
    (surveys_staff_bp, "/<int:survey_id>/qr.<any(png,svg):fmt>", staff.qr, {}),
    (surveys_staff_bp, "/<int:survey_id>/resultados", staff.results_page, {}),
    (surveys_staff_bp, "/<int:survey_id>/resultados/<int:question_id>/textos", staff.text_answers, {}),
    (surveys_staff_bp, "/<int:survey_id>/exportar.<any(csv,xlsx):fmt>", staff.export, {}),
    (surveys_staff_bp, "/comparar", staff.compare, {}),
)

BLUEPRINTS = add_urls(URLS)
