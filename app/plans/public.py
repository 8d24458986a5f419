"""Public pages: /planes/ (published plans with their progress) and /planes/<id> (actions with
progress bars and status, tasks, follow-up by period, findings, linked events and topics)."""

from __future__ import annotations

from flask import abort, render_template, request

from app.plans import progress, queries


def index():
    plans = queries.list_plans(published_only=True)
    return render_template("plans/public/index.html", overviews=[queries.plan_overview(p) for p in plans])


def detail(plan_id: int):
    plan = queries.get_plan(plan_id, published_only=True)
    if plan is None:
        abort(404)
    events, topics = queries.linked_summaries(plan)
    asked = request.args.get("anio", "")
    year = int(asked) if asked.isdigit() and len(asked) == 4 else None
    return render_template(
        "plans/public/detail.html",
        plan=plan,
        overview=queries.plan_overview(plan, year=year),
        names=queries.office_names(),
        label=plan.period_name,
        roman=progress.period_label,
        events=events,
        topics=topics,
    )
