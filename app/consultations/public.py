"""Public pages: list, the response form, thanks, results (page and downloads), topic pages."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.catalogs.models import CATALOG_MODELS
from app.characterization import disclosure
from app.consultations import commands, exports, queries, results, rules
from app.consultations.forms import response_data, response_form
from app.consultations.models import RULE_DEVICE, Consultation, ConsultationProposal, ConsultationTopic
from app.core.cache import SharedCache, blank_form_page
from app.core.ratelimit import client_ip, device_id, limit_public_post


def _consultation(slug: str) -> queries.PublicConsultation:
    consultation = queries.public_by_slug(slug)
    if consultation is None:
        abort(404)
    return consultation


def public_index():
    return render_template("consultations/public/index.html", groups=queries.public_consultations())


@limit_public_post
def public_show(slug: str):
    consultation = _consultation(slug)
    consultation_id = consultation.id
    already = rules.answered_ids(request.cookies.get(rules.ANSWERED_COOKIE))
    answered_here = consultation_id in already
    state = consultation.state()
    if request.method == "GET" and state == "open":
        return _blank_page(consultation, answered_here)
    form = response_form(consultation, consultation.topic_choices()) if state == "open" else None
    error, status = None, 200
    if request.method == "POST":
        if form is None:
            error, status = _("Esta consulta no está abierta, así que no guardamos tu respuesta."), 409
        elif form.validate_on_submit():
            try:
                outcome = commands.submit_response(
                    consultation,
                    response_data(form),
                    already if consultation.rule == RULE_DEVICE else set(),
                    device=device_id(),
                    address=client_ip(),
                )
            except commands.ConsultationError as exc:
                error, status = str(exc), 409
            else:
                response = redirect(
                    url_for(
                        "consultations.public_thanks",
                        slug=slug,
                        autorizo=int(outcome.consented),
                        propuesta=int(outcome.proposed),
                    )
                )
                response.set_cookie(
                    rules.ANSWERED_COOKIE,
                    rules.answered_cookie(already | {consultation_id}),
                    max_age=365 * 24 * 3600,
                    httponly=True,
                    samesite="Lax",
                    secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
                )
                return response
        else:
            status = 422
    summary = None
    if state == "closed" and consultation.results_published:
        summary = results.compute(consultation, viewer=disclosure.public()).ranking[:5]
    return _page(consultation, form, state, answered_here, error=error, summary=summary), status


def _page(
    consultation, form, state: str, answered_here: bool, *, error=None, summary=None, csrf_value=None
) -> str:
    return render_template(
        "consultations/public/show.html",
        c=consultation,
        form=form,
        state=state,
        groups=queries.grouped_topics(consultation),
        answered_here=answered_here,
        error=error,
        summary=summary,
        csrf_value=csrf_value,
        decided=queries.decided_proposals(consultation.id),
    )


# The blank form of an open consultation is the same for every visitor but its CSRF token: rendered
# once per worker and language (for up to 30 s; a change made in this process is seen at once).
_FORM_PAGES = SharedCache(
    "consultations.form_page",
    (Consultation, ConsultationTopic, ConsultationProposal, *CATALOG_MODELS),
    ttl=30.0,
)


def _blank_page(consultation, answered_here: bool) -> str:
    def render(marks):
        form = response_form(consultation, consultation.topic_choices(), meta={"csrf": False})
        return _page(consultation, form, "open", answered_here, csrf_value=marks["csrf"])

    return blank_form_page(_FORM_PAGES, (consultation.id, answered_here), render)


def public_thanks(slug: str):
    consultation = _consultation(slug)
    return render_template(
        "consultations/public/thanks.html",
        c=consultation,
        consented=request.args.get("autorizo") == "1",
        proposed=request.args.get("propuesta") == "1",
    )


def _public_results(slug: str):
    consultation = _consultation(slug)
    if not consultation.results_published:
        abort(404)
    return results.compute(consultation, request.args.get("por", "territory"), disclosure.public())


def public_results(slug: str):
    data = _public_results(slug)
    return render_template("consultations/public/results.html", c=data.consultation, r=data)


def public_results_export(slug: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    data = _public_results(slug)
    return exports.results_download(data, fmt, what="consultations.results.public")


def public_topic(slug: str, topic_id: int):
    consultation = _consultation(slug)
    topic = queries.public_topic(consultation.id, topic_id)
    if topic is None:
        abort(404)
    return render_template(
        "consultations/public/topic.html",
        c=consultation,
        topic=topic,
        trace=queries.topic_trace(topic.id),
        merged=queries.merged_count(topic.id),
    )
