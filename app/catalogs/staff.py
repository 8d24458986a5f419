"""Admin UI for catalogs: list, add, rename, reorder, (de)activate, delete when unused."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from app.catalogs import commands, forms, queries
from app.catalogs.models import LISTS
from app.core.auth import permission_required

LIST_TITLES = {
    "life_course": _l("Curso de vida"),
    "sex": _l("Sexo al nacer"),
    "gender_identity": _l("Identidad de género"),
    "sexual_orientation": _l("Orientación sexual"),
    "ethnicity": _l("Pertenencia étnica"),
    "disability": _l("Discapacidad"),
    "victim": _l("Víctima del conflicto armado"),
    "campesino": _l("Campesino(a)"),
    "migrant": _l("Situación migratoria"),
    "zone": _l("Zona"),
    "value_group": _l("Grupo de valor"),
    "document_type": _l("Tipo de documento"),
    "event_kind": _l("Tipo de evento"),
    "petition_term": _l("Plazos de respuesta"),
}


def _titles():
    return {k: str(v) for k, v in LIST_TITLES.items()}


@permission_required("catalogs.manage")
def index():
    return render_template(
        "catalogs/index.html",
        lists=LISTS,
        titles=_titles(),
        territories=queries.top_territories(include_inactive=True),
        offices=queries.offices(include_inactive=True),
    )


@permission_required("catalogs.manage")
def option_list(list_key: str):
    if list_key not in LISTS:
        abort(404)
    form = forms.OptionForm()
    if form.validate_on_submit():
        try:
            commands.add_option(list_key, form.code.data, form.label_es.data, form.label_en.data)
        except commands.CatalogError as exc:
            form.code.errors.append(str(exc))
        else:
            flash(_("Opción agregada."), "success")
            return redirect(url_for(".option_list", list_key=list_key))
    return render_template(
        "catalogs/list.html",
        list_key=list_key,
        title=_titles()[list_key],
        form=form,
        entries=queries.options(list_key, include_inactive=True),
        action_form=FlaskForm(),
    ), (200 if not form.errors else 422)


@permission_required("catalogs.manage")
def territories():
    form = forms.TerritoryForm()
    form.parent.choices = queries.territory_choices(blank=_("— Ninguno —"))
    if form.validate_on_submit():
        try:
            commands.add_territory(
                form.code.data, form.label_es.data, form.kind.data, form.parent.data or None
            )
        except commands.CatalogError as exc:
            form.code.errors.append(str(exc))
        else:
            flash(_("Territorio agregado."), "success")
            return redirect(url_for(".territories"))
    return render_template(
        "catalogs/territories.html",
        form=form,
        territories=queries.top_territories(include_inactive=True),
        action_form=FlaskForm(),
    ), (200 if not form.errors else 422)


@permission_required("catalogs.manage")
def offices():
    form = forms.OfficeForm()
    if form.validate_on_submit():
        try:
            commands.add_office(form.code.data, form.label_es.data, form.acronym.data)
        except commands.CatalogError as exc:
            form.code.errors.append(str(exc))
        else:
            flash(_("Dependencia agregada."), "success")
            return redirect(url_for(".offices"))
    return render_template(
        "catalogs/offices.html",
        form=form,
        offices=queries.offices(include_inactive=True),
        action_form=FlaskForm(),
    ), (200 if not form.errors else 422)


def _back(kind: str, entry) -> str:
    if kind == "option":
        return url_for(".option_list", list_key=entry.list_key)
    return url_for(".territories" if kind == "territory" else ".offices")


@permission_required("catalogs.manage")
def rename(kind: str, entry_id: int):
    try:
        entry = commands.get_entry(kind, entry_id)
    except commands.CatalogError:
        abort(404)
    form = forms.RenameForm(
        data={"label_es": entry.label_es, "label_en": getattr(entry, "label_en", "")}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        commands.rename(kind, entry_id, form.label_es.data, form.label_en.data)
        flash(_("Nombre actualizado."), "success")
        return redirect(_back(kind, entry))
    return render_template(
        "catalogs/rename.html", form=form, entry=entry, kind=kind, back=_back(kind, entry)
    ), (200 if not form.errors else 422)


@permission_required("catalogs.manage")
def act(kind: str, entry_id: int, action: str):
    """Reorder, (de)activate or delete one entry, then go back to its list."""
    if action not in ("activar", "desactivar", "subir", "bajar", "borrar", "confirmar"):
        abort(404)
    try:
        entry = commands.get_entry(kind, entry_id)
    except commands.CatalogError:
        abort(404)
    back = _back(kind, entry)
    try:
        if action in ("activar", "desactivar"):
            commands.set_active(kind, entry_id, action == "activar")
            flash(
                _("Entrada activada.")
                if action == "activar"
                else _("Entrada desactivada: ya no aparece en formularios nuevos."),
                "success",
            )
        elif action in ("subir", "bajar"):
            commands.move(kind, entry_id, -1 if action == "subir" else 1)
        elif action == "confirmar":
            if kind != "territory":
                abort(404)
            commands.confirm_territory(entry_id)
            flash(_("Territorio confirmado."), "success")
        else:
            commands.delete(kind, entry_id)
            flash(_("Entrada borrada."), "success")
    except commands.CatalogError as exc:
        flash(str(exc), "error")
    return redirect(back)
