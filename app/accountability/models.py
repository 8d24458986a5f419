"""A generated accountability report: both files as they were generated, and whether it is
published on the transparency page."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import time
from app.extensions import db


class AccountabilityReport(db.Model):
    __tablename__ = "accountability_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    period_label: Mapped[str] = mapped_column(String(255))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    event_id: Mapped[int | None] = mapped_column(Integer, index=True)  # events' id, via hooks only
    sections: Mapped[list] = mapped_column(JSON, default=list)  # titles, in order
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    docx: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
