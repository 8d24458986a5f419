"""Staff inbox of the urna virtual (under /gestion/urna/, permission content.edit)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.catalogs import queries as catalogs
from app.core import registry, time
from app.core.auth import office_choices, permission_required
from app.extensions import db

from . import commands, notices, queries, redaction, rules
from .forms import AnswerForm, ExtendForm, InboxFilterForm, NoteForm, PublicVersionForm, RouteForm
from .models import BallotQuestion

ACTIVITY_LABELS = {
    "received": _l("Radicada"),
    "assigned": _l("Asignada"),
    "classified": _l("Reclasificada"),
    "linked": _l("Vinculada a evento o tema"),
    "note": _l("Nota interna"),
    "drafted": _l("Borrador guardado"),
    "approved": _l("Respuesta aprobada"),
    "answered": _l("Respuesta enviada"),
    "extended": _l("Plazo ampliado"),
    "closed": _l("Cerrada"),
    "archived": _l("Publicada en el archivo"),
    "unarchived": _l("Retirada del archivo"),
    "data_lookup": _l("Búsqueda de los datos de la persona"),
    "data_erased": _l("Datos de la persona borrados"),
}


def _question(question_id: int) -> BallotQuestion:
    question = db.session.get(BallotQuestion, question_id)
    if question is None:
        abort(404)
    if not rules.can_handle(current_user, question):
        abort(403)
    return question


def _route_form(question: BallotQuestion, formdata=None) -> RouteForm:
    if formdata is not None:
        return RouteForm(formdata=formdata)
    return RouteForm(
        formdata=None,
        data={
            "office": question.office_code or "",
            "kind": question.kind,
            "event": str(question.event_id or ""),
            "topic": str(question.topic_id or ""),
        },
    )


def _detail(question: BallotQuestion, status: int = 200, **forms):
    answer = question.answer
    forms.setdefault("route_form", _route_form(question))
    forms.setdefault("note_form", NoteForm(formdata=None))
    forms.setdefault("answer_form", AnswerForm(formdata=None, data={"body": answer.body if answer else ""}))
    forms.setdefault("extend_form", ExtendForm(formdata=None))
    event = None
    if question.event_id:
        summaries = registry.get().call("event_summary", question.event_id)
        event = summaries[0] if summaries else None
    return render_template(
        "ballot/staff/detail.html",
        q=question,
        answer=answer,
        event=event,
        overdue=rules.is_overdue(question),
        days_left=rules.days_left(question),
        max_extension=rules.max_extension_date(question),
        show_identity=current_user.can("names.view"),
        activity_labels=ACTIVITY_LABELS,
        **forms,
    ), status


def _done(question: BallotQuestion, message: str):
    flash(message, "success")
    return redirect(url_for("ballot_staff.detail", question_id=question.id))


@permission_required("content.edit")
def inbox():
    filters = queries.InboxFilters.from_args(request.args)
    offices = office_choices(current_user, catalogs.office_choices())
    page = queries.inbox(rules.scope_condition(current_user), filters)
    form = InboxFilterForm(request.args, offices=offices)
    return render_template(
        "ballot/staff/inbox.html",
        page=page,
        filters=filters,
        form=form,
        today=time.today(),
        soon=queries.due_soon_limit(),
        failing=notices.failing_count(),
        show_outbox=rules.sees_everything(current_user),
    )


@permission_required("content.edit")
def detail(question_id: int):
    return _detail(_question(question_id))


@permission_required("content.edit")
def route(question_id: int):
    question = _question(question_id)
    form = _route_form(question, request.form)
    if form.validate():
        try:
            commands.route(
                question,
                current_user,
                office_code=form.office.data or None,
                kind=form.kind.data,
                event_id=int(form.event.data) if form.event.data else None,
                topic_id=int(form.topic.data) if form.topic.data else None,
            )
        except commands.WorkflowError as exc:
            form.office.errors = [str(exc)]
        else:
            if not rules.can_handle(current_user, question):
                flash(_("Enviaste %(radicado)s a otra dependencia.", radicado=question.radicado), "success")
                return redirect(url_for("ballot_staff.inbox"))
            return _done(question, _("Guardamos el enrutamiento."))
    return _detail(question, 422, route_form=form)


@permission_required("content.edit")
def note(question_id: int):
    question = _question(question_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            commands.add_note(question, current_user, form.body.data)
        except commands.WorkflowError as exc:
            form.body.errors = [str(exc)]
        else:
            return _done(question, _("Agregamos la nota interna."))
    return _detail(question, 422, note_form=form)


@permission_required("content.edit")
def answer(question_id: int):
    question = _question(question_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            commands.save_draft(question, current_user, form.body.data)
        except commands.WorkflowError as exc:
            form.body.errors = [str(exc)]
        else:
            return _done(question, _("Guardamos el borrador. Otra persona debe aprobarlo antes de enviarlo."))
    return _detail(question, 422, answer_form=form)


def _simple_action(question_id: int, action, message: str):
    question = _question(question_id)
    try:
        action(question, current_user)
    except commands.WorkflowError as exc:
        flash(str(exc), "error")
        return redirect(url_for("ballot_staff.detail", question_id=question.id))
    return _done(question, message)


@permission_required("content.edit")
def approve(question_id: int):
    return _simple_action(question_id, commands.approve, _("Aprobaste la respuesta. Ya se puede enviar."))


@permission_required("content.edit")
def publish(question_id: int):
    return _simple_action(
        question_id,
        commands.publish_answer,
        _("Enviamos la respuesta: la persona la ve en el seguimiento y, si dejó correo, le llega un aviso."),
    )


@permission_required("content.edit")
def close(question_id: int):
    return _simple_action(question_id, commands.close, _("Cerraste la solicitud."))


@permission_required("content.edit")
def extend(question_id: int):
    question = _question(question_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            commands.extend(question, current_user, form.new_due.data, form.reason.data)
        except commands.WorkflowError as exc:
            form.new_due.errors = [*form.new_due.errors, str(exc)]
        else:
            return _done(question, _("Ampliamos el plazo y avisamos a la persona."))
    return _detail(question, 422, extend_form=form)


@permission_required("content.edit")
def public_version(question_id: int):
    question = _question(question_id)
    if question.status not in ("answered", "closed"):
        flash(_("Solo se publican en el archivo solicitudes ya respondidas."), "error")
        return redirect(url_for("ballot_staff.detail", question_id=question.id))
    leftovers: list[str] = []
    if request.method == "GET":
        suggested = queries.suggested_public_version(question)
        if question.public:
            suggested = {
                "title": question.public_title,
                "question": question.public_question,
                "answer": question.public_answer,
            }
        form = PublicVersionForm(formdata=None, data=suggested)
    else:
        form = PublicVersionForm()
        if request.form.get("action") == "redact" and form.is_submitted():
            form.question.data = redaction.redact(form.question.data, name=question.name)
            form.answer.data = redaction.redact(form.answer.data, name=question.name)
            form.title.data = redaction.redact(form.title.data, name=question.name)
        elif form.validate_on_submit():
            try:
                commands.save_public_version(
                    question,
                    current_user,
                    title=form.title.data,
                    question_text=form.question.data,
                    answer_text=form.answer.data,
                    confirmed=form.confirm.data,
                )
            except commands.LeftoversError as exc:
                leftovers = exc.found
                form.confirm.errors = [str(exc)]
            except commands.WorkflowError as exc:
                form.title.errors = [str(exc)]
            else:
                return _done(question, _("Publicamos la pregunta y la respuesta en el archivo público."))
    status = 422 if request.method == "POST" and (form.errors or leftovers) else 200
    return render_template(
        "ballot/staff/public_version.html", q=question, form=form, leftovers=leftovers
    ), status


@permission_required("content.edit")
def unpublish(question_id: int):
    return _simple_action(question_id, commands.unpublish, _("Retiraste la respuesta del archivo público."))


@permission_required("content.edit")
def outbox():
    if not rules.sees_everything(current_user):
        abort(403)
    if request.method == "POST":
        notices.retry_now()
        sent, failed = notices.deliver_pending()
        flash(
            _("Avisos enviados: %(sent)s. Sin enviar: %(failed)s.", sent=sent, failed=failed),
            "success" if not failed else "warning",
        )
        return redirect(url_for("ballot_staff.outbox"))
    return render_template("ballot/staff/outbox.html", rows=notices.pending(), total=notices.pending_count())
