"""The progress and status rules (pure functions) and the plan overview under a frozen clock."""

from datetime import date, datetime

import pytest

from app.core import time
from app.plans import progress, queries
from tests.plans.conftest import task_by


def test_expected_progress_counts_elapsed_months_and_the_fraction_of_the_current_one():
    months = list(range(3, 10))  # March to September: 7 months
    assert progress.expected_progress(months, 2026, date(2026, 2, 28)) == 0
    assert progress.expected_progress(months, 2026, date(2026, 6, 15)) == 50.0  # 3 + 15/30 of 7
    assert progress.expected_progress(months, 2026, date(2026, 10, 1)) == 100
    assert progress.expected_progress(months, 2025, date(2026, 1, 2)) == 100  # past year
    assert progress.expected_progress([1, 5, 9], 2026, date(2026, 6, 1)) == pytest.approx(66.7)


@pytest.mark.parametrize(
    "pct, expected, status",
    [
        (None, 50, "no_goal"),
        (100, 10, "done"),
        (99, 100, "late"),
        (30, 50, "at_risk"),  # 20 points behind, more than the 15-point margin
        (36, 50, "on_track"),  # 14 points behind
        (0, 0, "on_track"),  # nothing expected yet
        (80, 40, "on_track"),  # ahead
    ],
)
def test_status_rule(pct, expected, status):
    assert progress.status(pct, expected) == status


def test_progress_caps_at_100_and_needs_a_goal():
    assert progress.progress(2, 1) == 50
    assert progress.progress(2, 5) == 100
    assert progress.progress(100, None) == 0
    assert progress.progress(None, 3) is None


def test_width_classes_in_steps_of_five():
    assert [progress.width_class(v) for v in (None, 0, 2, 3, 47.5, 99, 100)] == [
        "w-0",
        "w-0",
        "w-0",
        "w-5",
        "w-50",
        "w-100",
        "w-100",
    ]


def test_period_labels_and_start():
    periods = [[1, 4], [5, 8], [9, 12]]
    assert [progress.period_label(i) for i in (1, 2, 3, 4)] == ["I", "II", "III", "IV"]
    assert progress.period_of_month(periods, 6) == 2
    assert progress.period_started(periods, 2026, 2, date(2026, 5, 1))
    assert not progress.period_started(periods, 2026, 3, date(2026, 8, 31))


def test_overview_statuses_before_any_report(medellin_plan, may_2026):
    overview = queries.plan_overview(medellin_plan)
    assert overview["today"] == date(2026, 5, 15)
    by_number = {a["action"].number: a for a in overview["actions"]}
    assert by_number[1]["status"] == "late"  # January–March, nothing reported
    assert by_number[3]["status"] == "at_risk"  # March–September, 35 % of the time gone, 0 % done
    assert by_number[4]["status"] == "on_track"  # July–December: not started
    assert overview["counts"]["late"] == 2 and overview["progress"] == 0
    assert overview["current_period"] == 2


def test_status_moves_with_the_clock(medellin_plan):
    task = task_by(medellin_plan, "Estandarización de formato")  # March–June
    with time.freeze(datetime(2026, 3, 2, 15)):
        assert queries.task_summary(task, time.today())["status"] == "on_track"
    with time.freeze(datetime(2026, 4, 20, 15)):
        assert queries.task_summary(task, time.today())["status"] == "at_risk"
    with time.freeze(datetime(2026, 7, 1, 15)):
        assert queries.task_summary(task, time.today())["status"] == "late"


def test_a_plan_and_every_task_target_load_in_a_fixed_number_of_statements(medellin_plan, db):
    """A plan page reads each task's yearly targets: loaded with the plan, never one query per task."""
    from sqlalchemy import event as sa_event

    from app.plans import queries

    plan_id = medellin_plan.id
    db.session.expunge_all()
    seen = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", listen)
    try:
        plan = queries.get_plan(plan_id)
        tasks = [t for a in plan.actions for t in a.tasks]
        loaded = len(seen)
        for task in tasks:
            list(task.targets)
        assert len(tasks) > 10 and len(seen) == loaded  # no statement per task
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listen)
