"""The demo step imports Medellín's table and adds follow-up for quarters I and II."""

from datetime import datetime

from sqlalchemy import func, select

from app.core import time
from app.plans import demo, queries
from app.plans.models import Plan, PlanFinding, PlanReport


def test_demo_step_imports_publishes_and_follows_up(app, db, catalogs):
    with time.freeze(datetime(2026, 11, 21, 15, 0)), app.test_request_context():
        demo.run()
        demo.run()  # idempotent
        plan = db.session.scalar(select(Plan))
        assert db.session.scalar(select(func.count()).select_from(Plan)) == 1
        assert plan.published and plan.year == 2026 and len(plan.actions) == 10  # 9 + the improvement action
        periods = set(db.session.scalars(select(PlanReport.period)))
        assert periods == {1, 2}
        finding = db.session.scalar(select(PlanFinding))
        assert finding.action is not None and finding.action.number == 10
        overview = queries.plan_overview(plan)
        statuses = {t["status"] for a in overview["actions"] for t in a["tasks"]}
        assert {"done", "late"} <= statuses and 0 < overview["progress"] < 100


def test_demo_year_leaves_two_quarters_behind():
    from datetime import date

    assert demo.demo_year(date(2026, 11, 21)) == 2026
    assert demo.demo_year(date(2027, 3, 1)) == 2026
