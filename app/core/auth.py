"""The one permission check: roles, permissions and office scope, decided here for every view,
query and export (`may`), and the one way to protect a staff route (`@permission_required`).

Roles (one per user):
- admin: manages users, roles, catalogs and all content; reads the audit log. Does not get
  personal data by default (least privilege): give a steward role for that.
- editor: manages the content (events, consultations, surveys, plans, answers) of its offices;
  an editor with no office assigned manages the content of every office.
- analyst: dashboards and anonymised exports.
- steward: dashboards, anonymised and personal-data exports, attendees' identities; reads the
  audit log too (oversight of who did what with personal data).

Office scope: admins, analysts and stewards act entity-wide. An editor with offices assigned acts
only on content owned by (or shared with) one of those offices; an editor with no office acts
entity-wide. Content that belongs to no office is the entity's as a whole: only entity-wide users
may change it. A route: not logged in, redirect to /gestion/ingresar; without the permission, 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import false, true

from app.extensions import login_manager

ROLES = {
    "admin": _l("Administración"),
    "editor": _l("Edición de contenidos"),
    "analyst": _l("Análisis"),
    "steward": _l("Custodia de datos personales"),
}

PERMISSIONS: dict[str, set[str]] = {
    "users.manage": {"admin"},
    "catalogs.manage": {"admin"},
    "audit.view": {"admin", "steward"},  # the steward oversees who did what with personal data
    "content.edit": {"admin", "editor"},
    "content.view": {"admin", "editor", "analyst", "steward"},
    "names.view": {"admin", "editor", "steward"},
    "identities.view": {"steward"},
    "dashboards.view": {"admin", "analyst", "steward"},
    "exports.anonymised": {"admin", "analyst", "steward"},
    "exports.personal": {"steward"},
    "suppression.bypass": {"steward"},
    "data_requests.handle": {"steward"},  # data-subject requests: lookup and erasure of a person's records
    "retention.manage": {"admin", "steward"},  # retention periods of personal data
}


def allowed(role: str, permission: str) -> bool:
    """Does this role carry this permission (whatever the offices)?"""
    return role in PERMISSIONS.get(permission, set())


def entity_wide(user) -> bool:
    """Does this user act on the content of every office?"""
    return user.role != "editor" or not user.office_codes


def in_scope(user, offices: Iterable[str]) -> bool:
    """Is content owned by `offices` (codes; empty: the whole entity) within this user's scope?"""
    if entity_wide(user):
        return True
    return bool(user.office_codes & {c for c in offices if c})


def may(user, permission: str, offices: Iterable[str] | None = None) -> bool:
    """THE permission check: may `user` use `permission`, on content owned by `offices` if given?

    `offices=None` asks about the permission alone (a menu item, a list page); pass an object's
    offices (an empty list for entity-wide content) to ask about that object.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", True) or not allowed(user.role, permission):
        return False
    return offices is None or in_scope(user, offices)


def scope_condition(user, column):
    """SQL condition on an office-code column: the rows within this user's scope."""
    if entity_wide(user):
        return true()
    mine = sorted(user.office_codes)
    return column.in_(mine) if mine else false()


def office_choices(user, choices: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (code, name) office choices this user may give content to."""
    return [c for c in choices if entity_wide(user) or c[0] in user.office_codes]


def permission_required(permission: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not may(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def login_required(view):
    """Any logged-in staff member."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped
