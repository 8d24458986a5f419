"""Staff pages under /gestion/planes/: plans, actions, tasks, follow-up reports, findings, import,
exports. Reading needs `content.view`; changing needs `content.edit` (editors: their offices)."""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.catalogs import queries as catalogs
from app.core import registry, time, uploads
from app.core.auth import may, permission_required
from app.extensions import db
from app.plans import commands, exports, forms, progress, queries, rules
from app.plans.models import PlanAction, PlanTask

IMPORT_TTL_SECONDS = 3600
IMPORT_MAX_BYTES = 2 * 1024 * 1024


def _year_arg() -> int | None:
    asked = request.args.get("anio", "")
    return int(asked) if asked.isdigit() and len(asked) == 4 else None


def _plan_or_404(plan_id: int):
    plan = queries.get_plan(plan_id)
    if plan is None:
        abort(404)
    return plan


def _editable(plan):
    if not rules.can_edit(current_user, plan):
        abort(403)
    return plan


def _action_or_404(plan, action_id: int) -> PlanAction:
    action = next((a for a in plan.actions if a.id == action_id), None)
    if action is None:
        abort(404)
    return action


def _task_or_404(plan, task_id: int) -> PlanTask:
    task = next((t for t in plan.tasks if t.id == task_id), None)
    if task is None:
        abort(404)
    return task


def _field_error(form, exc: rules.PlanError, fallback: str):
    target = getattr(form, exc.field or "", None) or getattr(form, fallback)
    target.errors = list(target.errors) + [str(exc)]


# ---------------------------------------------------------------------------- plans


@permission_required("content.view")
def index():
    plans = queries.list_plans()
    return render_template(
        "plans/staff/index.html",
        overviews=[queries.plan_overview(p) for p in plans],
        names=queries.office_names(),
        can_create=rules.can_edit(current_user),
    )


def _plan_form(plan=None):
    form = forms.PlanForm(obj=plan)
    form.owner_office.choices = catalogs.office_choices(blank=_("— Elige —"))
    form.offices.choices = catalogs.office_choices()
    if plan is not None and request.method == "GET":
        form.process_name.data, form.subprocess_name.data = plan.process, plan.subprocess
        form.offices.data = plan.participating_codes
        form.periods.data = ", ".join(f"{a}-{b}" for a, b in plan.periods)
    return form


@permission_required("content.edit")
def new_plan():
    form = _plan_form()
    if form.validate_on_submit():
        if not may(current_user, "content.edit", [form.owner_office.data]):
            form.owner_office.errors.append(_("Solo puedes crear planes de las dependencias que gestionas."))
        else:
            try:
                plan = commands.save_plan(None, forms.plan_data(form))
            except rules.PlanError as exc:
                _field_error(form, exc, "name")
            else:
                flash(_("Plan creado. Agrega ahora sus acciones y tareas."), "success")
                return redirect(url_for(".detail", plan_id=plan.id))
    return render_template("plans/staff/plan_form.html", form=form, plan=None), 422 if form.errors else 200


@permission_required("content.edit")
def edit_plan(plan_id: int):
    plan = _editable(_plan_or_404(plan_id))
    form = _plan_form(plan)
    if form.validate_on_submit():
        try:
            commands.save_plan(plan, forms.plan_data(form))
        except rules.PlanError as exc:
            db.session.rollback()
            _field_error(form, exc, "name")
        else:
            flash(_("Cambios guardados."), "success")
            return redirect(url_for(".detail", plan_id=plan.id))
    return render_template("plans/staff/plan_form.html", form=form, plan=plan), 422 if form.errors else 200


@permission_required("content.view")
def detail(plan_id: int):
    plan = _plan_or_404(plan_id)
    overview = queries.plan_overview(plan, year=_year_arg())
    events, topics = queries.linked_summaries(plan)
    return render_template(
        "plans/staff/detail.html",
        plan=plan,
        overview=overview,
        names=queries.office_names(),
        can_edit=rules.can_edit(current_user, plan),
        label=plan.period_name,
        roman=progress.period_label,
        reportable={
            t.id: [c for c in t.reporting_codes if rules.can_report(current_user, t, c)] for t in plan.tasks
        },
        events=events,
        topics=topics,
    )


@permission_required("content.edit")
def publish(plan_id: int):
    plan = _editable(_plan_or_404(plan_id))
    commands.set_published(plan, not plan.published)
    flash(
        _("El plan está publicado en /planes/.") if plan.published else _("El plan ya no es público."),
        "success",
    )
    return redirect(url_for(".detail", plan_id=plan.id))


# ---------------------------------------------------------------------------- actions and tasks


def _action_form(action=None):
    form = forms.ActionForm(obj=action)
    reg = registry.get()
    form.event_ids.choices = [(int(i), label) for i, label in reg.call("event_options")]
    form.topic_ids.choices = [(int(i), label) for i, label in reg.call("topic_options")]
    return form


@permission_required("content.edit")
def action_form(plan_id: int, action_id: int | None = None):
    plan = _editable(_plan_or_404(plan_id))
    action = _action_or_404(plan, action_id) if action_id else None
    form = _action_form(action)
    if action is None and request.method == "GET":
        form.number.data = max((a.number for a in plan.actions), default=0) + 1
    if form.validate_on_submit():
        try:
            commands.save_action(plan, action, forms.action_data(form))
        except rules.PlanError as exc:
            db.session.rollback()
            plan = queries.get_plan(plan_id)
            _field_error(form, exc, "number")
        else:
            flash(_("Acción guardada."), "success")
            return redirect(url_for(".detail", plan_id=plan_id))
    return render_template(
        "plans/staff/action_form.html", form=form, plan=plan, action=action
    ), 422 if form.errors else 200


@permission_required("content.edit")
def delete_action(plan_id: int, action_id: int):
    plan = _editable(_plan_or_404(plan_id))
    return _delete(plan_id, commands.delete_action, _action_or_404(plan, action_id), _("Acción borrada."))


@permission_required("content.edit")
def task_form(plan_id: int, action_id: int | None = None, task_id: int | None = None):
    plan = _editable(_plan_or_404(plan_id))
    task = _task_or_404(plan, task_id) if task_id else None
    action = task.action if task else _action_or_404(plan, action_id)
    form = forms.TaskForm(obj=task)
    form.offices.choices = catalogs.office_choices()
    if task is not None and request.method == "GET":
        form.offices.data = task.office_codes
        form.goal.data = Decimal(str(task.goal)) if task.goal is not None else None
        form.yearly_targets.data = rules.targets_text(task)
    if form.validate_on_submit():
        try:
            commands.save_task(action, task, forms.task_data(form, multi_year=plan.multi_year))
        except rules.PlanError as exc:
            db.session.rollback()
            _field_error(form, exc, "description")
        else:
            flash(_("Tarea guardada."), "success")
            return redirect(url_for(".detail", plan_id=plan_id, _anchor=f"accion-{action.id}"))
    return render_template("plans/staff/task_form.html", form=form, plan=plan, action=action, task=task), (
        422 if form.errors else 200
    )


@permission_required("content.edit")
def delete_task(plan_id: int, task_id: int):
    plan = _editable(_plan_or_404(plan_id))
    return _delete(plan_id, commands.delete_task, _task_or_404(plan, task_id), _("Tarea borrada."))


def _delete(plan_id: int, delete, target, done: str):
    """Delete an action or task (refused when it has reports) and go back to the plan."""
    try:
        delete(target)
    except rules.PlanError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for(".detail", plan_id=plan_id))


# ---------------------------------------------------------------------------- follow-up


@permission_required("content.edit")
def report(plan_id: int, task_id: int):
    plan = _plan_or_404(plan_id)
    task = _task_or_404(plan, task_id)
    mine = [c for c in task.reporting_codes if rules.can_report(current_user, task, c)]
    if not mine:
        abort(403)
    names = queries.office_names()
    periods = rules.open_periods(plan)
    form = forms.ReportForm()
    form.office.choices = [(c, names.get(c, c)) for c in mine]
    form.period.choices = [
        (
            p,
            _(
                "Periodo %(label)s (meses %(a)s a %(b)s)",
                label=plan.period_name(p),
                a=plan.period_span(p)[1],
                b=plan.period_span(p)[2],
            ),
        )
        for p in periods
    ]
    if request.method == "GET":
        form.office.data = (
            request.args.get("dependencia") if request.args.get("dependencia") in mine else mine[0]
        )
        current = rules.current_period(plan, time.today())
        asked = request.args.get("periodo", "")
        form.period.data = (
            (int(asked) if asked.isdigit() and int(asked) in periods else None)
            or current
            or (periods[-1] if periods else 1)
        )
        existing = next(
            (r for r in task.reports if r.office_code == form.office.data and r.period == form.period.data),
            None,
        )
        if existing is not None:
            form.value.data = Decimal(str(existing.value)) if existing.value is not None else None
            form.progress_text.data, form.difficulties.data = existing.progress_text, existing.difficulties
            form.evidence.data = "\n".join(existing.evidence or [])
    if not periods:
        flash(
            _("Ningún periodo de este plan ha empezado todavía; podrás reportar cuando empiece el primero."),
            "warning",
        )
    elif form.validate_on_submit():
        try:
            evidence = rules.parse_evidence(form.evidence.data)
            commands.report(
                task,
                form.period.data,
                form.office.data,
                value=forms.number(form.value.data),
                progress_text=form.progress_text.data or "",
                difficulties=form.difficulties.data or "",
                evidence=evidence,
                user=current_user,
            )
        except rules.PlanError as exc:
            db.session.rollback()
            _field_error(form, exc, "value")
        else:
            flash(_("Reporte guardado."), "success")
            return redirect(url_for(".detail", plan_id=plan_id, _anchor=f"tarea-{task.id}"))
    summary = queries.task_summary(task, time.today())
    return render_template(
        "plans/staff/report_form.html",
        form=form,
        plan=plan,
        task=task,
        summary=summary,
        names=names,
        label=plan.period_name,
        can_submit=bool(periods),
    ), 422 if form.errors else 200


@permission_required("content.edit")
def finding(plan_id: int):
    plan = _editable(_plan_or_404(plan_id))
    form = forms.FindingForm()
    form.task.choices = [("", _("— Ninguna —"))] + [
        (str(t.id), f"{t.action.number}. {t.description[:90]}") for t in plan.tasks
    ]
    form.period.choices = [("", _("— Ninguno —"))] + [
        (str(i), plan.period_name(i)) for i in range(1, plan.period_count + 1)
    ]
    form.offices.choices = catalogs.office_choices()
    if request.method == "GET":
        form.found_on.data = time.today()
        form.offices.data = [plan.owner_office]
    if form.validate_on_submit():
        improvement = None
        if form.create_action.data:
            for name in ("action_title", "task_description", "indicator_name"):
                if not getattr(form, name).data:
                    getattr(form, name).errors = [_("Escribe este dato para crear la acción de mejora.")]
            if not form.offices.data:
                form.offices.errors = [_("Elige al menos una dependencia responsable.")]
            improvement = forms.improvement_data(form)
        if not any(f.errors for f in form):
            task = next((t for t in plan.tasks if str(t.id) == form.task.data), None)
            try:
                commands.add_finding(
                    plan,
                    form.description.data,
                    found_on=form.found_on.data,
                    task=task,
                    period=int(form.period.data) if form.period.data else None,
                    improvement=improvement,
                )
            except rules.PlanError as exc:
                db.session.rollback()
                _field_error(form, exc, "description")
            else:
                flash(_("Hallazgo registrado."), "success")
                return redirect(url_for(".detail", plan_id=plan_id, _anchor="hallazgos"))
    errors = any(f.errors for f in form)
    return render_template("plans/staff/finding_form.html", form=form, plan=plan), 422 if errors else 200


# ---------------------------------------------------------------------------- import


def _import_dir() -> Path:
    path = Path(current_app.instance_path) / "plan-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _clean_old_imports(folder: Path) -> None:
    limit = time.now().timestamp() - IMPORT_TTL_SECONDS
    for item in folder.iterdir():
        try:
            if item.stat().st_mtime < limit:
                item.unlink()
        except OSError:
            pass


def _import_form():
    form = forms.ImportForm()
    form.owner.choices = [("", _("— La que diga el archivo —"))] + catalogs.office_choices()
    return form


@permission_required("content.edit")
def import_upload():
    """Step 1: upload; the file is checked (dry run) and a preview shown; nothing is written."""
    form = _import_form()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = uploads.read_upload(upload, max_bytes=IMPORT_MAX_BYTES)
        except uploads.UploadError as exc:
            data, form.file.errors = None, [str(exc)]
        if data is None:
            pass
        elif not data:
            form.file.errors = [_("Elige el archivo del plan.")]
        elif form.owner.data and not may(current_user, "content.edit", [form.owner.data]):
            form.owner.errors = [_("Solo puedes importar planes de las dependencias que gestionas.")]
        else:
            meta = {
                "name": form.name.data or None,
                "year": form.year.data,
                "owner": form.owner.data or None,
                "filename": (upload.filename or "plan")[:200],
                "user": current_user.id,
            }
            result = commands.import_plan(
                data,
                filename=meta["filename"],
                name=meta["name"],
                year=meta["year"],
                owner=meta["owner"],
                dry_run=True,
            )
            confirm = forms.ImportConfirmForm()
            confirm.create_offices.choices = [(n, n) for n in result.parsed.unknown_offices]
            if result.ok:
                folder = _import_dir()
                _clean_old_imports(folder)
                token = secrets.token_hex(16)
                (folder / f"{token}.bin").write_bytes(data)
                (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
                session["plans_import"] = token
                confirm.token.data = token
            return render_template(
                "plans/staff/import_preview.html",
                result=result,
                confirm=confirm,
                form=form,
                names=queries.office_names(),
            ), 200 if result.ok else 422
    return render_template("plans/staff/import.html", form=form), 422 if form.errors else 200


@permission_required("content.edit")
def import_confirm():
    """Step 2: import the previewed file (one transaction), creating the offices ticked."""
    confirm = forms.ImportConfirmForm()
    token = confirm.token.data or ""
    folder = _import_dir()
    if not (token.isalnum() and session.get("plans_import") == token and (folder / f"{token}.bin").exists()):
        flash(_("La vista previa venció o no es tuya; vuelve a subir el archivo."), "error")
        return redirect(url_for(".import_upload"))
    meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
    if meta.get("user") != current_user.id:
        abort(403)
    data = (folder / f"{token}.bin").read_bytes()
    preview = commands.import_plan(
        data,
        filename=meta["filename"],
        name=meta["name"],
        year=meta["year"],
        owner=meta["owner"],
        dry_run=True,
    )
    confirm.create_offices.choices = [(n, n) for n in preview.parsed.unknown_offices]
    valid = confirm.validate_on_submit()
    if valid and confirm.create_offices.data and not current_user.can("catalogs.manage"):
        confirm.create_offices.errors = [
            _("Solo quien administra los catálogos puede crear dependencias nuevas.")
        ]
        valid = False
    if not valid:
        return render_template(
            "plans/staff/import_preview.html", result=preview, confirm=confirm, names=queries.office_names()
        ), 422
    result = commands.import_plan(
        data,
        filename=meta["filename"],
        name=meta["name"],
        year=meta["year"],
        owner=meta["owner"],
        create_offices=confirm.create_offices.data or [],
        publish=bool(confirm.publish.data),
        actor=current_user,
    )
    if not result.ok:
        return render_template(
            "plans/staff/import_preview.html",
            result=result,
            confirm=confirm,
            form=_import_form(),
            names=queries.office_names(),
        ), 422
    for suffix in (".bin", ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)
    session.pop("plans_import", None)
    flash(
        _(
            "Plan importado: %(actions)s acciones y %(tasks)s tareas.",
            actions=len(result.parsed.actions),
            tasks=result.parsed.task_count,
        ),
        "success",
    )
    return redirect(url_for(".detail", plan_id=result.plan.id))


# ---------------------------------------------------------------------------- exports


@permission_required("content.view")
def export_xlsx(plan_id: int):
    return exports.xlsx_response(_plan_or_404(plan_id), _year_arg())


@permission_required("content.view")
def export_xlsx_medellin(plan_id: int):
    from app.plans import layouts

    return layouts.medellin_response(_plan_or_404(plan_id))


@permission_required("content.view")
def export_pdf(plan_id: int):
    plan = _plan_or_404(plan_id)
    office = request.args.get("dependencia") or None
    if office is not None and office not in {c for t in plan.tasks for c in t.reporting_codes}:
        abort(404)
    return exports.pdf_response(plan, office, _year_arg())
