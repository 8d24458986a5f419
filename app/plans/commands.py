"""Every change to plans: import, editing, follow-up reports and their review, findings, a
previewed bulk follow-up file, and reminders to offices before a period closes. Plain functions
on typed data (plain values, dicts of plain values, parsed files), one transaction each: a
refusal raises `PlanError` before anything is written, and unexpected failures roll back.

`send_reminders(today, days)` is the job to schedule daily (CLI: `flask participa plan-reminders`):
it is idempotent (one reminder per plan, period and office, stored in `plan_reminder`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.catalogs.models import Office
from app.core import audit, mail, time
from app.extensions import db
from app.plans import importer, queries
from app.plans.bulk import Diff
from app.plans.models import (
    QUARTERS,
    Plan,
    PlanAction,
    PlanFinding,
    PlanOffice,
    PlanReminder,
    PlanReport,
    PlanTask,
    PlanTaskOffice,
    PlanTaskTarget,
)
from app.plans.offices import propose_code
from app.plans.rules import (
    METADATA,
    PlanError,
    can_edit,
    can_report,
    parse_periods,
    parse_targets,
    period_started,
    plan_goal_from_targets,
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
    parsed = importer.parse(rows, queries.matcher())
    names = queries.office_names()
    _check_name_and_years(parsed, name, year)
    _check_owner(parsed, owner, names, create_offices, dry_run)
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


def _check_name_and_years(parsed: importer.ParsedPlan, name: str | None, year: int | None) -> None:
    """The name and year chosen by the person, the plan's span and the years of each row's targets
    (errors are added to `parsed`)."""
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


def _check_owner(
    parsed: importer.ParsedPlan, owner: str | None, names: dict, create_offices, dry_run
) -> None:
    """The owner office (chosen, read from the file or to be created), the name and year a plan
    needs, and no second plan with the same name and year (errors are added to `parsed`)."""
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


def _save_import(parsed, result, create, filename, publish, actor) -> None:
    """Write the parsed plan (no commit): the confirmed new offices, the plan, its actions and tasks
    with their targets, and the follow-up figures the file already had (approved)."""
    new_codes = _create_offices(parsed, result, create, actor)
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
            _import_task(plan, action, pt, t_pos, new_codes, actor)
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


def _create_offices(parsed, result, create, actor) -> dict[str, str]:
    """Add the unknown offices the person confirmed to the catalog (no commit); {name: new code}."""
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
    return new_codes


def _import_task(plan: Plan, action: PlanAction, pt, position: int, new_codes: dict, actor) -> None:
    """One parsed task row: the task, its offices and targets, and its imported follow-up figures."""
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
        position=position,
        accumulation=pt.accumulation,
    )
    task.offices = _office_rows([], codes, PlanTaskOffice)
    task.targets = [PlanTaskTarget(year=y, period=p, goal=g) for (y, p), g in sorted(pt.targets.items())]
    if task.goal is None and task.targets:
        task.goal = plan_goal_from_targets(task)
    action.tasks.append(task)
    reporter = codes[0] if codes else plan.owner_office
    figures = [
        (plan.year_periods(year)[-1], value)  # a year's figure is the state after its last period
        for year, value in sorted(pt.yearly_follow_up.items())
        if year in plan.years
    ]
    figures += [(period, value) for period, value in pt.follow_up.items() if period <= plan.period_count]
    for period, value in figures:
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


def save_plan(plan: Plan | None, data: dict, actor=None) -> Plan:
    """Create or update a plan's general data (name, year, owner, objective, scope, participating
    offices, periods, annual analysis)."""
    names = queries.office_names()
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
    names = queries.office_names()
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
    names = queries.office_names()
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


def apply_follow_up(diff: Diff, *, actor=None) -> int:
    """Store every change of a previewed bulk file (all or none) and audit it; return the number of
    tasks changed. Notes changed go back to review before they are public."""
    if diff.errors:
        raise PlanError(_("El archivo tiene errores: corrígelos y vuelve a subirlo."))
    sheet = diff.sheet
    try:
        for change in diff.changes:
            entry = change.report
            if entry is None:
                entry = PlanReport(task=change.task, period=sheet.period, office_code=sheet.office)
                db.session.add(entry)
            value_changed = any(f[0] == "value" for f in change.fields)
            store_report(
                entry,
                value=change.value if value_changed else entry.value,
                progress_text=change.progress_text,
                difficulties=change.difficulties,
                evidence=change.evidence,
                actor=actor,
            )
        if diff.changes:
            plan_id = diff.changes[0].task.action.plan_id
            audit.record(
                "plan_bulk_reported",
                target=f"plan:{plan_id}",
                details={
                    "office": sheet.office,
                    "period": sheet.period,
                    "tasks": [c.task.id for c in diff.changes],
                    "fields": sum(len(c.fields) for c in diff.changes),
                },
                actor=actor,
                commit=False,
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(diff.changes)


# ---------------------------------------------------------------------------- reminders


@dataclass
class Reminder:
    plan_id: int
    period: int
    office: str
    recipients: list[str]
    tasks: int


def _absolute(endpoint: str, **values) -> str:
    base = current_app.config["PARTICIPA_BASE_URL"]
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


def _editors_of(office: str) -> list[str]:
    users = db.session.scalars(select(User).where(User.active.is_(True), User.role == "editor"))
    return sorted(u.email for u in users if office in u.office_codes)


def _send(to: list[str], subject: str, body: str) -> str:
    if not mail.configured():
        if current_app.config.get("PARTICIPA_ENV") == "production":
            raise RuntimeError("MAIL_SERVER is not configured")
        current_app.logger.warning(
            "Reminder (development, not e-mailed) to %s: %s\n%s", ", ".join(to), subject, body
        )
        return "log"
    mail.send(to, subject, body)
    return "smtp"


def reminder_text(plan, period: int, office: str, tasks, closes_on: date) -> tuple[str, str]:
    """(subject, body) of a reminder, in Spanish (staff mail)."""
    with force_locale("es_CO"):
        label = plan.period_name(period)
        subject = _(
            "Seguimiento %(period)s de «%(plan)s»: cierra el %(date)s",
            period=label,
            plan=plan.name,
            date=closes_on.strftime("%d/%m/%Y"),
        )
        lines = [
            _("Hola:"),
            "",
            _(
                "El periodo %(period)s del plan «%(plan)s» cierra el %(date)s y tu dependencia (%(office)s) "
                "aún no reporta estas tareas:",
                period=label,
                plan=plan.name,
                date=closes_on.strftime("%d/%m/%Y"),
                office=office,
            ),
            "",
        ]
        lines += [f"- {t.action.number}. {t.description}" for t in tasks]
        lines += [
            "",
            _(
                "Reporta todas a la vez con la hoja de seguimiento, o una por una, desde %(url)s",
                url=_absolute("plans_staff.my_tasks", dependencia=office),
            ),
            "",
            current_app.config.get("ENTITY_NAME", ""),
        ]
    return subject, "\n".join(lines) + "\n"


def send_reminders(today: date | None = None, days: int = 7) -> list[Reminder]:
    """E-mail the editors of each office that has unreported tasks in a period closing within
    `days` days. One reminder per plan, period and office, ever (committed one by one, so a mail
    failure leaves only that reminder to the next run)."""
    today = today or time.today()
    sent = []
    for plan, period, pending in queries.closing_soon(today, days):
        closes_on = queries.period_bounds(plan, period)[1]
        for office, tasks in sorted(pending.items()):
            if db.session.scalar(
                select(PlanReminder.id).where(
                    PlanReminder.plan_id == plan.id,
                    PlanReminder.period == period,
                    PlanReminder.office_code == office,
                )
            ):
                continue
            recipients = _editors_of(office)
            if not recipients:
                continue
            subject, body = reminder_text(plan, period, office, tasks, closes_on)
            try:
                db.session.add(
                    PlanReminder(
                        plan_id=plan.id,
                        period=period,
                        office_code=office,
                        recipients=len(recipients),
                        tasks=len(tasks),
                        sent_at=time.now(),
                    )
                )
                db.session.flush()
                _send(recipients, subject, body)
                audit.record(
                    "plan_reminder_sent",
                    target=f"plan:{plan.id}",
                    details={
                        "period": period,
                        "office": office,
                        "recipients": len(recipients),
                        "tasks": len(tasks),
                    },
                    actor="system",
                    commit=False,
                )
                db.session.commit()
            except (IntegrityError, *mail.ERRORS, RuntimeError) as exc:
                db.session.rollback()
                current_app.logger.warning(
                    "Plan reminder %s/%s/%s not sent: %s", plan.id, period, office, exc
                )
                continue
            sent.append(Reminder(plan.id, period, office, recipients, len(tasks)))
    return sent
