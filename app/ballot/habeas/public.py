"""The citizen page to file a data-subject request (consulta or reclamo, Ley 1581 de 2012)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from app.core.i18n import selected_language
from app.core.ratelimit import limit_public_post

from ..public import _remember, keep_receipt
from . import commands
from .forms import DataRequestForm


@limit_public_post
def data_request():
    form = DataRequestForm()
    if form.validate_on_submit():
        filing = commands.Filing(
            kind=form.kind.data,
            rights=tuple(form.rights.data or ()),
            name=form.name.data,
            doc_type=form.doc_type.data,
            doc_number=form.doc_number.data,
            email=form.email.data or "",
            phone=form.phone.data or "",
            details=form.details.data or "",
        )
        try:
            receipt = commands.file_request(filing, lang=selected_language())
        except commands.RequestError as exc:
            form.kind.errors = [*form.kind.errors, str(exc)]
        else:
            _remember(receipt.question.radicado)
            keep_receipt(
                receipt.question.radicado, receipt.code, consented=True, dropped=False, had_profile=False
            )
            return redirect(url_for("ballot.receipt"))
    status = 422 if request.method == "POST" else 200
    return render_template("ballot/public/data_request.html", form=form), status
