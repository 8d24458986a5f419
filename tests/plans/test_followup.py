"""A follow-up round: offices report, progress and status change; refused reports; findings."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.plans import commands, queries, rules
from app.plans.models import PlanFinding, PlanReport
from tests.plans.conftest import task_by


def _status(task):
    from app.core import time

    return queries.task_summary(task, time.today())


def test_a_follow_up_round_changes_progress_and_status(medellin_plan, may_2026, db):
    plan = medellin_plan
    leader = task_by(plan, "Convocatoria en el 1er trimestre")  # % goal 100, DAP, Jan–Mar
    formats = task_by(plan, "Cualificación de formatos")  # % goal 100, DAP + SGHSC, Mar–Sep
    meetings = task_by(plan, "Generación de espacios de evaluación")  # number goal 2, DAP, Mar–Sep
    before = {t.id: _status(t) for t in (leader, formats, meetings)}
    assert [before[t.id]["status"] for t in (leader, formats, meetings)] == ["late", "at_risk", "at_risk"]

    commands.report(
        leader,
        1,
        "DAP",
        value=100,
        progress_text="Equipo conformado por resolución.",
        evidence=["https://www.medellin.gov.co/resolucion.pdf"],
    )
    commands.report(formats, 1, "DAP", value=40, progress_text="Revisados 4 de 10 formatos.")
    commands.report(formats, 2, "SGHSC", value=30, difficulties="Cambio de contratista.")
    commands.report(meetings, 2, "DAP", value=1, progress_text="Primera reunión con el Comité Territorial.")
    db.session.expire_all()
    plan = queries.get_plan(plan.id)
    leader, formats, meetings = (
        task_by(plan, s) for s in ("Convocatoria en", "Cualificación de formatos", "Generación de espacios")
    )
    after = {t.id: _status(t) for t in (leader, formats, meetings)}
    assert (after[leader.id]["progress"], after[leader.id]["status"]) == (100, "done")
    # two co-responsible offices report one shared figure: 40 in I (DAP), 30 in II (SGHSC), no mean
    assert (after[formats.id]["achieved"], after[formats.id]["progress"], after[formats.id]["status"]) == (
        30,
        30,
        "on_track",
    )
    assert after[formats.id]["by_period"] == [40.0, 30.0, None, None]
    # number: 1 of 2 meetings
    assert (after[meetings.id]["progress"], after[meetings.id]["status"]) == (50, "on_track")
    overview = queries.plan_overview(plan)
    action_3 = next(a for a in overview["actions"] if a["action"].number == 3)
    assert action_3["progress"] == pytest.approx((0 + 30 + 0 + 0 + 50) / 5)
    assert overview["actions"][0]["status"] == "done"
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "plan_reported")
        )
        == 4
    )


def test_a_correction_replaces_the_office_report_for_that_period(medellin_plan, may_2026, db):
    task = task_by(medellin_plan, "Convocatoria en el 1er trimestre")
    commands.report(task, 1, "DAP", value=50)
    commands.report(task, 1, "DAP", value=80, progress_text="Corregido")
    assert db.session.scalar(select(func.count()).select_from(PlanReport)) == 1
    assert _status(task)["achieved"] == 80


def test_cumulative_values_take_the_latest_and_per_period_values_add_up(medellin_plan, may_2026):
    task = task_by(medellin_plan, "Generación de espacios de evaluación")  # goal 2 meetings
    commands.report(task, 1, "DAP", value=1)
    commands.report(task, 2, "DAP", value=1)
    assert _status(task)["progress"] == 50  # cumulative: "1 meeting so far" twice is still one
    commands.save_task(
        task.action,
        task,
        {
            "description": task.description,
            "offices": ["DAP"],
            "start_month": 3,
            "end_month": 9,
            "months": [],
            "deliverable": "",
            "indicator_name": task.indicator_name,
            "indicator_formula": "",
            "unit": "number",
            "goal": 2.0,
            "accumulation": "per_period",
            "observations": "",
        },
    )
    assert _status(task)["progress"] == 100 and _status(task)["status"] == "done"


def test_refused_reports_write_nothing(medellin_plan, may_2026, db, make_user):
    task = task_by(medellin_plan, "Cualificación de formatos")
    with pytest.raises(rules.PlanError, match="todavía no ha empezado"):
        commands.report(task, 3, "DAP", value=10)
    with pytest.raises(rules.PlanError, match="no es responsable"):
        commands.report(task, 1, "SCOM", value=10)
    with pytest.raises(rules.PlanError, match="no puede pasar de 100"):
        commands.report(task, 1, "DAP", value=140)
    with pytest.raises(rules.PlanError, match="negativo"):
        commands.report(task, 1, "DAP", value=-1)
    with pytest.raises(rules.PlanError, match="valor del indicador o el avance"):
        commands.report(task, 1, "DAP", value=None)
    other = make_user("editor", email="comunicaciones@prueba.gov.co", offices=("SCOM",))
    with pytest.raises(rules.PlanError, match="Solo las personas"):
        commands.report(task, 1, "DAP", value=10, user=other)
    mine = make_user("editor", email="humana@prueba.gov.co", offices=("SGHSC",))
    commands.report(task, 1, "SGHSC", value=10, user=mine)
    assert [(r.office_code, r.reported_by) for r in db.session.scalars(select(PlanReport))] == [
        ("SGHSC", "humana@prueba.gov.co")
    ]


@pytest.mark.parametrize(
    "text, ok",
    [
        ("https://www.medellin.gov.co/a.pdf\nhttp://intranet/informe", True),
        ("javascript:alert(1)", False),
        ("www.sin-esquema.gov.co", False),
        ("\n".join(f"https://e.gov.co/{i}" for i in range(11)), False),
    ],
)
def test_evidence_links(text, ok):
    if ok:
        assert len(rules.parse_evidence(text)) == 2
    else:
        with pytest.raises(rules.PlanError):
            rules.parse_evidence(text)


def test_finding_triggers_an_improvement_action_followed_like_any_other(medellin_plan, may_2026, db):
    plan = medellin_plan
    late = task_by(plan, "Convocatoria en el 1er trimestre")
    finding = commands.add_finding(
        plan,
        "El equipo líder no se conformó en el primer trimestre.",
        found_on=date(2026, 4, 10),
        task=late,
        period=1,
        improvement={
            "title": "Conformar el equipo líder con acto administrativo",
            "description": "Expedir la resolución del equipo líder.",
            "offices": ["DAP"],
            "start_month": 5,
            "end_month": 6,
            "indicator_name": "Resolución expedida",
            "unit": "number",
            "goal": 1.0,
        },
    )
    plan = queries.get_plan(plan.id)
    action = plan.actions[-1]
    assert finding.action_id == action.id and action.number == 10 and action.finding.id == finding.id
    new_task = action.tasks[0]
    assert (new_task.months, new_task.office_codes, new_task.goal) == ([5, 6], ["DAP"], 1.0)
    assert _status(new_task)["expected"] == pytest.approx(24.2) and _status(new_task)["status"] == "at_risk"
    commands.report(new_task, 2, "DAP", value=1, progress_text="Resolución 123 de 2026.")
    assert _status(new_task)["status"] == "done"


def test_bad_improvement_action_leaves_no_finding(medellin_plan, db):
    with pytest.raises(rules.PlanError):
        commands.add_finding(
            medellin_plan,
            "Hallazgo",
            found_on=date(2026, 4, 10),
            improvement={
                "title": "X",
                "description": "Y",
                "offices": ["NOPE"],
                "start_month": 5,
                "end_month": 6,
                "indicator_name": "Z",
                "unit": "number",
                "goal": 1.0,
            },
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PlanFinding)) == 0
    assert len(queries.get_plan(medellin_plan.id).actions) == 9


def test_periods_can_be_four_month_cycles(medellin_plan, may_2026):
    plan = medellin_plan
    data = {
        "name": plan.name,
        "year": 2026,
        "kind": "improvement",
        "owner_office": "DAP",
        "offices": ["DAP"],
        "objective": "",
        "scope": "",
        "periods": "1-4, 5-8, 9-12",
        "analysis": "",
    }
    commands.save_plan(plan, data)
    assert plan.periods == [[1, 4], [5, 8], [9, 12]]
    assert rules.open_periods(plan) == [1, 2]
    with pytest.raises(rules.PlanError, match="orden"):
        rules.parse_periods("5-8, 1-4")
    with pytest.raises(rules.PlanError):
        rules.parse_periods("0-13")


def test_one_urna_virtual_reported_by_two_co_responsible_offices_counts_once_against_a_goal_of_one(
    medellin_plan, may_2026, db
):
    from app.core import time

    task = task_by(medellin_plan, "Generación de espacios de evaluación")
    commands.save_task(
        task.action,
        task,
        {
            "description": "Urna virtual",
            "offices": ["DAP", "SGHSC"],
            "start_month": 3,
            "end_month": 9,
            "months": [],
            "deliverable": "",
            "indicator_name": "Urnas virtuales",
            "indicator_formula": "",
            "unit": "number",
            "goal": 1.0,
            "accumulation": "cumulative",
            "observations": "",
        },
    )
    commands.report(task, 1, "DAP", value=1, progress_text="Urna virtual en funcionamiento.")
    with time.freeze(time.now() + timedelta(minutes=5)):
        commands.report(
            task, 1, "SGHSC", value=1, progress_text="La misma urna, reportada por la otra dependencia."
        )
    db.session.expire_all()
    summary = _status(task)
    assert (summary["achieved"], summary["progress"], summary["status"]) == (1, 100, "done")
    with time.freeze(time.now() + timedelta(minutes=10)):
        commands.report(task, 2, "DAP", value=1)  # cumulative: still the one urna
    db.session.expire_all()
    assert _status(task)["achieved"] == 1
