"""Every URL of the plans package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.core.urls import add_urls
from app.plans import public, staff, staff_followup

plans_bp = Blueprint("plans", __name__, url_prefix="/planes")
plans_staff_bp = Blueprint("plans_staff", __name__, url_prefix="/gestion/planes")

URLS = (
    (plans_bp, "/", public.index, {}),
    (plans_bp, "/<int:plan_id>", public.detail, {}),
    (plans_staff_bp, "/", staff.index, {}),
    (plans_staff_bp, "/nuevo", staff.new_plan, {"methods": ["GET", "POST"]}),
    (plans_staff_bp, "/<int:plan_id>/editar", staff.edit_plan, {"methods": ["GET", "POST"]}),
    (plans_staff_bp, "/<int:plan_id>", staff.detail, {}),
    (plans_staff_bp, "/<int:plan_id>/publicar", staff.publish, {"methods": ["POST"]}),
    (plans_staff_bp, "/<int:plan_id>/acciones/nueva", staff.action_form, {"methods": ["GET", "POST"]}),
    (
        plans_staff_bp,
        "/<int:plan_id>/acciones/<int:action_id>/editar",
        staff.action_form,
        {"methods": ["GET", "POST"]},
    ),
    (
        plans_staff_bp,
        "/<int:plan_id>/acciones/<int:action_id>/borrar",
        staff.delete_action,
        {"methods": ["POST"]},
    ),
    (
        plans_staff_bp,
        "/<int:plan_id>/acciones/<int:action_id>/tareas/nueva",
        staff.task_form,
        {"methods": ["GET", "POST"]},
    ),
    (
        plans_staff_bp,
        "/<int:plan_id>/tareas/<int:task_id>/editar",
        staff.task_form,
        {"methods": ["GET", "POST"]},
    ),
    (plans_staff_bp, "/<int:plan_id>/tareas/<int:task_id>/borrar", staff.delete_task, {"methods": ["POST"]}),
    (
        plans_staff_bp,
        "/<int:plan_id>/tareas/<int:task_id>/reportar",
        staff.report,
        {"methods": ["GET", "POST"]},
    ),
    (plans_staff_bp, "/<int:plan_id>/hallazgos/nuevo", staff.finding, {"methods": ["GET", "POST"]}),
    (plans_staff_bp, "/importar", staff.import_upload, {"methods": ["GET", "POST"]}),
    (plans_staff_bp, "/importar/confirmar", staff.import_confirm, {"methods": ["POST"]}),
    (plans_staff_bp, "/<int:plan_id>/plan.xlsx", staff.export_xlsx, {}),
    (plans_staff_bp, "/<int:plan_id>/plan-medellin.xlsx", staff.export_xlsx_medellin, {}),
    (plans_staff_bp, "/<int:plan_id>/informe.pdf", staff.export_pdf, {}),
    (plans_staff_bp, "/mis-tareas", staff_followup.my_tasks, {}),
    (plans_staff_bp, "/<int:plan_id>/seguimiento.xlsx", staff_followup.followup_xlsx, {}),
    (
        plans_staff_bp,
        "/<int:plan_id>/seguimiento",
        staff_followup.followup_upload,
        {"methods": ["GET", "POST"]},
    ),
    (
        plans_staff_bp,
        "/<int:plan_id>/seguimiento/confirmar",
        staff_followup.followup_confirm,
        {"methods": ["POST"]},
    ),
    (plans_staff_bp, "/<int:plan_id>/revision", staff_followup.review, {"methods": ["GET"]}),
    (
        plans_staff_bp,
        "/<int:plan_id>/revision/<int:report_id>",
        staff_followup.review_one,
        {"methods": ["POST"]},
    ),
)

BLUEPRINTS = add_urls(URLS)


def _template_context():
    from app.plans import labels

    return {
        "status_labels": labels.STATUS,
        "status_class": labels.STATUS_CLASS,
        "unit_labels": labels.UNIT,
        "kind_labels": labels.KIND,
        "month_span": labels.month_span,
        "fmt_number": labels.number,
        "goal_text": labels.goal_text,
    }


plans_bp.context_processor(_template_context)
plans_staff_bp.context_processor(_template_context)
