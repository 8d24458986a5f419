"""Changes: generate an accountability report (stored with both files) and publish it.

`generate(period, actor)` builds the whole report synchronously and returns it; it is a plain
function on typed data, so a background job queue can run it as it is (a year's report with the
demo data takes a few seconds).
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from app.accountability import documents, queries
from app.accountability.models import AccountabilityReport
from app.core import audit, time
from app.core.registry import ReportPeriod
from app.extensions import db


class ReportError(ValueError):
    pass


def _actor_name(actor) -> str:
    if actor is None:
        return ""
    return actor if isinstance(actor, str) else (getattr(actor, "email", "") or "")


def generate(period: ReportPeriod, *, actor=None) -> AccountabilityReport:
    """Assemble every section for `period`, render the PDF and the DOCX, store them (one
    transaction) and audit it. The report is written in Spanish: it is the entity's document."""
    with force_locale("es_CO"):
        title = _("Informe de rendición de cuentas: %(period)s", period=period.label)
        sections = queries.gather(period)
        pdf = documents.pdf(title, period, sections)
        docx = documents.docx(title, period, sections)
    report = AccountabilityReport(
        title=title[:255],
        period_label=period.label[:255],
        start=period.start,
        end=period.end,
        event_id=period.event_id,
        sections=[s.title for s in sections],
        pdf=pdf,
        docx=docx,
        created_by=_actor_name(actor),
        created_at=time.now(),
    )
    try:
        db.session.add(report)
        db.session.flush()
        audit.record(
            "accountability_report_generated",
            target=f"accountability_report:{report.id}",
            details={"period": period.label, "sections": len(sections), "pdf_bytes": len(pdf)},
            actor=actor,
            commit=False,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def set_published(report: AccountabilityReport, published: bool, *, actor=None) -> None:
    """Publish the report on the transparency page (section "Rendición de cuentas"), or withdraw it."""
    report.published = published
    report.published_at = time.now() if published else None
    audit.record(
        "accountability_report_published" if published else "accountability_report_withdrawn",
        target=f"accountability_report:{report.id}",
        details={},
        actor=actor,
        commit=False,
    )
    db.session.commit()
