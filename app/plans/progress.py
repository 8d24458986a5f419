"""How far a task is, how far it should be, and what status follows (pure rules, no database).

**Reported value.** Each responsible office reports, per follow-up period, the value of the task's
indicator. By default values are **cumulative** (`accumulation = "cumulative"`): a report states
what has been achieved since the plan started, so the office's latest report is its achievement
(reporting 1 in quarter I and 1 in quarter II means one web form, not two). A task may be set to
**per period** (`"per_period"`, number unit only): each report counts what was done in that period
(e.g. meetings held this quarter) and the office's achievement is the sum.

**Several offices.** With unit *number* co-responsible offices report **one shared figure**: the
task's indicator (one "urna virtual" built by two offices is one, not two). For each period the
figure is the most recent report from any responsible office (a later report corrects an earlier
one), and the periods combine by the task's accumulation as for one office. With unit
*percentage* they are averaged over every office that must report, an office that has not
reported counting 0 (each reports how far its part is, and the task is complete when every part
is). The offices that report are the task's catalog offices, or the plan's owner office
when the task names none the catalog knows.

**Progress** = achieved / goal × 100, capped at 100 % (the same formula for both units: a
percentage goal of 100 % reported at 60 % is 60 % progress; a goal of 2 meetings with 1 held is
50 %). A task without a goal has no progress (status "no_goal").

**Expected progress by a date** = share of the task's months already elapsed: each month it runs
counts 1 once over, the current month counts by the fraction of its days gone, future months 0.

**Status**: *done* when progress reaches 100 %; otherwise *late* when every month of the task has
passed; otherwise *at risk* when progress trails expected progress by more than `RISK_MARGIN`
points; otherwise *on track* (this includes tasks whose months have not started).
An action's and a plan's progress is the mean of their tasks' (actions') progress; their status is
*done* when all are done, else the worst of late > at risk > on track.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

RISK_MARGIN = 15.0  # percentage points behind schedule before a task is "at risk"
STATUSES = ("on_track", "at_risk", "late", "done", "no_goal")
_SEVERITY = {"late": 3, "at_risk": 2, "on_track": 1, "done": 0}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def period_label(index: int) -> str:
    """1 -> 'I', 4 -> 'IV'."""
    return ROMAN[index - 1] if 1 <= index <= len(ROMAN) else str(index)


def period_of_month(periods: list, month: int) -> int | None:
    """The 1-based period that contains `month`."""
    for index, (start, end) in enumerate(periods, start=1):
        if start <= month <= end:
            return index
    return None


def period_started(periods: list, year: int, index: int, today: date) -> bool:
    """Has period `index` of a plan of `year` begun by `today`? (Reports are only for periods that
    have begun: a value for the future would be a forecast, not a follow-up.)"""
    start_month = periods[index - 1][0]
    return (today.year, today.month) >= (year, start_month)


def expected_progress(months: list[int], year: int, today: date) -> float:
    """Percentage of the task's running months elapsed by `today` (0–100)."""
    if not months:
        return 0.0
    elapsed = 0.0
    for month in months:
        if (year, month) < (today.year, today.month):
            elapsed += 1
        elif (year, month) == (today.year, today.month):
            elapsed += today.day / calendar.monthrange(year, month)[1]
    return round(100.0 * elapsed / len(months), 1)


def office_achieved(reports, accumulation: str, upto: int | None = None) -> float | None:
    """One office's achievement from its reports (periods ≤ `upto`); None when it reported no value."""
    values = [(r.period, r.value) for r in reports if r.value is not None and (upto is None or r.period <= upto)]
    if not values:
        return None
    if accumulation == "per_period":
        return float(sum(v for _p, v in values))
    return float(max(values)[1])


def achieved(task, upto: int | None = None) -> float | None:
    """The task's combined achievement (see module doc); None when nobody reported a value."""
    by_office: dict[str, list] = {}
    for report in task.reports:
        by_office.setdefault(report.office_code, []).append(report)
    codes = task.reporting_codes
    if task.unit != "percentage":
        shared = office_achieved(shared_reports([r for c in codes for r in by_office.get(c, [])]),
                                 task.accumulation, upto)
        return None if shared is None else round(shared, 2)
    values = [office_achieved(by_office.get(code, []), task.accumulation, upto) for code in codes]
    if all(v is None for v in values):
        return None
    numbers = [v or 0.0 for v in values]
    return round(sum(numbers) / len(numbers), 2)


def shared_reports(reports) -> list:
    """One report per period: the most recent one with a value, whichever office made it (the
    shared figure of co-responsible offices)."""
    latest: dict[int, object] = {}
    for report in reports:
        if report.value is None:
            continue
        key = (report.reported_at or datetime.min, report.id or 0)
        current = latest.get(report.period)
        if current is None or key > (current.reported_at or datetime.min, current.id or 0):
            latest[report.period] = report
    return list(latest.values())


def progress(goal: float | None, value: float | None) -> float | None:
    """value / goal × 100, capped at 100; 0 when nothing reported; None without a goal."""
    if not goal:
        return None
    if value is None:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * value / goal)), 1)


def status(progress_value: float | None, expected: float) -> str:
    """The status rule of the module doc."""
    if progress_value is None:
        return "no_goal"
    if progress_value >= 100:
        return "done"
    if expected >= 100:
        return "late"
    if progress_value < expected - RISK_MARGIN:
        return "at_risk"
    return "on_track"


def combine(items: list[dict]) -> tuple[float | None, str, float]:
    """(progress, status, expected) of an action or plan from its tasks' or actions' dicts."""
    measured = [i for i in items if i["progress"] is not None]
    if not measured:
        return None, "no_goal", 0.0
    value = round(sum(i["progress"] for i in measured) / len(measured), 1)
    expected = round(sum(i["expected"] for i in measured) / len(measured), 1)
    statuses = [i["status"] for i in measured]
    if all(s == "done" for s in statuses):
        return value, "done", expected
    worst = max(statuses, key=lambda s: _SEVERITY.get(s, 0))
    return value, ("on_track" if worst == "done" else worst), expected


def width_class(value: float | None) -> str:
    """CSS class of a progress bar (static/css/plans.css has w-0 … w-100 in steps of 5)."""
    if not value:
        return "w-0"
    return f"w-{min(100, int(5 * round(value / 5)))}"
