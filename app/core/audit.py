"""The audit log: one table, one function. Logins, failed logins, role changes, exports…"""

from __future__ import annotations

import json
from datetime import datetime

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import time
from app.core.ratelimit import client_ip
from app.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=time.now, index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(255), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    target: Mapped[str] = mapped_column(String(255), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def record(
    action: str, *, target: str = "", details: dict | None = None, actor=None, commit: bool = True
) -> AuditEntry:
    """Write one audit entry. `actor` defaults to the logged-in user.

    Actions in use: login, login_failed, login_locked, logout, password_changed, user_created,
    role_changed, user_deactivated, catalog_changed, export (details: what, filters, rows).
    """
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(
        action=action,
        user_id=getattr(actor, "id", None),
        actor=getattr(actor, "email", "")
        if actor is not None and not isinstance(actor, str)
        else (actor or ""),
        ip=client_ip() if has_request_context() else "",
        target=target[:255],
        details=json.loads(json.dumps(details or {}, default=str)),
    )
    db.session.add(entry)
    if commit:
        db.session.commit()
    return entry
