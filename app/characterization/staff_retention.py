"""Staff page of retention periods (/gestion/datos-personales/conservacion, permission
retention.manage: admin and data steward): every kind of record with personal data, its period
(the entity's choice or the default) and the last purge."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.characterization.staff_forms import periods_form
from app.core import retention
from app.core.audit import AuditEntry
from app.core.auth import permission_required
from app.extensions import db


def _last_purge() -> AuditEntry | None:
    return db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "retention_purge")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )


@permission_required("retention.manage")
def periods():
    rules = retention.rules()
    form = periods_form(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        try:
            changes = retention.set_periods({r.kind: form[r.kind].data for r in rules}, current_user)
        except retention.SettingsError as exc:
            for kind, message in exc.errors.items():
                if kind in form:
                    form[kind].errors = [*form[kind].errors, message]
        else:
            flash(
                _("Guardamos los plazos de conservación.") if changes else _("No cambiaste ningún plazo."),
                "success",
            )
            return redirect(url_for("data_protection.periods"))
    last = _last_purge()
    defaults = {r.kind: r.default_days for r in rules}
    status = 422 if request.method == "POST" else 200
    return render_template(
        "characterization/staff/retention.html", form=form, rules=rules, defaults=defaults, last=last
    ), status


def register(app, reg) -> None:
    from app.core import registry

    reg.add_nav(
        registry.NavItem(
            "data_protection.periods",
            lambda: _l("Conservación de datos personales"),
            area="staff",
            permission="retention.manage",
            order=94,
        )
    )
