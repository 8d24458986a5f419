"""Every URL of this package: its blueprints and one table of (blueprint, rule, view, options).

Views live in the modules imported below and carry no route decorators: to find which
function answers a URL, read the table."""

from flask import Blueprint

from app.surveys import public, staff

surveys_bp = Blueprint("surveys", __name__, url_prefix="/encuestas")
surveys_staff_bp = Blueprint("surveys_staff", __name__, url_prefix="/gestion/encuestas")

BLUEPRINTS = (surveys_bp, surveys_staff_bp)

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
    (surveys_staff_bp, "/<int:survey_id>/secciones/<int:section_id>", staff.section, {"methods": ["GET", "POST"]}),
    (surveys_staff_bp, "/<int:survey_id>/secciones/<int:section_id>/<any(subir,bajar,borrar):action>", staff.section_action, {"methods": ["POST"]}),
    (surveys_staff_bp, "/<int:survey_id>/preguntas/nueva", staff.new_question, {"methods": ["GET", "POST"]}),
    (surveys_staff_bp, "/<int:survey_id>/preguntas/<int:question_id>", staff.question, {"methods": ["GET", "POST"]}),
    (surveys_staff_bp, "/<int:survey_id>/preguntas/<int:question_id>/<any(subir,bajar,borrar):action>", staff.question_action, {"methods": ["POST"]}),
    (surveys_staff_bp, "/<int:survey_id>/vista-previa", staff.preview, {"methods": ["GET", "POST"]}),
    (surveys_staff_bp, "/<int:survey_id>/qr.<any(png,svg):fmt>", staff.qr, {}),
    (surveys_staff_bp, "/<int:survey_id>/resultados", staff.results_page, {}),
    (surveys_staff_bp, "/<int:survey_id>/resultados/<int:question_id>/textos", staff.text_answers, {}),
    (surveys_staff_bp, "/<int:survey_id>/exportar.<any(csv,xlsx):fmt>", staff.export, {}),
    (surveys_staff_bp, "/comparar", staff.compare, {}),
)

for _bp, _rule, _view, _options in URLS:
    _bp.add_url_rule(_rule, view_func=_view, **_options)
