"""Large profile exports prepared in the background ("Mis descargas", `app.core.jobs`).

Above PARTICIPA_EXPORT_QUEUE_ROWS rows, the export route records a job instead of streaming:
the worker writes the same file the streamed download would send (same columns, same
anonymisation decided when it was asked for), and only the person who asked can download it.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from app.characterization import exports
from app.characterization.queries import Filters, P
from app.core import export_files, jobs
from app.extensions import db

KINDS = {"csv": "characterization.profiles.csv", "xlsx": "characterization.profiles.xlsx"}


def filters_from(data: dict) -> Filters:
    def day(value):
        return date.fromisoformat(value) if value else None

    return Filters(
        capability=data.get("capability", ""),
        object_id=data.get("object_id", ""),
        date_from=day(data.get("date_from")),
        date_to=day(data.get("date_to")),
        where=dict(data.get("where") or {}),
        disability_type=data.get("disability_type", ""),
    )


def row_count(filters: Filters) -> int:
    cond = filters.conditions()
    stmt = select(func.count()).select_from(P)
    if cond:
        stmt = stmt.where(and_(*cond))
    return db.session.scalar(stmt) or 0


def should_queue(rows: int) -> bool:
    return rows > current_app.config["PARTICIPA_EXPORT_QUEUE_ROWS"]


def request_export(fmt: str, filters: Filters, full: bool, *, owner, lang: str, rows: int) -> jobs.Job:
    label = (
        _("Perfiles de caracterización con datos personales (%(fmt)s)", fmt=fmt.upper())
        if full
        else _("Perfiles de caracterización anonimizados (%(fmt)s)", fmt=fmt.upper())
    )
    return jobs.enqueue(
        KINDS[fmt],
        owner=owner,
        label=label,
        personal=full,
        total=rows,
        params={"filters": filters.as_dict(), "full": full, "lang": lang},
    )


def _run(fmt: str):
    def run(job: jobs.Job, path: str, progress) -> int:
        params = job.params
        filters, full = filters_from(params.get("filters") or {}), bool(params.get("full"))
        columns = exports.row_columns(full)
        rows = exports.profile_rows(filters, full, text_dates=fmt == "csv")
        if fmt == "csv":
            n = export_files.write_csv(path, columns, rows, progress)
        else:
            n = export_files.write_xlsx(
                path,
                [
                    ("perfiles", columns, rows),
                    ("diccionario", exports.DICT_HEADER, exports.dictionary_rows(columns)),
                ],
                progress,
            )
        export_files.audit_export(
            job.owner_id,
            "characterization.profiles",
            path,
            rows=n,
            personal=full,
            filters={**(params.get("filters") or {}), "k": None, "full": full},
            job_id=job.id,
        )
        return n

    return run


def register() -> None:
    jobs.register_kind(
        KINDS["csv"], _run("csv"), filename="caracterizacion-perfiles.csv", mimetype=export_files.CSV_MIME
    )
    jobs.register_kind(
        KINDS["xlsx"], _run("xlsx"), filename="caracterizacion-perfiles.xlsx", mimetype=export_files.XLSX_MIME
    )
