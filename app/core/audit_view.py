"""The audit log as people read it: plain Spanish labels per action code, details written as
"campo: valor", and filters by person, action, dates (Bogotá) and object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import time
from app.core.audit import AuditEntry

LABELS = {
    "login": _l("Inició sesión"),
    "login_failed": _l("Intento fallido de inicio de sesión"),
    "login_locked": _l("Cuenta bloqueada por intentos fallidos"),
    "logout": _l("Cerró sesión"),
    "password_changed": _l("Cambió su contraseña"),
    "password_reset": _l("Restableció una contraseña"),
    "user_created": _l("Creó una cuenta de personal"),
    "role_changed": _l("Cambió el rol de una cuenta"),
    "user_activated": _l("Activó una cuenta"),
    "user_deactivated": _l("Desactivó una cuenta"),
    "catalog_changed": _l("Cambió un catálogo"),
    "export": _l("Descargó una exportación"),
    "characterization_baseline_loaded": _l("Cargó la línea base de población"),
    "characterization_territories_aligned": _l("Alineó la comuna de los perfiles con su barrio o vereda"),
    "event_created": _l("Creó un evento"),
    "event_changed": _l("Editó un evento"),
    "event_published": _l("Publicó un evento"),
    "event_cancelled": _l("Canceló un evento"),
    "event_closed": _l("Cerró un evento y su listado de asistencia"),
    "event_link": _l("Cambió el enlace de un evento"),
    "consultation_created": _l("Creó una consulta"),
    "consultation_changed": _l("Editó una consulta"),
    "consultation_topic_saved": _l("Guardó un tema de consulta"),
    "consultation_proposal_moderated": _l("Revisó una propuesta ciudadana"),
    "consultation_results_published": _l("Publicó los resultados de una consulta"),
    "consultation_results_withdrawn": _l("Retiró los resultados de una consulta"),
    "survey_created": _l("Creó una encuesta"),
    "survey_changed": _l("Editó una encuesta"),
    "survey_deleted": _l("Borró una encuesta"),
    "survey_published": _l("Publicó una encuesta"),
    "survey_unpublished": _l("Retiró una encuesta"),
    "plan_created": _l("Creó un plan"),
    "plan_changed": _l("Editó un plan"),
    "plan_imported": _l("Importó un plan"),
    "plan_published": _l("Publicó un plan"),
    "plan_unpublished": _l("Retiró un plan"),
    "plan_reported": _l("Reportó el seguimiento de una tarea"),
    "plan_report_changed": _l("Corrigió el seguimiento de una tarea"),
    "plan_bulk_reported": _l("Cargó el seguimiento en bloque (Excel)"),
    "plan_report_reviewed": _l("Revisó un avance antes de publicarlo"),
    "plan_reminder_sent": _l("Envió un recordatorio de seguimiento"),
    "plan_finding": _l("Registró un hallazgo"),
    "accountability_report_generated": _l("Generó un informe de rendición de cuentas"),
    "accountability_report_published": _l("Publicó un informe de rendición de cuentas"),
    "accountability_report_withdrawn": _l("Retiró un informe de rendición de cuentas"),
    "transparency_item_saved": _l("Publicó o editó un documento de Transparencia"),
    "transparency_item_deleted": _l("Borró un documento de Transparencia"),
}
DETAIL_LABELS = {
    "format": _l("formato"),
    "filters": _l("filtros"),
    "rows": _l("filas"),
    "personal": _l("datos personales"),
    "completed": _l("completa"),
    "office": _l("dependencia"),
    "period": _l("periodo"),
    "task": _l("tarea"),
    "tasks": _l("tareas"),
    "value": _l("valor"),
    "state": _l("estado"),
    "file": _l("archivo"),
    "change": _l("cambio"),
    "by": _l("por"),
    "total": _l("total"),
    "role": _l("rol"),
    "reason": _l("motivo"),
}


def label(action: str) -> str:
    """The plain-Spanish label of an action code (the code itself, readable, when unknown)."""
    found = LABELS.get(action)
    return str(found) if found is not None else action.replace("_", " ").capitalize()


def _value(value) -> str:
    if isinstance(value, bool):
        return str(_l("sí") if value else _l("no"))
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "—"
    return "—" if value in (None, "") else str(value)


def details_text(details: dict | None) -> str:
    """{"format": "csv", "rows": 3} -> "formato: csv · filas: 3"."""
    return " · ".join(f"{DETAIL_LABELS.get(k, k)}: {_value(v)}" for k, v in (details or {}).items())


@dataclass
class AuditFilters:
    person: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    target: str = ""

    def statement(self):
        stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if self.person:
            stmt = stmt.where(AuditEntry.actor.ilike(f"%{_like(self.person)}%", escape="\\"))
        if self.action:
            stmt = stmt.where(AuditEntry.action == self.action)
        if self.date_from:
            stmt = stmt.where(
                AuditEntry.at >= time.from_local(datetime.combine(self.date_from, datetime.min.time()))
            )
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), datetime.min.time())
            stmt = stmt.where(AuditEntry.at < time.from_local(end))
        if self.target:
            stmt = stmt.where(AuditEntry.target.ilike(f"%{_like(self.target)}%", escape="\\"))
        return stmt

    def args(self) -> dict:
        return {
            k: v
            for k, v in (
                ("persona", self.person),
                ("accion", self.action),
                ("desde", self.date_from and self.date_from.isoformat()),
                ("hasta", self.date_to and self.date_to.isoformat()),
                ("objeto", self.target),
            )
            if v
        }


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _date(value: str) -> date | None:
    """A date the log can hold (years 1900-2999): 9999-12-31 plus a day, or in UTC, is no date."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or 1900 <= day.year <= 2999 else None


def filters_from(args) -> tuple[AuditFilters, dict[str, str]]:
    """Filters from the query string, and errors per field (a bad date is reported, not ignored)."""
    from app.core.text import single_line

    errors = {}
    raw_from, raw_to = (args.get("desde") or "").strip(), (args.get("hasta") or "").strip()
    f = AuditFilters(
        person=single_line(args.get("persona", ""))[:100],
        action=single_line(args.get("accion", ""))[:60],
        date_from=_date(raw_from),
        date_to=_date(raw_to),
        target=single_line(args.get("objeto", ""))[:100],
    )
    if raw_from and f.date_from is None:
        errors["desde"] = str(_l("Escribe la fecha como AAAA-MM-DD."))
    if raw_to and f.date_to is None:
        errors["hasta"] = str(_l("Escribe la fecha como AAAA-MM-DD."))
    if f.date_from and f.date_to and f.date_to < f.date_from:
        errors["hasta"] = str(_l("La fecha final no puede ser anterior a la inicial."))
    return f, errors
