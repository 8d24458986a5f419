"""Staff user and login-throttle models."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalogs.models import Office
from app.core import time
from app.core.auth import ROLES, may
from app.extensions import db

user_office = Table(
    "user_office",
    db.metadata,
    Column("user_id", ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
    Column("office_id", ForeignKey("office.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Part of every session of this user: a new value (logout, password change, deactivation,
    # role change) ends every session and "remember me" cookie issued before, on every device.
    session_token: Mapped[str] = mapped_column(
        String(32), default=lambda: secrets.token_hex(16), server_default=""
    )

    offices: Mapped[list[Office]] = relationship(secondary=user_office, order_by=Office.position)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie carries
        return f"{self.id}:{self.session_token}"

    def session_matches(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), (self.session_token or "").encode())

    def end_sessions(self) -> None:
        """End every session of this user (takes effect with the caller's commit)."""
        self.session_token = secrets.token_hex(16)

    @property
    def role_label(self) -> str:
        """The role's name in the visitor's language (e.g. "Análisis" for analyst)."""
        return str(ROLES.get(self.role, self.role))

    def can(self, permission: str) -> bool:
        """`may(self, permission)`: templates and views ask `current_user.can(...)`, decided by the
        one permission check in app.core.auth (office scope: pass the offices to `may`)."""
        return may(self, permission)

    @property
    def office_codes(self) -> set[str]:
        return {o.code for o in self.offices}


class LoginThrottle(db.Model):
    """Failed logins, counted per (account, address) and per account, under a keyed hash of the
    e-mail (and of the address): neither is kept in the clear here. Rows exist for addresses with
    or without an account, so the messages never reveal which addresses have accounts.

    scope "pair": one e-mail from one address. After PARTICIPA_LOGIN_MAX_FAILURES failures it is
    locked for 1, 2, 4… minutes (up to PARTICIPA_LOGIN_LOCK_MINUTES); `last_success_at` marks an
    address this account signed in from. scope "account": failures from every address; past
    PARTICIPA_LOGIN_ACCOUNT_SLOW_AFTER, addresses the account never signed in from must wait
    PARTICIPA_LOGIN_ACCOUNT_SLOW_SECONDS between tries (slowed, never locked).
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(10), default="pair")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
