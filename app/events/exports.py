"""Official attendance list exports (CSV, XLSX): streamed and audited by app.core.exports.
Personal data: only for users with `exports.personal` (checked by the route)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.catalogs import queries as catalogs
from app.core import exports
from app.events import queries
from app.events.documents import channel_labels
from app.events.models import Event


def header() -> list[str]:
    return [
        _("N.º"),
        _("Nombre"),
        _("Tipo de documento"),
        _("Número de documento"),
        _("Contacto"),
        _("Canal"),
        _("Fecha y hora de firma"),
        _("Autorización de datos"),
        _("Estado"),
    ]


def rows(event: Event):
    doc_types = catalogs.labels("document_type")
    channels = channel_labels()
    yes, no = _("Sí"), _("No (solo se cuenta)")
    for n, row in enumerate(queries.attendance_rows(event.id), start=1):
        yield [
            n,
            row.name,
            doc_types.get(row.doc_type, row.doc_type),
            row.doc_number,
            row.contact,
            channels.get(row.channel, row.channel),
            row.signed_at,
            yes if row.consent_id else no,
            status(row),
        ]


def status(row) -> str:
    """'Válida', or 'Anulada: <reason>' (a voided row stays on the official list)."""
    return _("Anulada: %(reason)s", reason=row.void_reason) if row.voided_at else _("Válida")


def csv(event: Event):
    return exports.csv_response(
        f"asistencia-evento-{event.id}.csv",
        header(),
        rows(event),
        what="events.attendance",
        filters={"event": event.id},
        personal=True,
    )


def xlsx(event: Event):
    return exports.xlsx_response(
        f"asistencia-evento-{event.id}.xlsx",
        [(_("Asistencia"), header(), rows(event))],
        what="events.attendance",
        filters={"event": event.id},
        personal=True,
    )


exports.declare(
    "events.attendance",
    _l("Listado de asistencia con nombres y documentos"),
    permissions=("exports.personal",),
    personal=True,
)
