"""Reads: the report's period, the sections every capability gives for it, and stored reports."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.accountability.models import AccountabilityReport
from app.core import registry, time
from app.core.registry import ReportPeriod, ReportSection
from app.extensions import db


def year_period(year: int) -> ReportPeriod:
    return ReportPeriod(date(year, 1, 1), date(year, 12, 31), _("Vigencia %(year)s", year=year))


def event_period(event_id: int) -> ReportPeriod | None:
    """The period of one event (its day), None when the event is unknown or a draft."""
    found = registry.get().call("event_summary", event_id)
    if not found:
        return None
    starts = found[0]["starts_at"]
    day = time.to_local(starts).date() if isinstance(starts, datetime) else starts
    return ReportPeriod(day, day, _("Evento: %(title)s", title=found[0]["title"]), event_id=event_id)


def gather(period: ReportPeriod) -> list[ReportSection]:
    """Every capability's sections for `period`, in report order."""
    sections: list[ReportSection] = []
    for provider in registry.get().report_sections:
        sections.extend(provider(period))
    return sorted(sections, key=lambda s: (s.order, s.key))


def reports(*, published_only: bool = False) -> list[AccountabilityReport]:
    stmt = select(AccountabilityReport).order_by(
        AccountabilityReport.created_at.desc(), AccountabilityReport.id.desc()
    )
    if published_only:
        stmt = stmt.where(AccountabilityReport.published.is_(True))
    return list(db.session.scalars(stmt.limit(200)))


def get(report_id: int, *, published_only: bool = False) -> AccountabilityReport | None:
    report = db.session.get(AccountabilityReport, report_id)
    if report is None or (published_only and not report.published):
        return None
    return report
