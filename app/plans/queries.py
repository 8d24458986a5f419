"""Every read of plans: plans for pages and exports, progress overviews, what the hooks give other
pages (search, linked actions, catalog usage), an office's pending tasks ("Mis tareas"), periods
about to close (reminders) and notes waiting for review. Nothing here writes."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.catalogs import queries as catalogs
from app.core import registry, time
from app.core.text import single_line
from app.extensions import db
from app.plans import progress
from app.plans.models import Plan, PlanAction, PlanOffice, PlanReport, PlanTask, PlanTaskOffice
from app.plans.offices import OfficeMatcher
from app.plans.rules import current_period, open_periods


def _plan_query():
    return select(Plan).options(
        selectinload(Plan.offices),
        selectinload(Plan.findings),
        selectinload(Plan.actions).selectinload(PlanAction.tasks).selectinload(PlanTask.offices),
        selectinload(Plan.actions).selectinload(PlanAction.tasks).selectinload(PlanTask.reports),
        selectinload(Plan.actions).selectinload(PlanAction.tasks).selectinload(PlanTask.targets),
    )


def get_plan(plan_id: int, *, published_only: bool = False) -> Plan | None:
    stmt = _plan_query().where(Plan.id == plan_id)
    if published_only:
        stmt = stmt.where(Plan.published.is_(True))
    return db.session.scalar(stmt)


def list_plans(*, published_only: bool = False) -> list[Plan]:
    stmt = _plan_query().order_by(Plan.year.desc(), Plan.name)
    if published_only:
        stmt = stmt.where(Plan.published.is_(True))
    return list(db.session.scalars(stmt))


def has_published() -> bool:
    return db.session.scalar(select(Plan.id).where(Plan.published.is_(True)).limit(1)) is not None


def linked_summaries(plan: Plan) -> tuple[dict, dict]:
    """({event id: summary}, {topic id: summary}) for the events and topics the plan's actions
    answer that still exist (other capabilities' `event_summary` / `topic_summary` hooks)."""
    reg = registry.get()

    def summaries(hook: str, ids) -> dict:
        found = {i: reg.call(hook, i) for i in dict.fromkeys(ids)}
        return {i: s[0] for i, s in found.items() if s}

    return (
        summaries("event_summary", [i for a in plan.actions for i in a.event_ids]),
        summaries("topic_summary", [i for a in plan.actions for i in a.topic_ids]),
    )


def office_names() -> dict[str, str]:
    """code -> name of every catalog office (inactive ones too: old plans still read)."""
    return {o.code: o.name for o in catalogs.offices(include_inactive=True)}


def matcher() -> OfficeMatcher:
    return OfficeMatcher([(o.code, o.name, o.acronym) for o in catalogs.offices(include_inactive=True)])


def task_goal(task: PlanTask, year: int | None = None) -> float | None:
    """The goal progress is measured against: the task's target for `year` in a multi-year plan
    (None when that year has none), else the task's goal over the whole plan."""
    plan = task.action.plan
    if year is not None and plan.multi_year:
        return task.year_target(year)
    return task.goal


def task_summary(task: PlanTask, today: date, upto: int | None = None, year: int | None = None) -> dict:
    """Achieved value, progress, expected progress and status of a task, plus its value after each
    period (for the quarterly follow-up columns). With `year` (multi-year plans), everything is
    measured within that year against its target; `by_year` lists (year, target, achieved)."""
    plan = task.action.plan
    if year is not None and plan.multi_year:
        periods = plan.year_periods(year)
        goal = task.year_target(year)
        value = progress.achieved_in(task, periods)
        expected = progress.expected_in_year(task, plan.periods, year, today, goal)
    else:
        periods = list(range(1, plan.period_count + 1)) if not plan.multi_year else []
        goal = task.goal
        value = progress.achieved(task, upto)
        expected = progress.expected_progress(task.months, plan.year, today, plan.end_year)
    pct = progress.progress(goal, value)
    by_period = [progress.achieved(task, p) if _has_period_report(task, p) else None for p in periods]
    # (year, target, figure reached in that year): None for a year nobody has reported yet
    by_year = (
        [
            (
                y,
                task.year_target(y),
                progress.achieved_in(task, plan.year_periods(y))
                if any(_has_period_report(task, p) for p in plan.year_periods(y))
                else None,
            )
            for y in plan.years
        ]
        if plan.multi_year
        else []
    )
    latest: dict[str, PlanReport] = {}
    reviewed: dict[str, PlanReport] = {}
    for r in task.reports:  # ordered by period: the last one per office wins
        if periods and r.period not in periods and year is not None:
            continue
        if r.has_notes:
            latest[r.office_code] = r
            if r.review_state == "approved":
                reviewed[r.office_code] = r
    return {
        "task": task,
        "goal": goal,
        "achieved": value,
        "progress": pct,
        "expected": expected,
        "status": progress.status(pct, expected),
        "by_period": by_period,
        "periods": periods,
        "by_year": by_year,
        "width": progress.width_class(pct),
        "latest": list(latest.values()),
        "latest_public": list(reviewed.values()),
    }


def _has_period_report(task: PlanTask, period: int) -> bool:
    return any(r.period == period and r.value is not None for r in task.reports)


def plan_overview(
    plan: Plan, today: date | None = None, office: str | None = None, year: int | None = None
) -> dict:
    """Progress and status of the plan, each action and each task (see `progress` for the rules).
    With `office`, only the tasks that office reports (for the per-office report). With `year`
    (a year of a multi-year plan), measured within that year against its targets; otherwise over
    the whole plan."""
    today = today or time.today()
    if year is not None and (not plan.multi_year or year not in plan.years):
        year = None
    actions = []
    for action in plan.actions:
        tasks = [
            task_summary(t, today, year=year)
            for t in action.tasks
            if office is None or office in t.reporting_codes
        ]
        if office is not None and not tasks:
            continue
        value, status, expected = progress.combine(tasks)
        actions.append(
            {
                "action": action,
                "tasks": tasks,
                "progress": value,
                "status": status,
                "expected": expected,
                "width": progress.width_class(value),
            }
        )
    value, status, expected = progress.combine(actions)
    counts = {s: 0 for s in progress.STATUSES}
    for a in actions:
        for t in a["tasks"]:
            counts[t["status"]] += 1
    periods = (
        plan.year_periods(year)
        if year is not None
        else ([] if plan.multi_year else list(range(1, plan.period_count + 1)))
    )
    return {
        "plan": plan,
        "actions": actions,
        "progress": value,
        "status": status,
        "expected": expected,
        "width": progress.width_class(value),
        "counts": counts,
        "today": today,
        "year": year,
        "periods": periods,
        "current_period": current_period(plan, today),
    }


def actions_linked(kind: str, target_id: int) -> list[tuple[Plan, PlanAction]]:
    """Published plans' actions that answer event or topic `target_id` (kind 'event' or 'topic')."""
    attr = "event_ids" if kind == "event" else "topic_ids"
    out = []
    stmt = (
        select(PlanAction).join(Plan).where(Plan.published.is_(True)).options(selectinload(PlanAction.plan))
    )
    for action in db.session.scalars(stmt.order_by(Plan.year.desc(), PlanAction.position)):
        if target_id in (getattr(action, attr) or []):
            out.append((action.plan, action))
    return out


def search(query: str, limit: int = 20) -> list[tuple[Plan, PlanAction | None]]:
    """Published plans whose name or objective contain `query`, and actions whose title or whose
    tasks (description, indicator) contain it."""
    # NUL and control characters out (PostgreSQL refuses NUL); LIKE wildcards are literal text here
    query = single_line(query or "")[:100].replace("%", "").replace("_", "")
    if len(query) < 2:
        return []
    like = f"%{query}%"
    plans = db.session.scalars(
        select(Plan)
        .where(Plan.published.is_(True), or_(Plan.name.ilike(like), Plan.objective.ilike(like)))
        .limit(limit)
    )
    out: list[tuple[Plan, PlanAction | None]] = [(p, None) for p in plans]
    in_tasks = select(PlanTask.action_id).where(
        or_(PlanTask.description.ilike(like), PlanTask.indicator_name.ilike(like))
    )
    actions = db.session.scalars(
        select(PlanAction)
        .join(Plan)
        .where(Plan.published.is_(True), or_(PlanAction.title.ilike(like), PlanAction.id.in_(in_tasks)))
        .options(selectinload(PlanAction.plan))
        .order_by(PlanAction.id)
        .limit(limit)
    )
    out.extend((a.plan, a) for a in actions)
    return out[:limit]


def office_usage(kind: str, list_key: str | None, code: str) -> int:
    """Catalog usage checker: plans, participations, tasks and reports that use office `code`."""
    if kind != "office":
        return 0
    total = db.session.scalar(select(func.count()).select_from(Plan).where(Plan.owner_office == code)) or 0
    for model in (PlanOffice, PlanTaskOffice, PlanReport):
        total += (
            db.session.scalar(select(func.count()).select_from(model).where(model.office_code == code)) or 0
        )
    return total


# ---------------------------------------------------------------------------- follow-up cycle


def period_bounds(plan: Plan, period: int) -> tuple[date, date]:
    """First and last day of follow-up period `period` (1-based) of `plan`."""
    year, start, end = plan.period_span(period)
    return date(year, start, 1), date(year, end, calendar.monthrange(year, end)[1])


def task_in_period(task: PlanTask, plan: Plan, period: int) -> bool:
    """Does the task run in any month of the period?"""
    _year, start, end = plan.period_span(period)
    return any(start <= m <= end for m in (task.months or range(task.start_month, task.end_month + 1)))


def reported(task: PlanTask, period: int, office: str) -> bool:
    """Has the period been reported for this office: the task's shared figure exists for it, or
    the office sent a report (notes only) for it?"""
    if period in progress.period_figures(task):
        return True
    return any(r.period == period and r.office_code == office for r in task.reports)


@dataclass
class PendingTask:
    plan_id: int
    plan_name: str
    task_id: int
    action_number: int
    description: str
    indicator: str
    period: int
    period_label: str
    closes_on: date
    overdue: bool


@dataclass
class OfficeAgenda:
    office: str
    due: list[PendingTask] = field(default_factory=list)
    overdue: list[PendingTask] = field(default_factory=list)
    # (id, name, [(open period, its label)])
    plans: list[tuple[int, str, list[tuple[int, str]]]] = field(default_factory=list)


def _plans_with_tasks():
    return list(
        db.session.scalars(
            select(Plan)
            .options(
                selectinload(Plan.actions).selectinload(PlanAction.tasks).selectinload(PlanTask.offices),
                selectinload(Plan.actions).selectinload(PlanAction.tasks).selectinload(PlanTask.reports),
            )
            .order_by(Plan.year.desc(), Plan.name)
        )
    )


def office_agenda(office: str, today: date) -> OfficeAgenda:
    """What `office` must report: tasks of the period running today that it has not reported
    (due) and tasks of periods already closed left unreported (overdue). Tasks already done are
    left out."""
    agenda = OfficeAgenda(office)
    for plan in _plans_with_tasks():
        mine = [t for t in plan.tasks if office in t.reporting_codes]
        if not mine:
            continue
        opened = open_periods(plan, today)
        if plan.multi_year:  # the periods of the running year (earlier years stay reachable by URL)
            opened = [
                p for p in opened if plan.period_span(p)[0] >= min(today.year, plan.years[-1])
            ] or opened
        agenda.plans.append((plan.id, plan.name, [(p, plan.period_name(p)) for p in opened]))
        for task in mine:
            if progress.progress(task.goal, progress.achieved(task)) == 100:
                continue
            for period in range(1, plan.period_count + 1):
                first, last = period_bounds(plan, period)
                if first > today or not task_in_period(task, plan, period) or reported(task, period, office):
                    continue
                item = PendingTask(
                    plan.id,
                    plan.name,
                    task.id,
                    task.action.number,
                    task.description,
                    task.indicator_name,
                    period,
                    plan.period_name(period),
                    last,
                    last < today,
                )
                (agenda.overdue if item.overdue else agenda.due).append(item)
    agenda.overdue.sort(key=lambda t: (t.closes_on, t.plan_name, t.action_number))
    agenda.due.sort(key=lambda t: (t.closes_on, t.plan_name, t.action_number))
    return agenda


def closing_soon(today: date, days: int) -> list[tuple[Plan, int, dict[str, list[PlanTask]]]]:
    """Periods that close within `days` days from `today` (today included), with, per office,
    the tasks of that period it has not reported yet: [(plan, period, {office: [task…]})]."""
    out = []
    for plan in _plans_with_tasks():
        for period in range(1, plan.period_count + 1):
            first, last = period_bounds(plan, period)
            if not (first <= today <= last and (last - today).days <= days):
                continue
            pending: dict[str, list[PlanTask]] = {}
            for task in plan.tasks:
                if not task_in_period(task, plan, period):
                    continue
                for office in task.reporting_codes:
                    if not reported(task, period, office):
                        pending.setdefault(office, []).append(task)
            if pending:
                out.append((plan, period, pending))
    return out


def awaits_review(entry: PlanReport) -> bool:
    """Do the report's notes wait for review (neither approved nor returned since they changed)?"""
    return entry.has_notes and entry.review_state == "pending"


def pending_reviews(plan: Plan) -> list[PlanReport]:
    """Reports of the plan whose notes wait for review, oldest first."""
    return sorted(
        (r for t in plan.tasks for r in t.reports if awaits_review(r)),
        key=lambda r: (r.reported_at, r.id),
    )
