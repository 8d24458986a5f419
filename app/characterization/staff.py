"""Staff pages: dashboard, exports, population baseline, and the section preview."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.decorators import permission_required
from app.characterization import baseline, dashboard, exports, services, suppression
from app.characterization.staff_forms import BaselineForm, FilterForm, PreviewForm
from app.core import uploads

bp = Blueprint("characterization", __name__, url_prefix="/gestion/caracterizacion")


def _filters():
    form = FilterForm(request.args)
    valid = form.validate()
    return form, valid


@bp.get("/")
@permission_required("dashboards.view")
def dashboard_view():
    form, valid = _filters()
    k = suppression.k_for(current_user)
    status = 200
    if valid:
        filters, cross = form.filters(), form.cross()
    else:
        from app.characterization.queries import Filters

        filters, cross, status = Filters(), None, 400
    summary = dashboard.summary(filters, k)
    crosstab = dashboard.crosstab(*cross, filters, k) if cross else None
    territory = dashboard.crosstab("territory", "zone", filters, k)
    representativeness = dashboard.representativeness(filters, k) if dashboard.has_baseline() else []
    return render_template("characterization/staff/dashboard.html", form=form, summary=summary, crosstab=crosstab,
                           territory=territory, representativeness=representativeness, k=k,
                           note=suppression.note(k), args=request.args.to_dict(flat=False),
                           under=dashboard.UNDER_REPRESENTED), status


EXPORTS = {"perfiles", "tablas"}


@bp.get("/exportar/<kind>.<fmt>")
@permission_required("exports.anonymised")
def export(kind, fmt):
    if kind not in EXPORTS or fmt not in ("csv", "xlsx"):
        abort(404)
    form, valid = _filters()
    if not valid:
        flash(_("Revisa los filtros antes de exportar."), "error")
        return redirect(url_for("characterization.dashboard_view", **request.args))
    filters = form.filters()
    full = current_user.can("exports.personal")
    if kind == "perfiles":
        return exports.rows_csv(filters, full) if fmt == "csv" else exports.rows_xlsx(filters, full)
    k = suppression.k_for(current_user)
    return exports.tables_csv(filters, k, form.cross()) if fmt == "csv" else exports.tables_xlsx(filters, k, form.cross())


@bp.get("/exportar/diccionario-<kind>.csv")
@permission_required("exports.anonymised")
def export_dictionary(kind):
    if kind not in EXPORTS:
        abort(404)
    return exports.dictionary_csv(kind, current_user.can("exports.personal"))


@bp.route("/linea-base", methods=["GET", "POST"])
@permission_required("dashboards.view")
def baseline_upload():
    form = BaselineForm()
    error = None
    if form.validate_on_submit():
        try:
            raw = uploads.read_upload(form.archivo.data, max_bytes=2 * 1024 * 1024)
            n = baseline.load(raw, form.fuente.data)
        except (uploads.UploadError, baseline.BaselineError) as exc:
            error = str(exc)
        else:
            flash(_("Cargamos la línea base de población: %(n)s filas.", n=n), "success")
            return redirect(url_for("characterization.dashboard_view"))
    status = 422 if (error or form.errors) else 200
    return render_template("characterization/staff/baseline.html", form=form, error=error,
                           has_baseline=dashboard.has_baseline()), status


@bp.route("/vista-previa", methods=["GET", "POST"])
@permission_required("content.view")
def preview():
    """The section exactly as citizens see it. "Probar" validates and shows what would be
    stored, without storing anything."""
    form = PreviewForm()
    would_store = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            would_store = services.preview(form.profile.form)
        else:
            status = 422
    return render_template("characterization/staff/preview.html", form=form, would_store=would_store), status
