"""Plan rules shared by changes and reads: the refusal error, follow-up periods, the notations
typed in forms (periods, yearly targets, evidence links) and who may edit or report.

Nothing here writes; `commands` and `queries` (and the bulk follow-up sheet) call these.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _

from app.core import time
from app.core.auth import may
from app.plans import progress
from app.plans.models import Plan, PlanTask

METADATA = (
    "process",
    "subprocess",
    "plan_date",
    "entity_name",
    "entity_nit",
    "document_code",
    "document_version",
    "approved_on",
)
URL_RE = re.compile(r"^https?://[^\s<>\"']{3,2000}$", re.I)
MAX_EVIDENCE = 10


class PlanError(ValueError):
    """A refused change; the message is shown to the person, next to `field` when given."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def current_period(plan: Plan, today: date) -> int | None:
    """The follow-up period running today (numbered over the whole plan), None outside the plan's
    years."""
    if today.year not in plan.years:
        return None
    local = progress.period_of_month(plan.periods, today.month)
    return None if local is None else (today.year - plan.year) * len(plan.periods) + local


def period_started(plan: Plan, period: int, today: date) -> bool:
    """Has period `period` begun by `today`? (Reports are only for periods that have begun: a value
    for the future would be a forecast, not a follow-up.)"""
    year, start, _end = plan.period_span(period)
    return (today.year, today.month) >= (year, start)


def open_periods(plan: Plan, today: date | None = None) -> list[int]:
    """Periods that have begun (reports may be entered or corrected for them)."""
    today = today or time.today()
    return [i for i in range(1, plan.period_count + 1) if period_started(plan, i, today)]


def parse_periods(text: str) -> list[list[int]]:
    """'1-3, 4-6, 7-9, 10-12' -> [[1, 3], …]; periods must be in order, not overlap, within 1–12."""
    periods = []
    for chunk in re.split(r"[,;\n]+", text or ""):
        chunk = chunk.strip()
        if not chunk:
            continue
        match = re.fullmatch(r"(\d{1,2})\s*[-–a]\s*(\d{1,2})", chunk) or re.fullmatch(r"(\d{1,2})", chunk)
        if not match:
            raise PlanError(
                _("Escribe cada periodo como mes inicial-mes final, por ejemplo 1-4, 5-8, 9-12."), "periods"
            )
        start = int(match.group(1))
        end = int(match.group(2)) if match.lastindex == 2 else start
        if not (1 <= start <= end <= 12):
            raise PlanError(_("El periodo «%(p)s» no está entre los meses 1 y 12.", p=chunk), "periods")
        if periods and start <= periods[-1][1]:
            raise PlanError(_("Los periodos deben ir en orden y sin cruzarse."), "periods")
        periods.append([start, end])
    if not periods or len(periods) > 12:
        raise PlanError(_("Escribe entre 1 y 12 periodos de seguimiento."), "periods")
    return periods


def parse_targets(text: str, plan_years: list[int], n_periods: int) -> list[tuple[int, int, float]]:
    """Yearly targets typed one per line or separated by commas: `2025: 10`, and per period
    within a year `2025-II: 4`. Returns [(year, local period or 0, goal)]."""
    out: dict[tuple[int, int], float] = {}
    for raw in re.split(r"[\n;,]+", text or ""):
        item = raw.strip()
        if not item:
            continue
        match = re.fullmatch(r"(\d{4})\s*(?:-\s*([IVXivx]+|\d{1,2}))?\s*[:=]\s*(\d+(?:[.,]\d+)?)\s*%?", item)
        if not match:
            raise PlanError(
                _(
                    "«%(item)s» no es una meta: escribe año: meta (por ejemplo 2026: 10) o "
                    "año-periodo: meta (2026-II: 4).",
                    item=item[:40],
                ),
                "yearly_targets",
            )
        year = int(match.group(1))
        if year not in plan_years:
            raise PlanError(_("%(year)s está fuera de los años del plan.", year=year), "yearly_targets")
        local = 0
        if match.group(2):
            label = match.group(2).upper()
            local = (
                int(label)
                if label.isdigit()
                else progress.ROMAN.index(label) + 1
                if label in progress.ROMAN
                else 0
            )
            if not 1 <= local <= n_periods:
                raise PlanError(
                    _("El periodo «%(p)s» no existe en este plan.", p=match.group(2)), "yearly_targets"
                )
        goal = float(match.group(3).replace(",", "."))
        if goal <= 0:
            raise PlanError(_("Cada meta debe ser mayor que cero."), "yearly_targets")
        out[(year, local)] = goal
    return [(y, p, g) for (y, p), g in sorted(out.items())]


def targets_text(task: PlanTask) -> str:
    """The task's targets in the form's notation (inverse of `parse_targets`)."""
    parts = []
    for t in task.targets:
        key = f"{t.year}-{progress.period_label(t.period)}" if t.period else str(t.year)
        goal = int(t.goal) if float(t.goal).is_integer() else t.goal
        parts.append(f"{key}: {goal}")
    return "\n".join(parts)


def plan_goal_from_targets(task: PlanTask) -> float | None:
    """A multi-year task's goal over the whole plan from its yearly targets (see `progress`)."""
    yearly = [(t.year, t.goal) for t in task.targets if not t.period]
    if not yearly:
        return None
    if task.accumulation == "per_period" and task.unit != "percentage":
        return round(sum(g for _y, g in yearly), 2)
    return max(yearly)[1]


def parse_evidence(text: str) -> list[str]:
    """One link per line; only http(s) addresses; at most MAX_EVIDENCE."""
    links = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(links) > MAX_EVIDENCE:
        raise PlanError(_("Escribe como máximo %(n)s enlaces de evidencia.", n=MAX_EVIDENCE), "evidence")
    for link in links:
        if not URL_RE.match(link):
            raise PlanError(
                _("«%(link)s» no es un enlace web (debe empezar por https:// o http://).", link=link[:80]),
                "evidence",
            )
    return links


def can_edit(user, plan: Plan | None = None) -> bool:
    """Edit a plan's structure: content editors who manage its owner office (admins always)."""
    if not (user.is_authenticated and user.can("content.edit")):
        return False
    return may(user, "content.edit", None if plan is None else [plan.owner_office])


def can_report(user, task: PlanTask, office_code: str) -> bool:
    """Report for a task: an editor of that responsible office (admins always)."""
    return (
        user.is_authenticated
        and user.can("content.edit")
        and office_code in task.reporting_codes
        and may(user, "content.edit", [office_code])
    )
