"""Staff pages under /gestion/transparencia/: the documents and links staff publish in the
transparency section's subsections."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.auth import permission_required
from app.extensions import db
from app.transparency import commands, queries
from app.transparency.forms import item_data, item_form
from app.transparency.models import TransparencyItem


@permission_required("content.edit")
def index(item_id: int | None = None):
    item = db.session.get(TransparencyItem, item_id) if item_id else None
    if item_id and item is None:
        abort(404)
    form = item_form(item)
    if form.validate_on_submit():
        try:
            commands.save_item(item, item_data(form), actor=current_user)
        except commands.ItemError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors = [str(exc)]
        else:
            flash(_("Publicado en Transparencia: Participa."), "success")
            return redirect(url_for(".index"))
    return render_template(
        "transparency/staff/items.html",
        form=form,
        item=item,
        items=queries.items(),
        titles=queries.section_titles(),
    ), 422 if form.errors else 200


@permission_required("content.edit")
def delete(item_id: int):
    item = db.session.get(TransparencyItem, item_id)
    if item is None:
        abort(404)
    commands.delete_item(item, actor=current_user)
    flash(_("Elemento borrado."), "success")
    return redirect(url_for(".index"))
