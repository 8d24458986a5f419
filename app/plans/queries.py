"""Reads for the follow-up cycle: an office's pending tasks ("Mis tareas"), periods about to close
(reminders) and notes waiting for review. Plain data out; nothing here writes."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.plans import progress, services
from app.plans.models import Plan, PlanAction, PlanReport, PlanTask


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
        opened = services.open_periods(plan, today)
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


def pending_reviews(plan: Plan) -> list[PlanReport]:
    """Reports of the plan whose notes wait for review, oldest first."""
    return sorted(
        (r for t in plan.tasks for r in t.reports if r.has_notes and r.review_state == "pending"),
        key=lambda r: (r.reported_at, r.id),
    )
