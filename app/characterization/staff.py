"""Staff pages: dashboard, exports, population baseline, and the section preview."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.characterization import baseline, dashboard, disclosure, exports, monitoring, queries
from app.characterization.forms import answers_of
from app.characterization.staff_forms import BaselineForm, FilterForm, PreviewForm
from app.core import audit, uploads
from app.core.auth import permission_required


def _filters():
    form = FilterForm(request.args)
    valid = form.validate()
    return form, valid


def _audit_view(what: str, filters, viewer, cross=None, refused: bool = False) -> None:
    """Every dashboard and table view leaves a trace: who, which filters, when (audit.view)."""
    audit.record(
        "view",
        target=what,
        details={
            "filters": filters.as_dict(),
            "cross": list(cross or ()),
            "exact": viewer.exact,
            "refused": refused,
            "narrow": len(filters.as_dict()),
        },
    )


@permission_required("dashboards.view")
def dashboard_view():
    form, valid = _filters()
    viewer = disclosure.viewer_for(current_user)
    status = 200
    if valid:
        filters, cross = form.filters(), form.cross()
    else:
        from app.characterization.queries import Filters

        filters, cross, status = Filters(), None, 400
    summary = crosstab = territory = None
    representativeness = []
    refused = False
    try:
        summary = dashboard.summary(filters, viewer)  # refuses a view over fewer than k
        crosstab = dashboard.crosstab(*cross, filters, viewer) if cross else None
        territory = dashboard.crosstab("territory", "zone", filters, viewer)
        representativeness = dashboard.representativeness(filters, viewer) if dashboard.has_baseline() else []
    except disclosure.ViewRefused:
        refused = True
    _audit_view("characterization.dashboard", filters, viewer, cross, refused)
    return render_template(
        "characterization/staff/dashboard.html",
        form=form,
        summary=summary,
        crosstab=crosstab,
        territory=territory,
        representativeness=representativeness,
        viewer=viewer,
        baseline_sources=dashboard.baseline_sources() if representativeness else [],
        refused=disclosure.refused_message(viewer.k) if refused else "",
        note=disclosure.note(viewer),
        legend=disclosure.legend(viewer),
        args=request.args.to_dict(flat=False),
        under=dashboard.UNDER_REPRESENTED,
    ), status


@permission_required("exports.anonymised")
def export(kind, fmt):
    """Aggregated tables for every dashboard role; row-level profiles only for the steward."""
    if kind not in exports.EXPORTS or fmt not in ("csv", "xlsx"):
        abort(404)
    if kind == "perfiles" and not current_user.can("exports.personal"):
        abort(403)
    form, valid = _filters()
    if not valid:
        flash(_("Revisa los filtros antes de exportar."), "error")
        return redirect(url_for("characterization.dashboard_view", **request.args))
    filters = form.filters()
    if kind == "perfiles":
        from app.characterization import export_jobs
        from app.core.i18n import selected_language

        rows = export_jobs.row_count(filters)
        if export_jobs.should_queue(rows):  # large: prepared in the background ("Mis descargas")
            export_jobs.request_export(
                fmt, filters, True, owner=current_user, lang=selected_language(), rows=rows
            )
            return redirect(url_for("downloads.index"))
        return exports.rows_csv(filters, True) if fmt == "csv" else exports.rows_xlsx(filters, True)
    viewer = disclosure.viewer_for(current_user)
    try:
        dashboard.check_view(filters, viewer)
    except disclosure.ViewRefused:
        _audit_view("characterization.tables", filters, viewer, form.cross(), True)
        flash(disclosure.refused_message(viewer.k), "error")
        return redirect(url_for("characterization.dashboard_view", **request.args))
    if fmt == "csv":
        return exports.tables_csv(filters, viewer, form.cross())
    return exports.tables_xlsx(filters, viewer, form.cross())


@permission_required("exports.anonymised")
def export_dictionary(kind):
    if kind not in exports.EXPORTS:
        abort(404)
    return exports.dictionary_csv(kind, current_user.can("exports.personal"))


@permission_required(disclosure.BYPASS_PERMISSION)
def unusual_querying():
    """For the steward: users who asked many narrow views in a short time."""
    return render_template(
        "characterization/staff/unusual.html",
        rows=monitoring.unusual_querying(),
        window=int(monitoring.WINDOW.total_seconds() // 60),
        threshold=monitoring.THRESHOLD,
    )


@permission_required("dashboards.view")
def baseline_upload():
    form = BaselineForm()
    if form.validate_on_submit():
        try:
            raw = uploads.read_upload(form.archivo.data, max_bytes=2 * 1024 * 1024)
            n = baseline.load(raw, form.fuente.data)
        except (uploads.UploadError, baseline.BaselineError) as exc:
            form.archivo.errors = [str(exc)]  # next to the file field and in the summary at the top
        else:
            flash(_("Cargamos la línea base de población: %(n)s filas.", n=n), "success")
            return redirect(url_for("characterization.dashboard_view"))
    status = 422 if form.errors else 200
    return render_template(
        "characterization/staff/baseline.html",
        form=form,
        has_baseline=dashboard.has_baseline(),
        sources=dashboard.baseline_sources(),
        shipped=baseline.shipped(_entity()),
        minimum=dashboard.minimum_age(),
    ), status


def _entity() -> str:
    from flask import current_app

    return current_app.config.get("ENTITY_CATALOG", "")


@permission_required("dashboards.view")
def baseline_shipped():
    """Load the baseline shipped for the entity's catalog (replaces the current one)."""
    try:
        n = baseline.load_shipped(_entity())
    except baseline.BaselineError as exc:
        flash(str(exc), "error")
        return redirect(url_for("characterization.baseline_upload"))
    flash(_("Cargamos la línea base incluida: %(n)s filas.", n=n), "success")
    return redirect(url_for("characterization.dashboard_view") + "#representatividad")


@permission_required("dashboards.view")
def baseline_shipped_csv():
    """The shipped baseline in the import format, to complete and upload again."""
    from app.core.exports import csv_response

    data = baseline.shipped(_entity())
    if data is None:
        abort(404)
    header, rows = baseline.table(data)
    return csv_response(
        f"linea-base-{data['entity']}-{data['year']}.csv",
        header,
        lambda: iter(rows),
        what="characterization.baseline",
        separator="coma",
    )


@permission_required("content.view")
def preview():
    """The section exactly as citizens see it. "Probar" validates and shows what would be
    stored, without storing anything."""
    form = PreviewForm()
    would_store = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            would_store = queries.preview(answers_of(form.profile.form))
        else:
            status = 422
    return render_template("characterization/staff/preview.html", form=form, would_store=would_store), status
