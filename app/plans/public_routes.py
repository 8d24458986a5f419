"""Public pages: /planes/ (published plans with their progress) and /planes/<id> (actions with
progress bars and status, tasks, follow-up by period, findings, linked events and topics)."""

from __future__ import annotations

from flask import abort, render_template

from app.core import registry
from app.plans import progress, public, services


@public.route("/")
def index():
    plans = services.list_plans(published_only=True)
    return render_template("plans/public/index.html", overviews=[services.plan_overview(p) for p in plans])


@public.route("/<int:plan_id>")
def detail(plan_id: int):
    plan = services.get_plan(plan_id, published_only=True)
    if plan is None:
        abort(404)
    reg = registry.get()
    events = {i: reg.call("event_summary", i) for a in plan.actions for i in a.event_ids}
    topics = {i: reg.call("topic_summary", i) for a in plan.actions for i in a.topic_ids}
    return render_template("plans/public/detail.html", plan=plan, overview=services.plan_overview(plan),
                           names=services.office_names(), label=progress.period_label,
                           events={k: v[0] for k, v in events.items() if v},
                           topics={k: v[0] for k, v in topics.items() if v})
