"""Downloads of consultations: the results (CSV or XLSX), the same rows the results page shows,
for staff and, once published, for the public; streamed and audited by app.core.exports."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.consultations import results
from app.core import exports as core_exports

core_exports.declare(
    "consultations.results",
    _l("Resultados de una consulta"),
    permissions=("content.view",),
    personal=False,
)
core_exports.declare(
    "consultations.results.public",
    _l("Resultados publicados de una consulta"),
    permissions=(),
    personal=False,
)


def results_download(data: results.Results, fmt: str, *, what: str):
    """The results export (CSV or XLSX): the same rows the results page shows."""
    header, rows = data.export_rows()
    name = f"consulta-{data.consultation.slug}-{data.dimension}"
    filters = {
        "consultation": data.consultation.id,
        "por": data.dimension,
        "k": data.viewer.threshold,
        "exact": data.viewer.exact,
    }
    if fmt == "csv":
        return core_exports.csv_response(f"{name}.csv", header, rows, what=what, filters=filters)
    return core_exports.xlsx_response(
        f"{name}.xlsx", [(_("Resultados"), header, rows)], what=what, filters=filters
    )
