"""Staff pages of data-subject requests: the list, one request, erasing what the entity holds."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from app.core import retention, time
from app.core.auth import permission_required

from .. import rules
from . import commands, queries
from .forms import EraseForm, VerifyForm


def _request(question_id: int):
    found = queries.request(question_id)
    if found is None:
        abort(404)
    return found


def _page(req, *, verify_form=None, erase_form=None, found=None, status=200):
    question = req.question
    return render_template(
        "ballot/staff/data_request.html",
        req=req,
        q=question,
        rights=commands.RIGHTS,
        verify_form=verify_form or VerifyForm(formdata=None),
        erase_form=erase_form,
        found=found,
        days_left=rules.days_left(question),
        overdue=rules.is_overdue(question),
    ), status


def _erase_form(found, subject, formdata=None) -> EraseForm:
    form = (
        EraseForm(formdata=formdata)
        if formdata is not None
        else EraseForm(formdata=None, data={"doc_type": subject.doc_type, "doc_number": subject.doc_number})
    )
    form.records.choices = [
        (f"{source.name}:{record.id}", record.what)
        for source, records in found
        for record in records
        if record.erasable and source.erase is not None
    ]
    return form


@permission_required("data_requests.handle")
def data_requests():
    return render_template("ballot/staff/data_requests.html", rows=queries.requests(), today=time.today())


@permission_required("data_requests.handle")
def data_request_detail(question_id: int):
    req = _request(question_id)
    if request.method == "GET":
        return _page(req)
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            subject = commands.verify(req, form.doc_type.data, form.doc_number.data)
        except commands.RequestError as exc:
            form.doc_number.errors = [*form.doc_number.errors, str(exc)]
        else:
            found = commands.lookup(req, subject, current_user)
            erase_form = _erase_form(found, subject) if req.question.kind == "data_claim" else None
            return _page(req, verify_form=form, erase_form=erase_form, found=found)
    return _page(req, verify_form=form, status=422)


@permission_required("data_requests.handle")
def data_request_erase(question_id: int):
    req = _request(question_id)
    try:
        subject = commands.verify(req, request.form.get("doc_type", ""), request.form.get("doc_number", ""))
    except commands.RequestError as exc:
        flash(str(exc), "error")
        return redirect(url_for("ballot_staff.data_request_detail", question_id=question_id))
    found = retention.holdings(subject)
    form = _erase_form(found, subject, request.form)
    if form.validate_on_submit():
        selected: dict[str, list[str]] = {}
        for value in form.records.data or []:
            name, _sep, record_id = value.partition(":")
            selected.setdefault(name, []).append(record_id)
        try:
            counts = commands.erase(req, subject, selected, form.reason.data, current_user)
        except commands.RequestError as exc:
            form.records.errors = [*form.records.errors, str(exc)]
        else:
            flash(
                ngettext(
                    "Borramos %(num)d registro de la persona. Quedó en el registro de auditoría con el "
                    "motivo.",
                    "Borramos %(num)d registros de la persona. Quedó en el registro de auditoría con el "
                    "motivo.",
                    sum(counts.values()),
                ),
                "success",
            )
            return redirect(url_for("ballot_staff.data_request_detail", question_id=question_id))
    verify_form = VerifyForm(
        formdata=None, data={"doc_type": subject.doc_type, "doc_number": subject.doc_number}
    )
    return _page(req, verify_form=verify_form, erase_form=form, found=found, status=422)
