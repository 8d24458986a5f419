"""Staff-edited transparency items: reads, changes (one transaction each, audited), the hook, and
the staff pages under /gestion/transparencia/."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core import audit
from app.core.auth import permission_required
from app.core.fields import SelectField
from app.core.text import NoMarkup, clean, single_line
from app.extensions import db
from app.transparency.models import TransparencyItem

URL_RE = re.compile(r"^(https?://[^\s<>\"']{3,990}|/[^\s<>\"']{0,990})$", re.I)


class ItemError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def items(section: str | None = None) -> list[TransparencyItem]:
    stmt = select(TransparencyItem).order_by(
        TransparencyItem.section, TransparencyItem.position, TransparencyItem.id
    )
    if section:
        stmt = stmt.where(TransparencyItem.section == section)
    return list(db.session.scalars(stmt))


def transparency_items(section: str) -> list[dict]:
    return [{"title": i.title, "url": i.url, "text": i.text} for i in items(section) if i.published]


def save_item(item: TransparencyItem | None, data: dict, *, actor=None) -> TransparencyItem:
    from app.transparency.services import SECTIONS

    if data["section"] not in {k for k, _t, _x in SECTIONS}:
        raise ItemError(_("Elige una subsección."), "section")
    if not URL_RE.match(data["url"]):
        raise ItemError(
            _("Escribe un enlace web (https://…) o una dirección del portal que empiece por /."), "url"
        )
    creating = item is None
    if creating:
        item = TransparencyItem(
            position=(db.session.scalar(select(func.max(TransparencyItem.position))) or 0) + 1
        )
        db.session.add(item)
    item.section, item.title, item.url, item.text = data["section"], data["title"], data["url"], data["text"]
    item.updated_by = getattr(actor, "email", "") or ""
    db.session.flush()
    audit.record(
        "transparency_item_saved",
        target=f"transparency_item:{item.id}",
        details={"section": item.section, "change": "added" if creating else "changed"},
        actor=actor,
        commit=False,
    )
    db.session.commit()
    return item


def delete_item(item: TransparencyItem, *, actor=None) -> None:
    audit.record(
        "transparency_item_deleted",
        target=f"transparency_item:{item.id}",
        details={"section": item.section, "title": item.title},
        actor=actor,
        commit=False,
    )
    db.session.delete(item)
    db.session.commit()


class ItemForm(FlaskForm):
    section = SelectField(_l("Subsección"), validators=[DataRequired()])
    title = StringField(
        _l("Título"), filters=[single_line], validators=[DataRequired(), Length(max=200), NoMarkup()]
    )
    url = StringField(
        _l("Enlace"),
        filters=[single_line],
        validators=[DataRequired(), Length(max=1000)],
        description=_l("Dirección del documento o la página: https://… o una dirección del portal."),
    )
    text = TextAreaField(_l("Descripción"), filters=[clean], validators=[Optional(), Length(max=1000)])


def _form(item=None):
    from app.transparency.services import SECTIONS

    form = ItemForm(obj=item)
    form.section.choices = [("", _("— Elige —"))] + [(k, str(t)) for k, t, _x in SECTIONS]
    return form


@permission_required("content.edit")
def index(item_id: int | None = None):
    from app.transparency.services import SECTIONS

    item = db.session.get(TransparencyItem, item_id) if item_id else None
    if item_id and item is None:
        abort(404)
    form = _form(item)
    if form.validate_on_submit():
        try:
            save_item(
                item,
                {
                    "section": form.section.data,
                    "title": form.title.data,
                    "url": form.url.data,
                    "text": form.text.data or "",
                },
                actor=current_user,
            )
        except ItemError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors = [str(exc)]
        else:
            flash(_("Publicado en Transparencia: Participa."), "success")
            return redirect(url_for(".index"))
    titles = {k: str(t) for k, t, _x in SECTIONS}
    return render_template(
        "transparency/staff/items.html", form=form, item=item, items=items(), titles=titles
    ), 422 if form.errors else 200


@permission_required("content.edit")
def delete(item_id: int):
    item = db.session.get(TransparencyItem, item_id)
    if item is None:
        abort(404)
    delete_item(item, actor=current_user)
    flash(_("Elemento borrado."), "success")
    return redirect(url_for(".index"))
