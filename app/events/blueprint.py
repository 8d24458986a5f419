"""Every URL of the events package, in one table (see `app.core.urls`)."""

from flask import Blueprint

from app.core.urls import add_urls
from app.events import public, staff

events_bp = Blueprint("events", __name__)
events_staff_bp = Blueprint("events_staff", __name__, url_prefix="/gestion/eventos")

URLS = (
    (events_bp, "/eventos/", public.public_index, {}),
    (events_bp, "/eventos/<int:event_id>", public.event_page, {}),
    (events_bp, "/eventos/<int:event_id>.ics", public.event_ics, {}),
    (events_bp, "/eventos/calendario.ics", public.feed, {}),
    (events_bp, "/asistencia/codigo", public.by_code, {}),
    (events_bp, "/asistencia/<token>", public.sign_in, {"methods": ["GET", "POST"]}),
    (events_bp, "/asistencia/gracias/<int:event_id>", public.thanks, {}),
    (
        events_bp,
        "/asistencia/gracias/<int:event_id>/quien-participa",
        public.profile_step,
        {"methods": ["GET", "POST"]},
    ),
    (events_staff_bp, "/", staff.index, {}),
    (events_staff_bp, "/nuevo", staff.new, {"methods": ["GET", "POST"]}),
    (events_staff_bp, "/<int:event_id>", staff.detail, {}),
    (events_staff_bp, "/<int:event_id>/editar", staff.edit, {"methods": ["GET", "POST"]}),
    (events_staff_bp, "/<int:event_id>/publicar", staff.publish, {"methods": ["POST"]}),
    (events_staff_bp, "/<int:event_id>/enlace", staff.toggle_link, {"methods": ["POST"]}),
    (events_staff_bp, "/<int:event_id>/renovar-enlace", staff.renew_link, {"methods": ["POST"]}),
    (events_staff_bp, "/<int:event_id>/cancelar", staff.cancel, {"methods": ["GET", "POST"]}),
    (events_staff_bp, "/<int:event_id>/cerrar", staff.close, {"methods": ["GET", "POST"]}),
    (events_staff_bp, "/<int:event_id>/qr.png", staff.qr_png_file, {}),
    (events_staff_bp, "/<int:event_id>/qr.svg", staff.qr_svg_file, {}),
    (events_staff_bp, "/<int:event_id>/cartel.pdf", staff.poster, {}),
    (events_staff_bp, "/<int:event_id>/planilla.pdf", staff.paper_sheet, {}),
    (events_staff_bp, "/<int:event_id>/proyeccion", staff.projection, {}),
    (events_staff_bp, "/<int:event_id>/proyeccion.svg", staff.projection_svg, {}),
    (events_staff_bp, "/<int:event_id>/proyeccion.json", staff.projection_json, {}),
    (events_staff_bp, "/<int:event_id>/en-vivo", staff.live, {}),
    (events_staff_bp, "/<int:event_id>/conteo.json", staff.count_json, {}),
    (events_staff_bp, "/<int:event_id>/asistencia", staff.attendance, {}),
    (events_staff_bp, "/<int:event_id>/papel", staff.paper, {"methods": ["GET", "POST"]}),
    (
        events_staff_bp,
        "/<int:event_id>/asistencia/<int:row_id>",
        staff.correct_row,
        {"methods": ["GET", "POST"]},
    ),
    (events_staff_bp, "/<int:event_id>/asistencia.<fmt>", staff.export, {}),
    (events_staff_bp, "/<int:event_id>/fichas.pdf", staff.slips_pdf, {}),
    (events_staff_bp, "/<int:event_id>/fichas", staff.slips, {"methods": ["GET", "POST"]}),
)

BLUEPRINTS = add_urls(URLS)
