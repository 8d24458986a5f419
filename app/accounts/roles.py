"""Roles and what each may do. One role per user; the check is `user.can(permission)`.

- admin: manages users, roles, catalogs and all content; reads the audit log. Does not get
  personal data by default (least privilege): give a steward role for that.
- editor: manages the content (events, consultations, surveys, plans, answers) of its offices;
  an editor with no office assigned manages the content of every office.
- analyst: dashboards and anonymised exports.
- steward: dashboards, anonymised and personal-data exports, attendees' identities.
  Reads the audit log too (oversight of who did what with personal data).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLES = {
    "admin": _l("Administración"),
    "editor": _l("Edición de contenidos"),
    "analyst": _l("Análisis"),
    "steward": _l("Custodia de datos personales"),
}

PERMISSIONS: dict[str, set[str]] = {
    "users.manage": {"admin"},
    "catalogs.manage": {"admin"},
    "audit.view": {"admin", "steward"},
    "content.edit": {"admin", "editor"},
    "content.view": {"admin", "editor", "analyst", "steward"},
    "names.view": {"admin", "editor", "steward"},
    "identities.view": {"steward"},
    "dashboards.view": {"admin", "analyst", "steward"},
    "exports.anonymised": {"admin", "analyst", "steward"},
    "exports.personal": {"steward"},
    "suppression.bypass": {"steward"},
}


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS.get(permission, set())
