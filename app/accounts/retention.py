"""Retention of staff accounts (see app/core/retention.py): an account nobody has used for the
retention period is deactivated (it can no longer sign in; an admin can reactivate it). The row
stays, so the audit log and the answers it signed still name who did what. The last active
admin is never deactivated, so the entity is never locked out."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.core.retention import RetentionRule
from app.extensions import db

from .models import User


def purge(cutoff: datetime, now: datetime) -> int:
    last_seen = func.coalesce(User.last_login_at, User.created_at)
    idle = list(
        db.session.execute(select(User.id, User.role).where(User.active.is_(True), last_seen < cutoff))
    )
    if not idle:
        return 0
    ids = [row.id for row in idle]
    other_admins = (
        db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.active.is_(True), User.role == "admin", User.id.not_in(ids))
        )
        or 0
    )
    if not other_admins and any(row.role == "admin" for row in idle):
        keep = db.session.scalar(
            select(User.id)
            .where(User.id.in_(ids), User.role == "admin")
            .order_by(last_seen.desc(), User.id)
            .limit(1)
        )
        ids.remove(keep)
    if not ids:
        return 0
    return (
        db.session.execute(
            update(User)
            .where(User.id.in_(ids))
            .values(active=False)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


RULE = RetentionRule(
    kind="staff_account",
    label=lambda: _l("Cuentas de funcionarios sin uso"),
    description=lambda: _l(
        "Cuentas que nadie ha usado para ingresar. Se cuenta desde el último ingreso; al "
        "cumplirse el plazo la cuenta se desactiva (el último administrador activo nunca)."
    ),
    default_days=365,
    min_days=30,
    purge=purge,
    order=60,
)


def register(reg) -> None:
    reg.retention.append(RULE)
