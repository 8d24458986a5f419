"""Changes of the follow-up cycle: apply a previewed bulk follow-up file, and send reminders to
offices before a period closes. Plain functions on typed data, one transaction each.

`send_reminders(today, days)` is the job to schedule daily (CLI: `flask participa plan-reminders`):
it is idempotent (one reminder per plan, period and office, stored in `plan_reminder`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core import audit, mail, time
from app.extensions import db
from app.plans import queries, services
from app.plans.bulk import Diff
from app.plans.models import PlanReminder, PlanReport


def apply_follow_up(diff: Diff, *, actor=None) -> int:
    """Store every change of a previewed bulk file (all or none) and audit it; return the number of
    tasks changed. Notes changed go back to review before they are public."""
    if diff.errors:
        raise services.PlanError(_("El archivo tiene errores: corrígelos y vuelve a subirlo."))
    sheet = diff.sheet
    try:
        for change in diff.changes:
            entry = change.report
            if entry is None:
                entry = PlanReport(task=change.task, period=sheet.period, office_code=sheet.office)
                db.session.add(entry)
            value_changed = any(f[0] == "value" for f in change.fields)
            services.store_report(
                entry,
                value=change.value if value_changed else entry.value,
                progress_text=change.progress_text,
                difficulties=change.difficulties,
                evidence=change.evidence,
                actor=actor,
            )
        if diff.changes:
            plan_id = diff.changes[0].task.action.plan_id
            audit.record(
                "plan_bulk_reported",
                target=f"plan:{plan_id}",
                details={
                    "office": sheet.office,
                    "period": sheet.period,
                    "tasks": [c.task.id for c in diff.changes],
                    "fields": sum(len(c.fields) for c in diff.changes),
                },
                actor=actor,
                commit=False,
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(diff.changes)


# ---------------------------------------------------------------------------- reminders


@dataclass
class Reminder:
    plan_id: int
    period: int
    office: str
    recipients: list[str]
    tasks: int


def _absolute(endpoint: str, **values) -> str:
    base = current_app.config["PARTICIPA_BASE_URL"]
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


def _editors_of(office: str) -> list[str]:
    users = db.session.scalars(select(User).where(User.active.is_(True), User.role == "editor"))
    return sorted(u.email for u in users if office in u.office_codes)


def _send(to: list[str], subject: str, body: str) -> str:
    if not mail.configured():
        if current_app.config.get("PARTICIPA_ENV") == "production":
            raise RuntimeError("MAIL_SERVER is not configured")
        current_app.logger.warning(
            "Reminder (development, not e-mailed) to %s: %s\n%s", ", ".join(to), subject, body
        )
        return "log"
    mail.send(to, subject, body)
    return "smtp"


def reminder_text(plan, period: int, office: str, tasks, closes_on: date) -> tuple[str, str]:
    """(subject, body) of a reminder, in Spanish (staff mail)."""
    with force_locale("es_CO"):
        label = plan.period_name(period)
        subject = _(
            "Seguimiento %(period)s de «%(plan)s»: cierra el %(date)s",
            period=label,
            plan=plan.name,
            date=closes_on.strftime("%d/%m/%Y"),
        )
        lines = [
            _("Hola:"),
            "",
            _(
                "El periodo %(period)s del plan «%(plan)s» cierra el %(date)s y tu dependencia (%(office)s) "
                "aún no reporta estas tareas:",
                period=label,
                plan=plan.name,
                date=closes_on.strftime("%d/%m/%Y"),
                office=office,
            ),
            "",
        ]
        lines += [f"- {t.action.number}. {t.description}" for t in tasks]
        lines += [
            "",
            _(
                "Reporta todas a la vez con la hoja de seguimiento, o una por una, desde %(url)s",
                url=_absolute("plans_staff.my_tasks", dependencia=office),
            ),
            "",
            current_app.config.get("ENTITY_NAME", ""),
        ]
    return subject, "\n".join(lines) + "\n"


def send_reminders(today: date | None = None, days: int = 7) -> list[Reminder]:
    """E-mail the editors of each office that has unreported tasks in a period closing within
    `days` days. One reminder per plan, period and office, ever (committed one by one, so a mail
    failure leaves only that reminder to the next run)."""
    today = today or time.today()
    sent = []
    for plan, period, pending in queries.closing_soon(today, days):
        closes_on = queries.period_bounds(plan, period)[1]
        for office, tasks in sorted(pending.items()):
            if db.session.scalar(
                select(PlanReminder.id).where(
                    PlanReminder.plan_id == plan.id,
                    PlanReminder.period == period,
                    PlanReminder.office_code == office,
                )
            ):
                continue
            recipients = _editors_of(office)
            if not recipients:
                continue
            subject, body = reminder_text(plan, period, office, tasks, closes_on)
            try:
                db.session.add(
                    PlanReminder(
                        plan_id=plan.id,
                        period=period,
                        office_code=office,
                        recipients=len(recipients),
                        tasks=len(tasks),
                        sent_at=time.now(),
                    )
                )
                db.session.flush()
                _send(recipients, subject, body)
                audit.record(
                    "plan_reminder_sent",
                    target=f"plan:{plan.id}",
                    details={
                        "period": period,
                        "office": office,
                        "recipients": len(recipients),
                        "tasks": len(tasks),
                    },
                    actor="system",
                    commit=False,
                )
                db.session.commit()
            except (IntegrityError, *mail.ERRORS, RuntimeError) as exc:
                db.session.rollback()
                current_app.logger.warning(
                    "Plan reminder %s/%s/%s not sent: %s", plan.id, period, office, exc
                )
                continue
            sent.append(Reminder(plan.id, period, office, recipients, len(tasks)))
    return sent
