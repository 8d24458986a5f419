"""Citizen pages: list of surveys, answering, thanks, published results."""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from app.characterization import disclosure
from app.characterization.queries import answered_here as characterized_here
from app.core.ratelimit import client_ip, device_id, limit_public_post
from app.surveys import commands, forms, queries, results
from app.surveys.models import CHANNEL_LINK, CHANNEL_TOKEN, Survey

ANSWERED_COOKIE = "participa_encuestas"
SLUG = re.compile(r"[a-z0-9-]{1,80}")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="surveys-answered")


def answered_here() -> list[int]:
    """Ids of surveys answered from this browser, by either link (signed cookie; tampering voids it)."""
    raw = request.cookies.get(ANSWERED_COOKIE)
    if not raw or len(raw) > 4000:
        return []
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return []
    return [int(v) for v in value if isinstance(v, int)] if isinstance(value, list) else []


def remember_answered(response, survey_id: int):
    ids = [i for i in answered_here() if i != survey_id][-99:] + [survey_id]
    response.set_cookie(
        ANSWERED_COOKIE,
        _serializer().dumps(ids),
        max_age=2 * 365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


def index():
    published = queries.newest_first(published_only=True)
    open_now = [s for s in published if s.state() == "open" and s.accepts_open_answers]
    with_results = [s for s in published if s.results_public]
    return render_template("surveys/public/index.html", open_now=open_now, with_results=with_results)


def _published_or_404(slug: str) -> Survey:
    if not SLUG.fullmatch(slug or ""):
        abort(404)
    survey = queries.by_slug(slug)
    if survey is None or not survey.published:
        abort(404)
    return survey


@limit_public_post
def answer(slug: str):
    survey = _published_or_404(slug)
    token = (request.form.get("t") if request.method == "POST" else request.args.get("t")) or ""
    token = token.strip()[:100]
    event = queries.event_of(survey)
    state = survey.state()
    if state != "open":
        return render_template(
            "surveys/public/unavailable.html", survey=survey, event=event, reason=state
        ), 200
    if token:
        token_state = queries.token_state(survey, token)
        if token_state == "used":
            return render_template(
                "surveys/public/unavailable.html", survey=survey, event=event, reason="used"
            ), 200
        if token_state == "unknown":
            if not survey.accepts_open_answers:
                return render_template(
                    "surveys/public/unavailable.html", survey=survey, event=event, reason="bad_token"
                ), 200
            token = ""
    if not token:
        if not survey.accepts_open_answers:
            return render_template(
                "surveys/public/unavailable.html", survey=survey, event=event, reason="token_needed"
            ), 200
        if survey.id in answered_here():
            return render_template(
                "surveys/public/unavailable.html", survey=survey, event=event, reason="answered"
            ), 200

    # Whoever answered "who takes part" when signing this event's attendance is not asked again.
    asked_at_sign_in = bool(survey.event_id) and characterized_here("events", survey.event_id)
    form = forms.answer_form(
        survey,
        request.form if request.method == "POST" else None,
        token=token,
        ask_profile=not asked_at_sign_in,
    )
    if request.method == "POST":
        kept = forms.validate_answer_form(form, survey)
        if kept is not None:
            try:
                commands.submit(
                    survey,
                    kept,
                    profile=forms.profile_answers(form),
                    token=token or None,
                    device=device_id(),
                    address=client_ip(),
                )
            except commands.SurveyError as exc:
                if exc.code in ("used", "closed", "token_needed"):
                    reason = {"used": "used", "closed": "closed", "token_needed": "token_needed"}[exc.code]
                    return render_template(
                        "surveys/public/unavailable.html", survey=survey, event=event, reason=reason
                    ), 409
                raise
            if "profile" in form and not form.profile.form.consent.data:
                flash(
                    _(
                        "Guardamos tus respuestas. Como no marcaste la autorización de datos, no guardamos "
                        "tus respuestas de caracterización."
                    ),
                    "warning",
                )
            response = redirect(url_for("surveys.thanks", slug=survey.slug))
            # Remembered for the one-time link too: this browser cannot answer again through the
            # open link (the attendee already answered; the link is for people without one).
            return remember_answered(response, survey.id)
    return render_template(
        "surveys/public/answer.html",
        survey=survey,
        form=form,
        event=event,
        preview=False,
        action=url_for("surveys.answer", slug=survey.slug),
    ), (422 if form.errors else 200)


def thanks(slug: str):
    survey = _published_or_404(slug)
    return render_template("surveys/public/thanks.html", survey=survey, event=queries.event_of(survey))


def public_results(slug: str):
    survey = _published_or_404(slug)
    if not survey.results_public:
        abort(404)
    viewer = disclosure.public()
    data = results.compute(survey, viewer=viewer)
    # Which one-answer rule the answers passed: an attendee's one-time link, or a browser's marker.
    rules = [
        (
            channel,
            disclosure.display(
                disclosure.protect_hashed(
                    data.by_channel[channel], viewer, "survey", survey.id, "rule", channel
                )
            ),
        )
        for channel in (CHANNEL_TOKEN, CHANNEL_LINK)
        if data.by_channel.get(channel)
    ]
    return render_template(
        "surveys/public/results.html",
        survey=survey,
        results=data,
        event=queries.event_of(survey),
        note=disclosure.note(viewer),
        legend=disclosure.legend(viewer),
        rules=rules,
    )
