"""How far a task is, how far it should be, and what status follows (pure rules, no database).

**Reported value.** Each responsible office reports, per follow-up period, the value of the task's
indicator. By default values are **cumulative** (`accumulation = "cumulative"`): a report states
what has been achieved since the plan started, so the office's latest report is its achievement
(reporting 1 in quarter I and 1 in quarter II means one web form, not two). A task may be set to
**per period** (`"per_period"`, number unit only): each report counts what was done in that period
(e.g. meetings held this quarter) and the office's achievement is the sum.

**Several offices.** Co-responsible offices report **one shared figure** per task and period, not
a sum nor a mean: whichever responsible office reports the period's value sets the task's figure
for that period (a later report replaces it). Each office keeps its own qualitative notes. The
offices that report are the task's catalog offices, or the plan's owner office when the task
names none the catalog knows.

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

**Multi-year plans** (e.g. a ten-year policy plan) number their periods over the whole plan
(`Plan.period_span`) and give each task a target per year (and, where the layout states it, per
period within a year). For **one year**: a cumulative task's achievement is its latest figure up to
the year's last period (still counted since the plan began) against the target to reach by the end
of that year; a per-period task's is the sum of that year's figures against that year's target. The
year's expected progress is the share of the task's months of that year elapsed, or, when the year
has period targets, the target of the last period already closed against the year's target. **Over
the whole plan** the task's goal is its plan goal (`PlanTask.goal`: the last year's target of a
cumulative task, the sum of the yearly targets of a per-period one, unless the layout states it)
and the expected progress is the share of all its months over every year already elapsed.
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


def expected_progress(months: list[int], year: int, today: date, last_year: int | None = None) -> float:
    """Percentage of the task's running months elapsed by `today` (0–100), over the years `year`
    to `last_year` (the same months each year)."""
    if not months:
        return 0.0
    years = range(year, max(year, last_year or year) + 1)
    elapsed = 0.0
    for y in years:
        for month in months:
            if (y, month) < (today.year, today.month):
                elapsed += 1
            elif (y, month) == (today.year, today.month):
                elapsed += today.day / calendar.monthrange(y, month)[1]
    return round(100.0 * elapsed / (len(months) * len(years)), 1)


def achieved_in(task, periods: list[int]) -> float | None:
    """The task's achievement within the plan-wide `periods` of one year (see module doc)."""
    if not periods:
        return None
    figures = period_figures(task, max(periods))
    if task.accumulation == "per_period" and task.unit != "percentage":
        inside = [v for p, v in figures.items() if p in periods]
        return round(sum(inside), 2) if inside else None
    return round(figures[max(figures)], 2) if figures else None


def expected_in_year(task, plan_periods: list, year: int, today: date, goal: float | None) -> float:
    """Expected progress of the task within `year` by `today` (see module doc)."""
    targets = task.period_targets(year)
    if not targets or not goal:
        return expected_progress(task.months, year, today)
    closed = [
        p
        for p in targets
        if p <= len(plan_periods) and (year, plan_periods[p - 1][1]) < (today.year, today.month)
    ]
    if not closed:
        return 0.0
    if task.accumulation == "per_period" and task.unit != "percentage":
        reached = sum(targets[p] for p in closed)
    else:
        reached = targets[max(closed)]
    return round(min(100.0, 100.0 * reached / goal), 1)


def period_figures(task, upto: int | None = None) -> dict[int, float]:
    """The task's one shared figure per period (periods ≤ `upto`): co-responsible offices report
    one figure together, so a period's figure is the last value any of its reporting offices gave
    (`commands.report` keeps a single value per task and period)."""
    codes = set(task.reporting_codes)
    latest: dict[int, object] = {}
    for r in task.reports:
        if r.value is None or r.office_code not in codes or (upto is not None and r.period > upto):
            continue
        current = latest.get(r.period)
        if current is None or _when(r) > _when(current):
            latest[r.period] = r
    return {period: float(r.value) for period, r in sorted(latest.items())}


def _when(report) -> tuple:
    return (report.reported_at or datetime.min, report.id or 0)


def achieved(task, upto: int | None = None) -> float | None:
    """The task's achievement (see module doc); None when nobody reported a value."""
    figures = period_figures(task, upto)
    if not figures:
        return None
    if task.accumulation == "per_period" and task.unit != "percentage":
        return round(sum(figures.values()), 2)
    return round(figures[max(figures)], 2)


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
