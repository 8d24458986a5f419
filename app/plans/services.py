"""Plan rules: import, editing, follow-up reports, findings, progress overviews and hooks' queries.

Every function that changes data commits the whole change or nothing (`PlanError` is raised
before anything is written, and unexpected failures roll back).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.catalogs import queries as catalogs
from app.catalogs.models import Office
from app.core import audit, registry, time
from app.core.auth import may
from app.core.text import single_line
from app.extensions import db
from app.plans import importer, progress
from app.plans.models import (
    QUARTERS,
    Plan,
    PlanAction,
    PlanFinding,
    PlanOffice,
    PlanReport,
    PlanTask,
    PlanTaskOffice,
    PlanTaskTarget,
)
from app.plans.offices import OfficeMatcher, propose_code

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


# ---------------------------------------------------------------------------- reading


def _plan_query():
    return select(Plan).options(
        selectinload(Plan.offices),
        selectinload(Plan.findings),
        selectinload(Plan.actions).selectinload(PlanAction.tasks).selectinload(PlanTask.offices),
        selectinload(Plan.actions).selectinload(PlanAction.tasks).selectinload(PlanTask.reports),
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


# ---------------------------------------------------------------------------- progress


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


# ---------------------------------------------------------------------------- permissions


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


# ---------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    parsed: importer.ParsedPlan
    plan: Plan | None = None
    created_offices: list[tuple[str, str]] = field(default_factory=list)
    proposals: dict[str, str] = field(default_factory=dict)  # unknown office name -> proposed code

    @property
    def ok(self) -> bool:
        return not self.parsed.errors


def import_plan(
    data: bytes,
    *,
    filename: str = "",
    name: str | None = None,
    year: int | None = None,
    owner: str | None = None,
    create_offices=(),
    publish: bool = False,
    dry_run: bool = False,
    actor=None,
) -> ImportResult:
    """Read a plan table (see `importer`) and, unless `dry_run` or any error, save it whole.

    Unknown offices are reported in `result.parsed.unknown_offices`; the names listed in
    `create_offices` (confirmed by the person) become new catalog offices in the same
    transaction, with the code in `result.proposals`. Tasks keep the original responsible text
    either way.
    """
    try:
        rows = importer.read_rows(data)
    except importer.ImportFileError as exc:
        parsed = importer.ParsedPlan()
        parsed.error(0, str(exc))
        return ImportResult(parsed)
    parsed = importer.parse(rows, matcher())
    names = office_names()
    if name:
        parsed.name = name.strip()[:255]
    if year and parsed.end_year and year != parsed.year:
        parsed.error(
            0,
            _(
                "El archivo es un plan de %(first)s a %(last)s: deja el año en blanco o escribe %(first)s.",
                first=parsed.year,
                last=parsed.end_year,
            ),
        )
    elif year:
        parsed.year = year
    if parsed.end_year and parsed.year and parsed.end_year - parsed.year > 20:
        parsed.error(0, _("Un plan puede durar hasta 20 años."))
    plan_years = range(parsed.year or 0, (parsed.end_year or parsed.year or 0) + 1)
    for parsed_action in parsed.actions:
        for pt in parsed_action.tasks:
            outside = sorted({y for y, _p in pt.targets} | set(pt.yearly_follow_up)) if parsed.year else []
            outside = [y for y in outside if y not in plan_years]
            if outside:
                parsed.error(
                    pt.line,
                    _(
                        "La fila trae metas o avances de %(years)s, fuera de los años del plan.",
                        years=", ".join(str(y) for y in outside),
                    ),
                )
    if owner:
        if owner not in names:
            parsed.error(0, _("La dependencia responsable «%(code)s» no está en el catálogo.", code=owner))
        parsed.owner_code = owner
    if not parsed.name:
        parsed.error(0, _("El archivo no dice el nombre del plan: escríbelo."))
    if not parsed.year or not 2000 <= parsed.year <= 2100:
        parsed.error(0, _("El archivo no dice el año del plan: escríbelo."))
    if (
        not parsed.owner_code
        and parsed.owner_unknown
        and (dry_run or parsed.owner_unknown in set(create_offices))
    ):
        parsed.warn(
            0,
            _(
                "El plan es de «%(name)s», que no está en el catálogo: márcala para crearla al importar, "
                "o vuelve y elige la dependencia responsable.",
                name=parsed.owner_unknown,
            ),
        )
    elif not parsed.owner_code and parsed.owner_unknown:
        parsed.error(
            0,
            _(
                "El plan es de «%(name)s», que no está en el catálogo: créala al importar o elige la "
                "dependencia responsable.",
                name=parsed.owner_unknown,
            ),
        )
    elif not parsed.owner_code:
        parsed.error(0, _("No pudimos saber qué dependencia es responsable del plan: elígela."))
    if (
        parsed.name
        and parsed.year
        and db.session.scalar(select(Plan.id).where(Plan.name == parsed.name, Plan.year == parsed.year))
    ):
        parsed.error(0, _("Ya existe un plan «%(name)s» de %(year)s.", name=parsed.name, year=parsed.year))
    taken = set(names)
    proposals = {}
    for unknown in parsed.unknown_offices:
        proposals[unknown] = propose_code(unknown, taken)
        taken.add(proposals[unknown])
    result = ImportResult(parsed, proposals=proposals)
    if dry_run or parsed.errors:
        return result
    try:
        _save_import(parsed, result, set(create_offices), filename, publish, actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def _save_import(parsed, result, create, filename, publish, actor) -> None:
    new_codes = {}
    position = (db.session.scalar(select(func.max(Office.position))) or 0) + 1
    for unknown_name in parsed.unknown_offices:
        if unknown_name in create:
            code = result.proposals[unknown_name]
            db.session.add(Office(code=code, name=unknown_name[:255], position=position, customized=True))
            position += 1
            new_codes[unknown_name] = code
            result.created_offices.append((code, unknown_name))
            audit.record(
                "catalog_changed",
                target=f"office:{code}",
                details={"change": "added", "by": "plan import"},
                actor=actor,
                commit=False,
            )
    owner = parsed.owner_code or new_codes[parsed.owner_unknown]
    plan = Plan(
        name=parsed.name,
        year=parsed.year,
        end_year=parsed.end_year,
        kind=parsed.kind,
        owner_office=owner,
        owner_office_text=parsed.owner_text[:500],
        objective=parsed.objective,
        scope=parsed.scope,
        process=parsed.process[:255],
        subprocess=parsed.subprocess[:255],
        plan_date=parsed.plan_date,
        entity_name=parsed.entity_name,
        entity_nit=parsed.entity_nit,
        document_code=parsed.document_code,
        document_version=parsed.document_version[:20],
        approved_on=parsed.approved_on,
        periods=[list(p) for p in QUARTERS],
        published=publish,
        source=(filename or "")[:255],
    )
    plan.offices = _office_rows([], parsed.participating_codes, PlanOffice)
    for a_pos, parsed_action in enumerate(parsed.actions):
        action = PlanAction(number=parsed_action.number, title=parsed_action.title, position=a_pos)
        plan.actions.append(action)
        for t_pos, pt in enumerate(parsed_action.tasks):
            codes = list(pt.codes) + [new_codes[n] for n in pt.unknown if n in new_codes]
            task = PlanTask(
                description=pt.description,
                responsible_text=pt.responsible_text,
                start_month=pt.start_month,
                end_month=pt.end_month,
                months=pt.months,
                deliverable=pt.deliverable,
                indicator_name=pt.indicator_name,
                indicator_formula=pt.indicator_formula,
                unit=pt.unit,
                goal=pt.goal,
                observations=pt.observations,
                position=t_pos,
                accumulation=pt.accumulation,
            )
            task.offices = _office_rows([], codes, PlanTaskOffice)
            task.targets = [
                PlanTaskTarget(year=y, period=p, goal=g) for (y, p), g in sorted(pt.targets.items())
            ]
            if task.goal is None and task.targets:
                task.goal = plan_goal_from_targets(task)
            action.tasks.append(task)
            reporter = codes[0] if codes else plan.owner_office
            for year, value in sorted(pt.yearly_follow_up.items()):
                if year in plan.years:  # a year's figure is the state after its last period
                    period = plan.year_periods(year)[-1]
                    task.reports.append(
                        PlanReport(
                            period=period,
                            office_code=reporter,
                            value=value,
                            progress_text=_("Importado de la hoja de cálculo."),
                            reported_by=_actor_name(actor),
                            review_state="approved",
                        )
                    )
            for period, value in pt.follow_up.items():
                if period <= plan.period_count:
                    task.reports.append(
                        PlanReport(
                            period=period,
                            office_code=reporter,
                            value=value,
                            progress_text=_("Importado de la hoja de cálculo."),
                            reported_by=_actor_name(actor),
                            review_state="approved",
                        )
                    )
    db.session.add(plan)
    db.session.flush()
    result.plan = plan
    audit.record(
        "plan_imported",
        target=f"plan:{plan.id}",
        details={
            "file": filename,
            "actions": len(parsed.actions),
            "tasks": parsed.task_count,
            "warnings": len(parsed.warnings),
            "created_offices": [c for c, _n in result.created_offices],
        },
        actor=actor,
        commit=False,
    )


def _office_rows(current, codes, model) -> list:
    """Office rows (`PlanOffice` / `PlanTaskOffice`) for `codes` in order, without repeats, reusing
    the `current` rows and renumbering their positions."""
    existing = {o.office_code: o for o in current}
    rows = [existing.get(c) or model(office_code=c) for c in dict.fromkeys(codes)]
    for position, row in enumerate(rows):
        row.position = position
    return rows


def _actor_name(actor) -> str:
    if actor is None:
        return ""
    return actor if isinstance(actor, str) else (getattr(actor, "email", "") or "")


# ---------------------------------------------------------------------------- editing


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


def save_plan(plan: Plan | None, data: dict, actor=None) -> Plan:
    """Create or update a plan's general data (name, year, owner, objective, scope, participating
    offices, periods, annual analysis)."""
    names = office_names()
    if data["owner_office"] not in names:
        raise PlanError(_("Elige una dependencia del catálogo."), "owner_office")
    unknown = [c for c in data.get("offices", []) if c not in names]
    if unknown:
        raise PlanError(_("Elige dependencias del catálogo."), "offices")
    periods = (
        parse_periods(data["periods"])
        if isinstance(data.get("periods"), str)
        else (data.get("periods") or QUARTERS)
    )
    duplicate = select(Plan.id).where(Plan.name == data["name"], Plan.year == data["year"])
    if plan is not None:
        duplicate = duplicate.where(Plan.id != plan.id)
    if db.session.scalar(duplicate):
        raise PlanError(_("Ya existe un plan con ese nombre para ese año."), "name")
    end_year = data.get("end_year") or None
    if end_year is not None and end_year < data["year"]:
        raise PlanError(_("El último año no puede ser anterior al primero."), "end_year")
    if end_year is not None and end_year - data["year"] > 20:
        raise PlanError(_("Un plan puede durar hasta 20 años."), "end_year")
    if end_year == data["year"]:
        end_year = None
    years = (end_year or data["year"]) - data["year"] + 1
    if plan is not None and (
        periods != plan.periods or data["year"] != plan.year or end_year != plan.end_year
    ):
        used = db.session.scalar(
            select(func.max(PlanReport.period))
            .join(PlanTask)
            .join(PlanAction)
            .where(PlanAction.plan_id == plan.id)
        )
        if used and (
            used > len(periods) * years
            or (plan.multi_year and (periods != plan.periods or data["year"] != plan.year))
        ):
            raise PlanError(
                _(
                    "Ya hay reportes del periodo %(n)s; no puedes dejar menos periodos.",
                    n=plan.period_name(used),
                ),
                "periods",
            )
    creating = plan is None
    if creating:
        plan = Plan()
        db.session.add(plan)
    for key in (
        "name",
        "name_en",
        "year",
        "kind",
        "owner_office",
        "objective",
        "scope",
        "analysis",
        *METADATA,
    ):
        if key in data:
            setattr(plan, key, data[key])
    plan.periods = [list(p) for p in periods]
    plan.end_year = end_year
    plan.offices = _office_rows(plan.offices, data.get("offices", []), PlanOffice)
    db.session.flush()
    audit.record(
        "plan_created" if creating else "plan_changed", target=f"plan:{plan.id}", actor=actor, commit=False
    )
    db.session.commit()
    return plan


def set_published(plan: Plan, published: bool, actor=None) -> None:
    plan.published = published
    audit.record(
        "plan_published" if published else "plan_unpublished",
        target=f"plan:{plan.id}",
        actor=actor,
        commit=False,
    )
    db.session.commit()


def save_action(plan: Plan, action: PlanAction | None, data: dict, actor=None) -> PlanAction:
    """Create or update an action: number, title and the events/topics it answers."""
    clash = [a for a in plan.actions if a.number == data["number"] and a is not action]
    if clash:
        raise PlanError(_("Ya hay una acción con el número %(n)s en este plan.", n=data["number"]), "number")
    if action is None:
        action = PlanAction(position=len(plan.actions))
        plan.actions.append(action)
    action.number, action.title = data["number"], data["title"]
    if "title_en" in data:
        action.title_en = data["title_en"] or ""
    action.event_ids = sorted({int(i) for i in data.get("event_ids", [])})
    action.topic_ids = sorted({int(i) for i in data.get("topic_ids", [])})
    db.session.flush()
    audit.record(
        "plan_changed", target=f"plan:{plan.id}", details={"action": action.id}, actor=actor, commit=False
    )
    db.session.commit()
    return action


def save_task(action: PlanAction, task: PlanTask | None, data: dict, actor=None) -> PlanTask:
    """Create or update a task. Months it runs default to start…end; a percentage goal is ≤ 100."""
    names = office_names()
    if not data.get("offices") or any(c not in names for c in data["offices"]):
        raise PlanError(_("Elige al menos una dependencia responsable del catálogo."), "offices")
    start, end = data["start_month"], data["end_month"]
    if end < start:
        raise PlanError(_("El mes de terminación no puede ser anterior al de inicio."), "end_month")
    months = sorted(set(data.get("months") or range(start, end + 1)))
    if months[0] < start or months[-1] > end:
        raise PlanError(
            _("Los meses en que corre la tarea deben estar entre el inicio y la terminación."), "months"
        )
    goal = data.get("goal")
    if goal is not None and goal <= 0:
        raise PlanError(_("La meta debe ser mayor que cero."), "goal")
    if goal is not None and data["unit"] == "percentage" and goal > 100:
        raise PlanError(_("Una meta en porcentaje no puede pasar de 100."), "goal")
    accumulation = data.get("accumulation", "cumulative")
    if data["unit"] == "percentage":
        accumulation = "cumulative"
    if task is not None and task.reports:
        orphan = {r.office_code for r in task.reports} - set(data["offices"])
        if orphan:
            raise PlanError(
                _(
                    "%(offices)s ya reportó esta tarea; no puedes quitarla de los responsables.",
                    offices=", ".join(names.get(c, c) for c in sorted(orphan)),
                ),
                "offices",
            )
    plan = action.plan
    targets = None
    if "targets" in data:
        targets = parse_targets(data["targets"], plan.years, len(plan.periods)) if plan.multi_year else []
        for _y, _p, value in targets:
            if data["unit"] == "percentage" and value > 100:
                raise PlanError(_("Una meta en porcentaje no puede pasar de 100."), "yearly_targets")
    if task is None:
        task = PlanTask(position=len(action.tasks))
        action.tasks.append(task)
    for key in ("description", "deliverable", "indicator_name", "indicator_formula", "unit", "observations"):
        setattr(task, key, data.get(key, ""))
    task.responsible_text = task.responsible_text or "; ".join(names[c] for c in data["offices"])[:1000]
    task.start_month, task.end_month, task.months, task.goal = start, end, months, goal
    task.accumulation = accumulation
    task.offices = _office_rows(task.offices, data["offices"], PlanTaskOffice)
    if targets is not None:
        _set_targets(task, targets)
        if goal is None and targets:
            task.goal = plan_goal_from_targets(task)
    db.session.flush()
    audit.record(
        "plan_changed", target=f"plan:{action.plan_id}", details={"task": task.id}, actor=actor, commit=False
    )
    db.session.commit()
    return task


def _set_targets(task: PlanTask, targets: list[tuple[int, int, float]]) -> None:
    current = {(t.year, t.period): t for t in task.targets}
    wanted = {(y, p): g for y, p, g in targets}
    for key, row in current.items():
        if key not in wanted:
            task.targets.remove(row)
    for (year, period), goal in wanted.items():
        if (year, period) in current:
            current[(year, period)].goal = goal
        else:
            task.targets.append(PlanTaskTarget(year=year, period=period, goal=goal))


def delete_task(task: PlanTask, actor=None) -> None:
    """Delete a task that has no reports (a reported task is history: edit it instead)."""
    if task.reports:
        raise PlanError(_("Esta tarea ya tiene reportes de seguimiento; no se puede borrar."))
    plan_id = task.action.plan_id
    db.session.delete(task)
    audit.record(
        "plan_changed", target=f"plan:{plan_id}", details={"deleted_task": task.id}, actor=actor, commit=False
    )
    db.session.commit()


def delete_action(action: PlanAction, actor=None) -> None:
    """Delete an action whose tasks have no reports."""
    if any(t.reports for t in action.tasks):
        raise PlanError(_("Esta acción tiene tareas con reportes de seguimiento; no se puede borrar."))
    plan_id = action.plan_id
    db.session.delete(action)
    audit.record(
        "plan_changed",
        target=f"plan:{plan_id}",
        details={"deleted_action": action.id},
        actor=actor,
        commit=False,
    )
    db.session.commit()


# ---------------------------------------------------------------------------- follow-up


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


def report(
    task: PlanTask,
    period: int,
    office_code: str,
    *,
    value: float | None,
    progress_text: str = "",
    difficulties: str = "",
    evidence: list[str] | None = None,
    user=None,
    today: date | None = None,
) -> PlanReport:
    """Record (or correct) what `office_code` reports for `task` in `period`.

    Refused: an office that is not responsible for the task, a user who does not manage that
    office, a period that has not begun, a negative value, a percentage over 100. `value` is the
    cumulative achievement to date unless the task counts per period (see `progress`).
    """
    plan = task.action.plan
    today = today or time.today()
    if office_code not in task.reporting_codes:
        raise PlanError(_("Esa dependencia no es responsable de esta tarea."), "office")
    if user is not None and not can_report(user, task, office_code):
        raise PlanError(
            _("Solo las personas que editan contenidos de esa dependencia pueden reportar por ella."),
            "office",
        )
    if not 1 <= period <= plan.period_count:
        raise PlanError(_("Ese periodo no existe en este plan."), "period")
    if not period_started(plan, period, today):
        raise PlanError(
            _(
                "El periodo %(p)s todavía no ha empezado; solo se reportan periodos en curso o pasados.",
                p=plan.period_name(period),
            ),
            "period",
        )
    if value is not None and value < 0:
        raise PlanError(_("El valor no puede ser negativo."), "value")
    if value is not None and task.unit == "percentage" and value > 100:
        raise PlanError(_("Un porcentaje no puede pasar de 100."), "value")
    if value is None and not progress_text:
        raise PlanError(_("Escribe el valor del indicador o el avance cualitativo."), "value")
    entry = db.session.scalar(
        select(PlanReport).where(
            PlanReport.task_id == task.id, PlanReport.period == period, PlanReport.office_code == office_code
        )
    )
    changed = entry is not None
    if entry is None:
        entry = PlanReport(task=task, period=period, office_code=office_code)
        db.session.add(entry)
    store_report(
        entry,
        value=value,
        progress_text=progress_text,
        difficulties=difficulties,
        evidence=list(evidence or []),
        actor=user,
    )
    db.session.flush()
    audit.record(
        "plan_report_changed" if changed else "plan_reported",
        target=f"plan:{plan.id}",
        details={"task": task.id, "period": period, "office": office_code, "value": value},
        actor=user,
        commit=False,
    )
    db.session.commit()
    return entry


def store_report(
    entry: PlanReport, *, value, progress_text: str, difficulties: str, evidence: list[str], actor=None
) -> None:
    """Write a report's fields (no commit). The period's value is the task's one shared figure:
    the other offices' values for the same task and period are cleared (their notes stay). Changed
    notes go back to review before they reach the public page."""
    task = entry.task
    if value is not None:
        for other in task.reports:
            if other is not entry and other.period == entry.period and other.value is not None:
                other.value = None
    notes_changed = (entry.progress_text or "", entry.difficulties or "", list(entry.evidence or [])) != (
        progress_text,
        difficulties,
        evidence,
    )
    entry.value, entry.progress_text, entry.difficulties = value, progress_text, difficulties
    entry.evidence = evidence
    if notes_changed or entry.review_state is None:
        entry.review_state, entry.reviewed_by, entry.reviewed_at = "pending", "", None
    entry.reported_by = _actor_name(actor)
    entry.reported_at = time.now()


def review_report(entry: PlanReport, *, approve: bool, note: str = "", actor=None) -> None:
    """An editor of the plan's owner office approves a report's notes for the public page, or
    returns them with a reason (one transaction)."""
    plan = entry.task.action.plan
    if actor is not None and not isinstance(actor, str) and not can_edit(actor, plan):
        raise PlanError(_("Solo quienes editan el plan pueden revisar sus reportes."), "review")
    note = (note or "").strip()
    if not approve and not note:
        raise PlanError(_("Escribe por qué devuelves el reporte."), "note")
    entry.review_state = "approved" if approve else "returned"
    entry.review_note = "" if approve else note[:2000]
    entry.reviewed_by = _actor_name(actor)
    entry.reviewed_at = time.now()
    audit.record(
        "plan_report_reviewed",
        target=f"plan:{plan.id}",
        details={"report": entry.id, "task": entry.task_id, "state": entry.review_state},
        actor=actor,
        commit=False,
    )
    db.session.commit()


def add_finding(
    plan: Plan,
    description: str,
    *,
    found_on: date,
    task: PlanTask | None = None,
    period: int | None = None,
    improvement: dict | None = None,
    actor=None,
) -> PlanFinding:
    """Record a follow-up finding; with `improvement` (action title and one task's data, as for
    `save_task`) also create the improvement action it triggers, numbered after the last one, so
    it is followed like any other action. All in one transaction."""
    if period is not None and not 1 <= period <= plan.period_count:
        raise PlanError(_("Ese periodo no existe en este plan."), "period")
    if task is not None and task.action.plan_id != plan.id:
        raise PlanError(_("Esa tarea no es de este plan."), "task")
    names = office_names()
    if improvement:
        offices = improvement.get("offices") or []
        if not offices or any(c not in names for c in offices):
            raise PlanError(_("Elige al menos una dependencia responsable del catálogo."), "offices")
        if improvement["end_month"] < improvement["start_month"]:
            raise PlanError(_("El mes de terminación no puede ser anterior al de inicio."), "end_month")
        goal = improvement.get("goal")
        if goal is not None and (goal <= 0 or (improvement["unit"] == "percentage" and goal > 100)):
            raise PlanError(_("La meta debe ser mayor que cero (y hasta 100 si es un porcentaje)."), "goal")
    finding = PlanFinding(
        plan=plan,
        description=description,
        found_on=found_on,
        task=task,
        period=period,
        recorded_by=_actor_name(actor),
    )
    db.session.add(finding)
    if improvement:
        number = max((a.number for a in plan.actions), default=0) + 1
        action = PlanAction(number=number, title=improvement["title"], position=len(plan.actions))
        plan.actions.append(action)
        months = list(range(improvement["start_month"], improvement["end_month"] + 1))
        new_task = PlanTask(
            description=improvement["description"],
            start_month=months[0],
            end_month=months[-1],
            months=months,
            deliverable=improvement.get("deliverable", ""),
            indicator_name=improvement["indicator_name"],
            unit=improvement["unit"],
            goal=improvement.get("goal"),
            responsible_text="; ".join(names[c] for c in offices),
        )
        new_task.offices = _office_rows([], offices, PlanTaskOffice)
        action.tasks.append(new_task)
        finding.action = action
    db.session.flush()
    audit.record(
        "plan_finding",
        target=f"plan:{plan.id}",
        details={"finding": finding.id, "action": finding.action_id},
        actor=actor,
        commit=False,
    )
    db.session.commit()
    return finding


# ---------------------------------------------------------------------------- hooks' queries


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
