"""Staff: generate, download and publish accountability reports. Public: published reports' files."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accountability import commands, forms, queries
from app.accountability.public import report_download, report_or_404
from app.core import audit, registry, time
from app.core.auth import permission_required


def _form():
    form = forms.ReportForm()
    form.event.choices = [("", _("— Elige —"))] + [
        (str(i), label) for i, label in registry.get().call("event_options")
    ]
    if form.year.data is None and not form.is_submitted():
        form.year.data = time.today().year
    return form


@permission_required("content.edit")
def index():
    form = _form()
    if form.validate_on_submit():
        period = None
        if form.scope.data == "event":
            period = queries.event_period(int(form.event.data)) if (form.event.data or "").isdigit() else None
            if period is None:
                form.event.errors = [_("Elige un evento.")]
        elif form.year.data is None:
            form.year.errors = [_("Escribe el año del informe.")]
        else:
            period = queries.year_period(form.year.data)
        if period is not None:
            report = commands.generate(period, actor=current_user)
            flash(_("Informe generado. Revísalo y publícalo cuando esté listo."), "success")
            return redirect(url_for(".index", _anchor=f"informe-{report.id}"))
    status = 422 if form.errors or any(f.errors for f in form) else 200
    return render_template("accountability/staff/index.html", form=form, reports=queries.reports()), status


@permission_required("content.edit")
def staff_file(report_id: int, kind: str):
    report = report_or_404(report_id)
    audit.record(
        "export",
        target="accountability.report",
        details={
            "format": kind,
            "filters": {"report": report.id},
            "rows": len(report.sections),
            "personal": False,
            "completed": True,
        },
    )
    return report_download(report, kind)


@permission_required("content.edit")
def publish(report_id: int):
    report = report_or_404(report_id)
    commands.set_published(report, not report.published, actor=current_user)
    flash(
        _("Informe publicado en Transparencia: Participa.")
        if report.published
        else _("El informe ya no está publicado."),
        "success",
    )
    return redirect(url_for(".index", _anchor=f"informe-{report.id}"))
