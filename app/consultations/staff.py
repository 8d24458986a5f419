"""Staff pages under /gestion/consultas/: consultations, topics, moderation, results."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.catalogs import queries as catalogs
from app.characterization import disclosure
from app.consultations import bursts, commands, exports, queries, results
from app.consultations.forms import (
    ConsultationForm,
    ModerationForm,
    TopicForm,
    consultation_data,
    topic_data,
)
from app.consultations.models import Consultation, ConsultationProposal, ConsultationTopic
from app.core import registry, time
from app.core.auth import may, office_choices, permission_required
from app.extensions import db


def _get(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        abort(404)
    return consultation


def _editable(consultation_id: int) -> Consultation:
    """The consultation, if the current user may edit it (editors: only their offices)."""
    consultation = _get(consultation_id)
    if not may(current_user, "content.edit", [consultation.office_code]):
        abort(403)
    return consultation


def _can_edit(consultation: Consultation) -> bool:
    return may(current_user, "content.edit", [consultation.office_code])


def _can_see_results(consultation: Consultation) -> bool:
    return current_user.can("dashboards.view") or _can_edit(consultation)


def _office_choices():
    return office_choices(current_user, catalogs.office_choices())


@permission_required("content.view")
def index():
    return render_template(
        "consultations/staff/index.html",
        rows=queries.staff_overview(),
        can_edit=_can_edit,
        can_results=_can_see_results,
    )


def _save(form, consultation=None):
    try:
        saved = commands.save_consultation(consultation_data(form), consultation)
    except commands.ConsultationError as exc:
        db.session.rollback()
        target = form.slug if isinstance(exc, commands.SlugTaken) else form.rule
        target.errors = [*target.errors, str(exc)]
        return None
    flash(_("Guardamos la consulta «%(title)s».", title=saved.title), "success")
    return redirect(url_for("consultations_staff.detail", consultation_id=saved.id))


@permission_required("content.edit")
def new():
    form = ConsultationForm(office_choices=_office_choices())
    if request.method == "GET":
        start = time.local_now().replace(minute=0, second=0, microsecond=0)
        form.opens_at.data = start
        form.closes_at.data = start.replace(hour=23, minute=59) + timedelta(days=30)
        form.variables.data = ["life_course", "sex", "ethnicity", "disability", "victim", "value_group"]
    if form.validate_on_submit():
        done = _save(form)
        if done:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("consultations/staff/form.html", form=form, c=None), status


@permission_required("content.edit")
def edit(consultation_id: int):
    consultation = _editable(consultation_id)
    form = ConsultationForm(obj=consultation, office_choices=_office_choices() or catalogs.office_choices())
    if request.method == "GET":
        form.opens_at.data = time.to_local(consultation.opens_at)
        form.closes_at.data = time.to_local(consultation.closes_at)
        form.variables.data = list(consultation.variables or [])
    if form.validate_on_submit():
        done = _save(form, consultation)
        if done:
            return done
    status = 422 if request.method == "POST" else 200
    return render_template("consultations/staff/form.html", form=form, c=consultation), status


@permission_required("content.view")
def detail(consultation_id: int):
    consultation = _get(consultation_id)
    return render_template(
        "consultations/staff/detail.html",
        c=consultation,
        count=queries.response_count(consultation.id),
        pending=queries.pending_proposals(consultation.id),
        can_edit=_can_edit(consultation),
        can_results=_can_see_results(consultation),
    )


def _event_choices():
    return [(int(eid), label) for eid, label in registry.get().call("event_options")]


@permission_required("content.edit")
def topic_form(consultation_id: int, topic_id: int | None = None):
    consultation = _editable(consultation_id)
    topic = None
    if topic_id is not None:
        topic = db.session.get(ConsultationTopic, topic_id)
        if topic is None or topic.consultation_id != consultation.id:
            abort(404)
    form = TopicForm(obj=topic, event_choices=_event_choices())
    if request.method == "GET" and topic is not None:
        form.events.data = topic.event_ids
    if form.validate_on_submit():
        saved = commands.save_topic(consultation, topic_data(form), topic)
        flash(_("Guardamos el tema «%(title)s».", title=saved.title), "success")
        return redirect(url_for("consultations_staff.detail", consultation_id=consultation.id) + "#temas")
    status = 422 if request.method == "POST" else 200
    return render_template(
        "consultations/staff/topic_form.html", form=form, c=consultation, topic=topic
    ), status


@permission_required("content.edit")
def topic_toggle(consultation_id: int, topic_id: int, action: str):
    consultation = _editable(consultation_id)
    topic = db.session.get(ConsultationTopic, topic_id)
    if topic is None or topic.consultation_id != consultation.id:
        abort(404)
    commands.set_topic_active(topic, action == "activar")
    flash(
        _("Retiramos el tema del formulario; sus votos siguen en los resultados.")
        if action == "retirar"
        else _("El tema vuelve a estar en el formulario."),
        "success",
    )
    return redirect(url_for("consultations_staff.detail", consultation_id=consultation.id) + "#temas")


@permission_required("content.edit")
def publish(consultation_id: int, action: str):
    consultation = _editable(consultation_id)
    commands.publish_results(consultation, action == "publicar")
    flash(
        _("Los resultados ya son públicos.")
        if action == "publicar"
        else _("Los resultados dejaron de ser públicos."),
        "success",
    )
    return redirect(url_for("consultations_staff.detail", consultation_id=consultation.id))


@permission_required("content.edit")
def proposals(consultation_id: int):
    consultation = _editable(consultation_id)
    return render_template(
        "consultations/staff/proposals.html", c=consultation, proposals=queries.proposals(consultation.id)
    )


@permission_required("content.edit")
def moderate(consultation_id: int, proposal_id: int):
    consultation = _editable(consultation_id)
    proposal = db.session.get(ConsultationProposal, proposal_id)
    if proposal is None or proposal.consultation_id != consultation.id:
        abort(404)
    form = ModerationForm()
    form.merge_into.choices = [("", _("— Elige un tema —"))] + [
        (str(t.id), t.title) for t in consultation.public_topics
    ]
    if request.method == "GET":
        form.title.data = proposal.title
    if form.validate_on_submit():
        try:
            commands.moderate(
                proposal,
                form.decision.data,
                merge_into=int(form.merge_into.data) if (form.merge_into.data or "").isdigit() else None,
                title=form.title.data or "",
                reason=form.reason.data or "",
                actor=current_user,
            )
        except commands.ConsultationError as exc:
            db.session.rollback()
            form.decision.errors.append(str(exc))
        else:
            flash(_("Guardamos la decisión sobre «%(title)s».", title=proposal.title), "success")
            return redirect(url_for("consultations_staff.proposals", consultation_id=consultation.id))
    status = 422 if request.method == "POST" else 200
    return render_template("consultations/staff/moderate.html", c=consultation, p=proposal, form=form), status


def _staff_results(consultation_id: int) -> results.Results:
    consultation = _get(consultation_id)
    if not _can_see_results(consultation):
        abort(403)
    return results.compute(
        consultation,
        request.args.get("por", "territory"),
        disclosure.viewer_for(current_user),
        verified_only=request.args.get("verificadas") == "1",
    )


@permission_required("content.view")
def staff_results(consultation_id: int):
    data = _staff_results(consultation_id)
    if bursts.purge(consultation_id):
        db.session.commit()
    return render_template(
        "consultations/staff/results.html",
        c=data.consultation,
        r=data,
        can_edit=_can_edit(data.consultation),
        bursts=bursts.flagged(consultation_id),
        burst_thresholds=bursts.THRESHOLDS,
    )


@permission_required("content.view")
def staff_results_export(consultation_id: int, fmt: str):
    data = _staff_results(consultation_id)
    return exports.results_download(data, fmt, what="consultations.results")
