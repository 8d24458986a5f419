"""Open data files (datos abiertos): public, aggregated, protected figures, one family of exports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import exports

exports.declare("opendata.*", _l("Datos abiertos"), permissions=(), personal=False)
