"""Roles and permissions are decided in `app.core.auth`; kept for older imports."""

from app.core.auth import PERMISSIONS, ROLES, allowed

__all__ = ["PERMISSIONS", "ROLES", "allowed"]
