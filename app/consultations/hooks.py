"""What other parts of Participa read from consultations (registry entries and hooks)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.consultations import queries
from app.consultations.models import Consultation, ConsultationTopic
from app.core import time
from app.extensions import db


def _topic_url(topic: ConsultationTopic) -> str:
    return url_for("consultations.public_topic", slug=topic.consultation.slug, topic_id=topic.id)


def home() -> list[dict]:
    """Open consultations, soonest to close first."""
    out = []
    for c in queries.public_consultations()["open"]:
        out.append(
            {
                "title": c.title,
                "text": _(
                    "Elige hasta %(n)s temas sobre los que la administración debe rendir cuentas. Cierra el "
                    "%(date)s.",
                    n=c.max_choices,
                    date=time.to_local(c.closes_at).strftime("%d/%m/%Y %H:%M"),
                ),
                "url": queries.public_url(c),
                "action": _("Elegir temas"),
            }
        )
    return out


def search(query: str) -> list[dict]:
    return [
        {
            "title": c.title,
            "url": queries.public_url(c),
            "kind": _("Consulta"),
            "text": (c.introduction or "")[:200],
        }
        for c in queries.search(query)
    ]


def topic_options() -> list[tuple[int, str]]:
    """Public topics, for other capabilities to link to (e.g. improvement-plan actions)."""
    stmt = (
        select(ConsultationTopic, Consultation.title)
        .join(Consultation)
        .where(Consultation.is_public.is_(True), ConsultationTopic.active.is_(True))
        .order_by(Consultation.closes_at.desc(), ConsultationTopic.position, ConsultationTopic.id)
    )
    return [(t.id, f"{title} › {t.title}") for t, title in db.session.execute(stmt)]


def topic_summary(topic_id) -> dict | None:
    try:
        topic = db.session.get(ConsultationTopic, int(topic_id))
    except (TypeError, ValueError):
        return None
    if topic is None or not topic.consultation.is_public:
        return None
    return {
        "id": topic.id,
        "title": topic.title,
        "url": _topic_url(topic),
        "consultation": topic.consultation.title,
    }


def event_page_sections(event_id) -> list[dict]:
    """The consultation topics an event will answer."""
    try:
        topics = queries.topics_for_event(int(event_id))
    except (TypeError, ValueError):
        return []
    if not topics:
        return []
    return [
        {
            "title": _("Temas priorizados por la ciudadanía que responde este evento"),
            "items": [{"text": f"{t.title} ({t.consultation.title})", "url": _topic_url(t)} for t in topics],
        }
    ]


def characterization_objects() -> list[dict]:
    return [
        {
            "capability": "consultations",
            "object_id": c.id,
            "label": c.title,
            "date": time.to_local(c.opens_at).date(),
        }
        for c in db.session.scalars(select(Consultation).order_by(Consultation.opens_at.desc()))
    ]


def transparency_items(section: str) -> list[dict]:
    """Section "consulta": every public consultation; "rendicion": published results (the
    topics citizens asked the entity to report on)."""
    if section not in ("consulta", "rendicion"):
        return []
    stmt = (
        select(Consultation).where(Consultation.is_public.is_(True)).order_by(Consultation.closes_at.desc())
    )
    out = []
    for c in db.session.scalars(stmt):
        if section == "consulta":
            state = {"open": _("Abierta"), "upcoming": _("Próximamente"), "closed": _("Cerrada")}[c.state()]
            out.append(
                {
                    "title": c.title,
                    "url": queries.public_url(c),
                    "text": _("Consulta de priorización de temas · %(state)s", state=state),
                }
            )
        elif c.results_published:
            out.append(
                {
                    "title": _("Temas priorizados: %(title)s", title=c.title),
                    "url": url_for("consultations.public_results", slug=c.slug),
                    "text": _("Resultados de la consulta, por territorio y grupo poblacional."),
                }
            )
    return out


def catalog_usage(kind: str, list_key: str | None, code: str) -> int:
    """Offices used by consultations and topics (characterisation answers are checked there)."""
    if kind != "office":
        return 0
    n = (
        db.session.scalar(
            select(func.count()).select_from(Consultation).where(Consultation.office_code == code)
        )
        or 0
    )
    return n + (
        db.session.scalar(
            select(func.count()).select_from(ConsultationTopic).where(ConsultationTopic.office_code == code)
        )
        or 0
    )
