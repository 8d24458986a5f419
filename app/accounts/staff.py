"""Staff routes: login, logout, staff home, change password, users admin, audit log."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.accounts import commands, forms, queries
from app.accounts.models import User
from app.accounts.rules import AccountError
from app.catalogs import queries as catalogs
from app.core import registry
from app.core.auth import login_required, permission_required
from app.core.ratelimit import LOGIN_PER_IP, client_ip
from app.extensions import db, limiter


def _show_error(form, exc: AccountError, default: str, aliases: dict | None = None) -> None:
    """Put the service's message next to the form field it is about (or next to `default`)."""
    name = (aliases or {}).get(exc.field, exc.field)
    target = form[name] if name and name in form else form[default]
    target.errors = [*target.errors, str(exc)]


def rotate_csrf() -> None:
    """A new CSRF token once the session changes hands (login, password change): a token seen
    before signing in is worthless after it."""
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/gestion") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("accounts.home")


@limiter.limit(LOGIN_PER_IP, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        try:
            user = commands.authenticate(form.email.data, form.password.data, ip=client_ip())
        except AccountError as exc:
            form.password.errors = [*form.password.errors, str(exc)]
        else:
            login_user(user)
            rotate_csrf()
            flash(_("Hola, %(name)s. Ingresaste correctamente.", name=user.name or user.email), "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/staff/login.html", form=form), (200 if not form.errors else 422)


@login_required
def logout():
    commands.end_sessions(current_user._get_current_object(), action="logout")
    logout_user()
    flash(_("Cerraste la sesión."), "info")
    return redirect(url_for("public.home"))


@login_required
def home():
    items = [
        i
        for i in registry.get().nav
        if i.area == "staff" and (i.permission is None or current_user.can(i.permission))
    ]
    return render_template("accounts/staff/home.html", items=items)


@login_required
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            commands.change_password(current_user, form.current.data, form.new.data)
        except AccountError as exc:
            _show_error(form, exc, "new", {"password": "new"})
        else:
            login_user(current_user._get_current_object())  # this browser stays in, with the new token
            rotate_csrf()
            flash(_("Tu contraseña quedó cambiada."), "success")
            return redirect(url_for("accounts.home"))
    return render_template("accounts/staff/change_password.html", form=form), (
        200 if not form.errors else 422
    )


@permission_required("users.manage")
def users():
    return render_template("accounts/staff/users.html", users=queries.users())


def _user_form(user: User | None = None):
    form = forms.UserForm(obj=user if request.method == "GET" else None)
    form.offices.choices = catalogs.office_choices()
    if user is not None and request.method == "GET":
        form.offices.data = sorted(user.office_codes)
    return form


@permission_required("users.manage")
def user_new():
    form = _user_form()
    if form.validate_on_submit():
        try:
            commands.create_user(
                form.email.data,
                form.password.data or "",
                form.role.data,
                name=form.name.data,
                office_codes=form.offices.data,
                actor=current_user,
            )
        except AccountError as exc:
            _show_error(form, exc, "password")
        else:
            flash(_("Cuenta creada para %(email)s.", email=form.email.data), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/staff/user_form.html", form=form, user=None), (
        200 if not form.errors else 422
    )


@permission_required("users.manage")
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            commands.update_user(
                user,
                role=form.role.data,
                active=form.active.data,
                office_codes=form.offices.data,
                name=form.name.data,
                actor=current_user,
                password=form.password.data or None,
            )
        except AccountError as exc:
            _show_error(form, exc, "role")
        else:
            flash(_("Cambios guardados."), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/staff/user_form.html", form=form, user=user), (
        200 if not form.errors else 422
    )


@permission_required("audit.view")
def audit_log():
    from app.core import audit_view

    page = min(max(1, request.args.get("pagina", 1, type=int)), 100_000)
    filters, errors = audit_view.filters_from(request.args)
    entries = db.paginate(filters.statement(), page=page, per_page=50, error_out=False)
    return render_template(
        "accounts/staff/audit.html",
        entries=entries,
        filters=filters,
        errors=errors,
        label=audit_view.label,
        details_text=audit_view.details_text,
        actions=sorted(audit_view.LABELS, key=audit_view.label),
    ), 422 if errors else 200


@permission_required("audit.view")
def audit_export():
    """The filtered log as CSV (audited like every export)."""
    from app.core import audit_view
    from app.core.exports import csv_response

    filters, errors = audit_view.filters_from(request.args)
    if errors:
        return redirect(url_for("accounts.audit_log", **filters.args()))
    rows = (
        (
            e.at,
            audit_view.label(e.action),
            e.action,
            e.actor,
            e.ip,
            e.target,
            audit_view.details_text(e.details),
        )
        for e in db.session.scalars(filters.statement().limit(100_000))
    )
    return csv_response(
        "auditoria.csv",
        [
            _("Fecha (hora de Colombia)"),
            _("Acción"),
            _("Código"),
            _("Quién"),
            "IP",
            _("Sobre qué"),
            _("Detalles"),
        ],
        rows,
        what="accounts.audit_log",
        filters=filters.args(),
        personal=True,
    )
