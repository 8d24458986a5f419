"""Consultation exports: the results tables (staff, and the public results of a closed
consultation), streamed and audited by app.core.exports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import exports

exports.declare(
    "consultations.results",
    _l("Resultados de una consulta"),
    permissions=("content.view",),
    personal=False,
)
exports.declare(
    "consultations.results.public",
    _l("Resultados publicados de una consulta"),
    permissions=(),
    personal=False,
)
