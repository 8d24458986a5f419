"""Large attendance-list exports prepared in the background ("Mis descargas", `app.core.jobs`).

An official list above PARTICIPA_EXPORT_QUEUE_ROWS rows is written by the worker to a file that
only the steward who asked can download (personal data: never e-mailed)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import export_files, jobs
from app.events import exports
from app.events.models import Attendance, Event
from app.extensions import db

KINDS = {"csv": "events.attendance.csv", "xlsx": "events.attendance.xlsx"}


def row_count(event_id: int) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(Attendance).where(Attendance.event_id == event_id))
        or 0
    )


def should_queue(rows: int) -> bool:
    return rows > current_app.config["PARTICIPA_EXPORT_QUEUE_ROWS"]


def request_export(fmt: str, event: Event, *, owner, lang: str, rows: int) -> jobs.Job:
    label = _("Listado de asistencia: %(event)s (%(fmt)s)", event=event.title, fmt=fmt.upper())
    return jobs.enqueue(
        KINDS[fmt],
        owner=owner,
        label=label,
        personal=True,
        total=rows,
        params={"event_id": event.id, "lang": lang},
    )


def _run(fmt: str):
    def run(job: jobs.Job, path: str, progress) -> int:
        event = db.session.get(Event, int(job.params["event_id"]))
        if event is None:
            raise LookupError("event gone")
        rows = exports.rows(event)
        if fmt == "csv":
            n = export_files.write_csv(path, exports.header(), rows, progress)
        else:
            n = export_files.write_xlsx(path, [(_("Asistencia"), exports.header(), rows)], progress)
        export_files.audit_export(
            job.owner_id,
            "events.attendance",
            path,
            rows=n,
            personal=True,
            filters={"event": event.id},
            job_id=job.id,
        )
        return n

    return run


def register() -> None:
    jobs.register_kind(
        KINDS["csv"], _run("csv"), filename="asistencia-evento-{event_id}.csv", mimetype=export_files.CSV_MIME
    )
    jobs.register_kind(
        KINDS["xlsx"],
        _run("xlsx"),
        filename="asistencia-evento-{event_id}.xlsx",
        mimetype=export_files.XLSX_MIME,
    )
