"""What surveys give other pages through the registry (see CONTRIBUTING.md, hooks)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.core import time
from app.core.db import RowBatch
from app.core.text import single_line
from app.extensions import db
from app.surveys import queries
from app.surveys.models import Survey
from app.surveys.tokens import new_token


def after_sign_in(event_id, batch: RowBatch) -> list[dict]:
    """Called by events at each signature: a one-time right to answer each open survey of the
    event, as a link shown on the thanks page.

    The token is signed, not stored: the signature's `batch` gets no row from us, so nothing
    written with the attendance row (same transaction, neighbouring physical position) can lead
    to the answer. The used-token register gets the token's hash only when the survey is answered.
    Which surveys the event has comes from a cached query (`queries.event_surveys`): every
    signature of a busy event asks it.
    """
    links = []
    now = time.now()
    for survey in queries.event_surveys(int(event_id)):
        if survey.closes_at is not None and survey.closes_at <= now:
            continue
        links.append(
            {
                "text": _("Evalúa este evento: responde la encuesta «%(title)s»", title=survey.title),
                "url": url_for("surveys.answer", slug=survey.slug, t=new_token(survey.id)),
            }
        )
    return links


def event_page_sections(event_id) -> list[dict]:
    """The evaluation link (and published results) on the event's public page."""
    surveys = db.session.scalars(
        select(Survey).where(Survey.event_id == int(event_id), Survey.published.is_(True)).order_by(Survey.id)
    ).all()
    items = []
    for s in surveys:
        state = s.state()
        if state in ("open", "scheduled"):
            text = (
                _("Encuesta de evaluación: %(title)s", title=s.title)
                if s.accepts_open_answers
                else _(
                    "Encuesta de evaluación: %(title)s (con el enlace que recibes al firmar la asistencia)",
                    title=s.title,
                )
            )
            items.append({"text": text, "url": url_for("surveys.answer", slug=s.slug)})
        if s.results_public:
            items.append(
                {
                    "text": _("Resultados de la evaluación: %(title)s", title=s.title),
                    "url": url_for("surveys.public_results", slug=s.slug),
                }
            )
    return [{"title": _("Evaluación del evento"), "items": items}] if items else []


def home() -> list[dict]:
    """Open surveys anyone can answer now (attached surveys need the sign-in link: not listed)."""
    now = time.now()
    out = []
    for s in queries.open_surveys():
        if s.state(now) == "open" and s.accepts_open_answers:
            out.append(
                {
                    "title": s.title,
                    "text": _("Encuesta abierta. Responderla toma pocos minutos."),
                    "url": url_for("surveys.answer", slug=s.slug),
                    "action": _("Responder la encuesta"),
                }
            )
    return out[:6]


def search(query: str) -> list[dict]:
    query = single_line(query or "")
    if len(query) < 2:
        return []
    like = f"%{query.replace('%', '').replace('_', '')}%"
    rows = db.session.scalars(
        select(Survey)
        .where(Survey.published.is_(True), or_(Survey.title.ilike(like), Survey.intro.ilike(like)))
        .order_by(Survey.id.desc())
        .limit(20)
    )
    out = []
    for s in rows:
        if s.results_public:
            out.append(
                {
                    "title": s.title,
                    "url": url_for("surveys.public_results", slug=s.slug),
                    "kind": _("Encuesta"),
                    "text": _("Resultados publicados"),
                }
            )
        elif s.state() == "open":
            out.append(
                {
                    "title": s.title,
                    "url": url_for("surveys.answer", slug=s.slug),
                    "kind": _("Encuesta"),
                    "text": _("Encuesta abierta"),
                }
            )
    return out


def characterization_objects() -> list[dict]:
    rows = db.session.execute(
        select(Survey.id, Survey.title, Survey.opens_at, Survey.created_at)
        .where(Survey.published.is_(True))
        .order_by(Survey.id)
    ).all()
    return [
        {
            "capability": "surveys",
            "object_id": str(r.id),
            "label": _("Encuesta: %(title)s", title=r.title),
            "date": time.to_local(r.opens_at or r.created_at).date(),
        }
        for r in rows
    ]


def transparency_items(section: str) -> list[dict]:
    """Published survey results belong to "rendición de cuentas"."""
    if section != "rendicion":
        return []
    rows = db.session.scalars(
        select(Survey)
        .where(Survey.published.is_(True), Survey.results_public.is_(True))
        .order_by(Survey.id.desc())
    ).all()
    return [
        {
            "title": _("Resultados de la encuesta «%(title)s»", title=s.title),
            "url": url_for("surveys.public_results", slug=s.slug),
            "text": _("Percepción de la ciudadanía: satisfacción, calificaciones y recomendación."),
        }
        for s in rows
    ]


def catalog_usage(kind: str, list_key, code: str) -> int:
    """Offices used by surveys are never deleted from the catalog."""
    if kind != "office":
        return 0
    return db.session.scalar(select(func.count()).select_from(Survey).where(Survey.office_code == code)) or 0
