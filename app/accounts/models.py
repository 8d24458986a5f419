"""Staff user and login-throttle models."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalogs.models import Office
from app.core import time
from app.core.auth import ROLES, allowed
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

    offices: Mapped[list[Office]] = relationship(secondary=user_office, order_by=Office.position)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def role_label(self) -> str:
        """The role's name in the visitor's language (e.g. "Análisis" for analyst)."""
        return str(ROLES.get(self.role, self.role))

    def can(self, permission: str) -> bool:
        return allowed(self.role, permission)

    @property
    def office_codes(self) -> set[str]:
        return {o.code for o in self.offices}


class LoginThrottle(db.Model):
    """Failed logins per e-mail address (whether or not an account exists, so the lock message
    reveals nothing about which addresses have accounts)."""

    __tablename__ = "login_throttle"

    email: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
