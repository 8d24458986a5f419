"""The audit log export (who did what, when), for whoever oversees the staff's actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core import exports

# It names members of staff, not citizens: `personal` marks citizens' personal data.
exports.declare(
    "accounts.audit_log", _l("Registro de auditoría"), permissions=("audit.view",), personal=False
)
