"""Kept for imports written before `app.core.auth`; use `app.core.auth` in new code."""

from app.core.auth import login_required, permission_required

__all__ = ["login_required", "permission_required"]
