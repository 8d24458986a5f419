"""Public routes: agenda, event page, iCalendar, and the attendee's sign-in."""

from __future__ import annotations

import hmac
import secrets

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.catalogs import queries as catalogs
from app.catalogs.models import CATALOG_MODELS
from app.characterization import commands as characterization
from app.characterization.forms import answers_of
from app.core import registry
from app.core.cache import SharedCache, blank_form_page
from app.core.ratelimit import PUBLIC_POST_PER_IP, device_key, ip_key, post_only
from app.events import commands, ical, queries, tokens
from app.events.forms import ProfileStepForm, SignInForm, signature
from app.events.models import CODE, DRAFT, WEB, Event
from app.events.rules import declares_minor, profile_context, sign_in_state, window
from app.extensions import limiter

THANKS_KEY = "events_thanks"
SIGN_IN_PER_DEVICE_AND_FORM = "20 per 10 minutes"


def _page_number() -> int:
    value = request.args.get("pagina", "1")
    return max(1, min(int(value), 10000)) if value.isdigit() else 1


def public_index():
    when = "past" if request.args.get("cuando") == "pasados" else "upcoming"
    territory = request.args.get("territorio", "")[:40]
    kind = request.args.get("tipo", "")[:40]
    territories = catalogs.territory_choices()
    kinds = catalogs.choices("event_kind")
    territory = territory if territory in dict(territories) else ""
    kind = kind if kind in dict(kinds) else ""
    page = _page_number()
    events, has_more = queries.public_events(when=when, territory=territory, kind=kind, page=page)
    return render_template(
        "events/public/index.html",
        events=events,
        has_more=has_more,
        page=page,
        when=when,
        territory=territory,
        kind=kind,
        territories=territories,
        kinds=kinds,
        kind_labels=catalogs.labels("event_kind"),
        territory_names=catalogs.territory_names(),
        counts=queries.counts_for(e.id for e in events if e.status == "closed"),
    )


def event_page(event_id: int):
    event = queries.get(event_id)
    if event is None or event.status == DRAFT:
        abort(404)
    sections = registry.get().call("event_page_sections", event.id)
    return render_template(
        "events/public/event.html",
        event=event,
        sections=sections,
        state=sign_in_state(event),
        kind_labels=catalogs.labels("event_kind"),
        territory_names=catalogs.territory_names(),
        office_names=dict(catalogs.office_choices()),
        value_groups=catalogs.labels("value_group"),
    )


def event_ics(event_id: int):
    event = queries.get(event_id)
    if event is None or event.status == DRAFT:
        abort(404)
    body = ical.calendar([event], event.title)
    return Response(
        body,
        mimetype="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="evento-{event.id}.ics"'},
    )


def feed():
    body = ical.calendar(queries.feed_events(), _("Eventos de participación"))
    return Response(body, mimetype="text/calendar; charset=utf-8")


# ---------------------------------------------------------------------------- sign-in


@limiter.limit("30 per minute", key_func=device_key)
def by_code():
    """Typed fallback: the code printed on the poster leads to the event's sign-in form."""
    code = request.args.get("codigo", "")
    error = None
    if "codigo" in request.args and not code.strip():  # the form was sent empty
        error = _("Escribe el código que aparece en el cartel del evento, por ejemplo ABCD-234.")
    elif code:
        found = queries.find_by_code(code)
        if found is not None:
            # a rotating code leads to the rotating link of this minute (it expires like the QR)
            token = tokens.rotating_token(found.event) if found.rotating else found.event.token
            return redirect(url_for("events.sign_in", token=token, via="codigo"))
        error = _("No encontramos un evento con ese código. Revisa las letras y números del cartel.")
    return render_template("events/public/code.html", code=code[:20], error=error), (422 if error else 200)


def _form_limit_key() -> str:
    token = (request.view_args or {}).get("token", "")
    return f"signin:{device_key()}:{token.partition('.')[0][:40]}"


def _resolve_post(token: str, form):
    """Resolve the event of a POST: a valid link now, or a form opened through a valid link."""
    resolved = queries.resolve_token(token)
    if resolved is None and "." in token:
        event_id = token.partition(".")[0]
        event = queries.sign_in_event(int(event_id)) if event_id.isdigit() and len(event_id) < 10 else None
        if event is not None and tokens.ticket_ok(event, form.nonce.data or "", form.ticket.data or ""):
            resolved = queries.Resolved(event, True)
    return resolved


# A whole audience signs in from one venue IP: the per-IP ceiling is generous and the real limit is
# per device *and* form (a phone lent around the room still signs a dozen people). Two counters per
# signature instead of the four of `limit_public_post`: this is the busiest form of the portal.
@post_only(
    limiter.limit(PUBLIC_POST_PER_IP, key_func=ip_key),
    limiter.limit(SIGN_IN_PER_DEVICE_AND_FORM, key_func=_form_limit_key),
)
def sign_in(token: str):
    form = SignInForm() if request.method == "POST" else None  # the blank form comes from blank_form()
    resolved = _resolve_post(token, form) if form is not None else queries.resolve_token(token)
    if resolved is None:
        return render_template("events/public/link_invalid.html", rotating="." in token), 404
    event = resolved.event
    state = sign_in_state(event)
    if state == "draft":
        abort(404)
    if state != "open":
        opens, closes = window(event)
        return render_template(
            "events/public/closed.html", event=event, state=state, opens=opens, closes=closes
        )
    via_code = request.args.get("via") == "codigo"
    if request.method == "GET":
        return blank_form(event)
    if form.validate_on_submit():
        event_id = event.id
        result = commands.sign_in(event, signature(form), channel=CODE if via_code else WEB)
        if result.status == "duplicate":  # only after a valid, consented post (see commands.sign_in)
            return render_template("events/public/already.html", event=event)
        if result.status == "no_consent":
            form.consent.errors.append(
                _(
                    "Sin tu autorización no podemos guardar tu firma. Si prefieres no darla, firma la "
                    "planilla en papel "
                    "con el equipo del evento."
                )
            )
        else:
            thanks = session.get(THANKS_KEY) or {}
            if result.status == "signed" or str(event_id) not in thanks:
                thanks = {k: v for k, v in thanks.items() if k != str(event_id)}
                thanks = dict(list(thanks.items())[-4:])
                entry = {"links": result.links if result.status == "signed" else []}
                if result.status == "signed":
                    # The second step's one-time token: random, kept only in this signed cookie, with
                    # the event and a minor's flag; nothing that points to the signature.
                    entry["step"] = secrets.token_urlsafe(16)
                    entry["minor"] = declares_minor(form.doc_type.data)
                thanks[str(event_id)] = entry
                session[THANKS_KEY] = thanks
            return redirect(url_for("events.thanks", event_id=event_id), code=303)
    return render_template(
        "events/public/sign_in.html", event=event, form=form, csrf_value=generate_csrf()
    ), 422


# The blank form is the same for everyone except its CSRF token, nonce and ticket: rendered once per
# link and language (per worker, for up to 30 s; a change made in this process is seen at once).
# At a venue where hundreds of phones open the same link at once this halves the work of a sign-in.
_BLANK = SharedCache("events.sign_in_page", (Event, *CATALOG_MODELS), ttl=30.0)


def blank_form(event) -> str:
    def render(marks):
        form = SignInForm(meta={"csrf": False})
        form.nonce.data, form.ticket.data = marks["nonce"], marks["ticket"]
        return render_template("events/public/sign_in.html", event=event, form=form, csrf_value=marks["csrf"])

    nonce = tokens.new_nonce()
    return blank_form_page(
        _BLANK, (event.id, event.updated_at), render, nonce=nonce, ticket=tokens.ticket(event, nonce)
    )


def thanks(event_id: int):
    entry = (session.get(THANKS_KEY) or {}).get(str(event_id))
    event = queries.sign_in_event(event_id)
    if entry is None or event is None:
        abort(404)
    return thanks_page(
        event,
        entry.get("links", []),
        step_open=bool(entry.get("step")),
        answered=bool(entry.get("answered", False)),
    )


# Every attendee of an event lands on the same confirmation but for the survey links' one-time
# tokens (kept in the attendee's own signed cookie): rendered once per event, language and variant
# (per worker, up to 30 s) with a mark in place of each link's address, filled in per request.
_THANKS = SharedCache("events.thanks_page", (Event, *CATALOG_MODELS), ttl=30.0)


def thanks_page(event, links: list[dict], *, step_open: bool, answered: bool) -> str:
    texts = tuple(str(link.get("text", "")) for link in links)

    def render(marks):
        shown = [{"text": text, "url": Markup(marks[f"url{i}"])} for i, text in enumerate(texts)]
        return render_template(
            "events/public/thanks.html", event=event, links=shown, step_open=step_open, answered=answered
        )

    urls = {f"url{i}": str(escape(link.get("url", ""))) for i, link in enumerate(links)}
    return blank_form_page(
        _THANKS, (event.id, event.updated_at, step_open, answered, texts), render, csrf=False, **urls
    )


@post_only(
    limiter.limit(PUBLIC_POST_PER_IP, key_func=ip_key),
    limiter.limit(SIGN_IN_PER_DEVICE_AND_FORM, key_func=device_key),
)
def profile_step(event_id: int):
    """The optional second step, as a plain page: who takes part. Reached only from this browser's
    confirmation; its answers go to the profile buffer, apart from the signature."""
    thanks_map = session.get(THANKS_KEY) or {}
    entry = thanks_map.get(str(event_id))
    event = queries.sign_in_event(event_id)
    if entry is None or event is None:
        abort(404)
    if not entry.get("step"):
        return redirect(url_for("events.thanks", event_id=event_id), code=303)
    if request.method == "GET":
        return blank_step(event, entry["step"])
    form = ProfileStepForm()
    if request.form.get("saltar"):
        _close_step(thanks_map, event_id, answered=False)
        return redirect(url_for("events.thanks", event_id=event_id), code=303)
    if form.validate_on_submit():
        if not hmac.compare_digest(str(form.step.data or ""), str(entry["step"])):
            return redirect(url_for("events.thanks", event_id=event_id), code=303)
        _close_step(thanks_map, event_id, answered=True)  # one-time: a resent form stores nothing more
        dropped = characterization.record_answers(
            answers_of(form.profile.form), profile_context(event, WEB), minor=bool(entry.get("minor"))
        )
        characterization.mark_answered("events", event_id)
        if dropped:
            flash(
                _(
                    "Guardamos tus respuestas, menos las de datos sensibles: para guardarlas necesitamos la "
                    "autorización de tu representante legal."
                ),
                "warning",
            )
        return redirect(url_for("events.thanks", event_id=event_id), code=303)
    return render_template(
        "events/public/profile_step.html", event=event, form=form, csrf_value=generate_csrf()
    ), 422


# The blank second step is the same for every attendee of an event but for its CSRF token and
# one-time token: rendered once per event and language (per worker, up to 30 s), like the sign-in.
_BLANK_STEP = SharedCache("events.profile_step_page", (Event, *CATALOG_MODELS), ttl=30.0)


def blank_step(event, step_token: str) -> str:
    def render(marks):
        form = ProfileStepForm(meta={"csrf": False})
        form.step.data = marks["step"]
        return render_template(
            "events/public/profile_step.html", event=event, form=form, csrf_value=marks["csrf"]
        )

    return blank_form_page(_BLANK_STEP, (event.id, event.updated_at), render, step=step_token)


def _close_step(thanks_map: dict, event_id: int, *, answered: bool) -> None:
    entry = dict(thanks_map.get(str(event_id)) or {})
    entry.pop("step", None)
    entry.pop("minor", None)
    entry["answered"] = answered
    thanks_map[str(event_id)] = entry
    session[THANKS_KEY] = thanks_map
