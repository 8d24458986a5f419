"""Staff pages of the follow-up cycle under /gestion/planes/: "Mis tareas" per office, the bulk
follow-up workbook (download, upload with a preview of every change, confirm), and the review of
offices' notes before they reach the public page."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import exports as core_exports
from app.core import time
from app.core.auth import may, office_choices, permission_required
from app.extensions import db
from app.plans import bulk, commands, forms, progress, queries, rules
from app.plans.models import PlanReport

TTL_SECONDS = 3600


def _offices_for(user) -> list[str]:
    """Offices whose agenda the user may see: those within the user's scope (the one permission
    check: their own for an editor with offices; every catalog office otherwise)."""
    return [code for code, _name in office_choices(user, queries.office_names().items())]


@permission_required("content.edit")
def my_tasks():
    names = queries.office_names()
    offices = _offices_for(current_user)
    office = request.args.get("dependencia") or (offices[0] if len(offices) == 1 else "")
    if office and office not in offices:
        abort(403)
    agenda = queries.office_agenda(office, time.today()) if office else None
    return render_template(
        "plans/staff/my_tasks.html",
        names=names,
        offices=offices,
        office=office,
        agenda=agenda,
        label=progress.period_label,
    )


def _plan(plan_id: int):
    plan = queries.get_plan(plan_id)
    if plan is None:
        abort(404)
    return plan


@permission_required("content.edit")
def followup_xlsx(plan_id: int):
    plan = _plan(plan_id)
    office = request.args.get("dependencia", "")
    period = request.args.get("periodo", "")
    if (
        not bulk.office_tasks(plan, office)
        or not period.isdigit()
        or int(period) not in rules.open_periods(plan)
    ):
        abort(404)
    if not may(current_user, "content.edit", [office]):
        abort(403)
    name = queries.office_names().get(office, office)
    return core_exports.workbook_response(
        f"seguimiento-{plan.id}-{office}-{plan.period_name(int(period))}.xlsx",
        lambda path: bulk.write(path, plan, office, name, int(period)),
        what="plans.follow_up_xlsx",
        filters={"plan": plan.id, "office": office, "period": int(period)},
    )


def _folder() -> Path:
    path = Path(current_app.instance_path) / "plan-followups"
    path.mkdir(parents=True, exist_ok=True)
    limit = time.now().timestamp() - TTL_SECONDS
    for item in path.iterdir():
        try:
            if item.stat().st_mtime < limit:
                item.unlink()
        except OSError:
            pass
    return path


def _render_upload(plan, form, diff=None, error=None, confirm=None, status=200):
    return render_template(
        "plans/staff/followup_upload.html",
        plan=plan,
        form=form,
        diff=diff,
        error=error,
        confirm=confirm,
        names=queries.office_names(),
        label=plan.period_name,
        roman=progress.period_label,
    ), status


@permission_required("content.edit")
def followup_upload(plan_id: int):
    """Step 1: upload the filled workbook; every change is listed, task by task; nothing is saved."""
    plan = _plan(plan_id)
    form = forms.FollowUpUploadForm()
    if not form.validate_on_submit():
        return _render_upload(plan, form, status=422 if form.errors else 200)
    data = form.file.data.read() if form.file.data else b""
    if not data:
        form.file.errors = [_("Elige la hoja de seguimiento que llenaste.")]
        return _render_upload(plan, form, status=422)
    try:
        sheet = bulk.read(data)
    except bulk.BulkFileError as exc:
        form.file.errors = [str(exc)]
        return _render_upload(plan, form, status=422)
    if sheet.plan_id != plan.id:
        form.file.errors = [_("Este archivo es de otro plan: súbelo en la página de ese plan.")]
        return _render_upload(plan, form, status=422)
    diff = bulk.diff(sheet, plan, user=current_user)
    confirm = None
    if not diff.errors and diff.changes:
        token = secrets.token_hex(16)
        (_folder() / f"{token}.xlsx").write_bytes(data)
        session["plans_followup"] = {
            "token": token,
            "plan": plan.id,
            "user": current_user.id,
            "fingerprint": diff.fingerprint,
        }
        confirm = forms.FollowUpConfirmForm(token=token)
    return _render_upload(plan, form, diff=diff, confirm=confirm, status=422 if diff.errors else 200)


@permission_required("content.edit")
def followup_confirm(plan_id: int):
    """Step 2: save exactly what the preview showed (one transaction), or nothing."""
    plan = _plan(plan_id)
    confirm = forms.FollowUpConfirmForm()
    pending = session.get("plans_followup") or {}
    token = confirm.token.data or ""
    path = _folder() / f"{token}.xlsx"
    if not (
        confirm.validate_on_submit()
        and token.isalnum()
        and pending.get("token") == token
        and pending.get("plan") == plan.id
        and pending.get("user") == current_user.id
        and path.exists()
    ):
        flash(_("La vista previa venció o no es tuya; vuelve a subir el archivo."), "error")
        return redirect(url_for(".followup_upload", plan_id=plan.id))
    diff = bulk.diff(bulk.read(path.read_bytes()), plan, user=current_user)
    if diff.errors or diff.fingerprint != pending.get("fingerprint"):
        flash(
            _(
                "Los datos cambiaron desde la vista previa (alguien más reportó). Vuelve a subir el archivo "
                "para ver los cambios actualizados; no se guardó nada."
            ),
            "error",
        )
        return redirect(url_for(".followup_upload", plan_id=plan.id))
    changed = commands.apply_follow_up(diff, actor=current_user)
    path.unlink(missing_ok=True)
    session.pop("plans_followup", None)
    flash(
        _(
            "Seguimiento guardado: %(n)s tareas actualizadas. Los textos se publican cuando los revise quien "
            "edita el plan.",
            n=changed,
        ),
        "success",
    )
    return redirect(url_for(".detail", plan_id=plan.id))


@permission_required("content.edit")
def review(plan_id: int):
    plan = _plan(plan_id)
    if not rules.can_edit(current_user, plan):
        abort(403)
    return render_template(
        "plans/staff/review.html",
        plan=plan,
        reports=queries.pending_reviews(plan),
        form=forms.ReviewForm(),
        names=queries.office_names(),
        label=plan.period_name,
        roman=progress.period_label,
    )


@permission_required("content.edit")
def review_one(plan_id: int, report_id: int):
    plan = _plan(plan_id)
    if not rules.can_edit(current_user, plan):
        abort(403)
    entry = db.session.get(PlanReport, report_id)
    if entry is None or entry.task.action.plan_id != plan.id:
        abort(404)
    form = forms.ReviewForm()
    if not queries.awaits_review(entry):  # reviewed meanwhile (another tab, another editor)
        flash(_("Ese reporte ya no espera revisión: alguien lo aprobó o lo devolvió antes."), "info")
        return redirect(url_for(".review", plan_id=plan.id), code=303)
    approve = request.form.get("decision") == "approve"
    if form.validate_on_submit():
        try:
            commands.review_report(entry, approve=approve, note=form.note.data or "", actor=current_user)
        except rules.PlanError as exc:
            db.session.rollback()
            form.note.errors = [str(exc)]
        else:
            flash(
                _("Reporte aprobado: ya se ve en la página pública.")
                if approve
                else _("Reporte devuelto a la dependencia."),
                "success",
            )
            return redirect(url_for(".review", plan_id=plan.id))
    return render_template(
        "plans/staff/review.html",
        plan=plan,
        reports=queries.pending_reviews(plan),
        form=form,
        failed=report_id,
        names=queries.office_names(),
        label=plan.period_name,
        roman=progress.period_label,
    ), 422
