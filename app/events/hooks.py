"""What the events capability gives the rest of Participa through the registry: event options and
summaries for other capabilities, characterisation objects, home entries, site search,
transparency items (section "rendicion") and the catalog usage checker."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select

from app.core import time
from app.core.text import single_line
from app.events.models import CANCELLED, CLOSED, DRAFT, PUBLISHED, Attendance, Event, EventOffice, EventTarget
from app.events.queries import signing_now, upcoming
from app.events.rules import escape_like, format_local
from app.extensions import db


def _label(event: Event) -> str:
    return f"{event.title} ({time.to_local(event.starts_at):%Y-%m-%d})"


def event_options() -> list[tuple[int, str]]:
    rows = db.session.scalars(
        select(Event).where(Event.status != CANCELLED).order_by(Event.starts_at.desc()).limit(500)
    )
    return [(e.id, _label(e)) for e in rows]


def event_summary(event_id) -> dict | None:
    event = db.session.get(Event, int(event_id)) if str(event_id).isdigit() else None
    if event is None or event.status == DRAFT:
        return None
    return {
        "id": event.id,
        "title": event.title,
        "title_en": event.title_en,
        "url": url_for("events.event_page", event_id=event.id),
        "starts_at": event.starts_at,
        "kind": event.kind,
    }


def characterization_objects() -> list[dict]:
    rows = db.session.scalars(
        select(Event).where(Event.status.in_((PUBLISHED, CLOSED))).order_by(Event.starts_at.desc())
    )
    return [
        {
            "capability": "events",
            "object_id": str(e.id),
            "label": e.title,
            "date": time.to_local(e.starts_at).date(),
        }
        for e in rows
    ]


def search(query: str) -> list[dict]:
    query = single_line(query) or ""
    if len(query) < 2:
        return []
    pattern = f"%{escape_like(query)}%"
    stmt = (
        select(Event)
        .where(
            Event.status != DRAFT,
            or_(
                Event.title.ilike(pattern, escape="\\"),
                Event.description.ilike(pattern, escape="\\"),
                Event.topics.ilike(pattern, escape="\\"),
                Event.place.ilike(pattern, escape="\\"),
            ),
        )
        .order_by(Event.starts_at.desc())
        .limit(30)
    )
    return [
        {
            "title": e.title,
            "url": url_for("events.event_page", event_id=e.id),
            "kind": _("Evento"),
            "text": f"{time.to_local(e.starts_at):%Y-%m-%d %H:%M} · {e.place}",
        }
        for e in db.session.scalars(stmt)
    ]


def home_items() -> list[dict]:
    items = []
    for e in signing_now(3):
        items.append(
            {
                "title": e.title,
                "url": url_for("events.event_page", event_id=e.id),
                "text": _(
                    "Está pasando ahora en %(place)s. Si estás allí, escanea el código QR del evento para "
                    "firmar la asistencia.",
                    place=e.place,
                ),
                "action": _("Ver el evento"),
            }
        )
    for e in upcoming(3):
        items.append(
            {
                "title": e.title,
                "url": url_for("events.event_page", event_id=e.id),
                "text": _("%(when)s · %(place)s", when=format_local(e.starts_at), place=e.place),
                "action": _("Ver detalles y agregar a tu calendario"),
            }
        )
    return items


def transparency_items(section: str) -> list[dict]:
    """Section "rendicion": past accountability events with their attendance totals."""
    if section != "rendicion":
        return []
    rows = db.session.scalars(
        select(Event).where(Event.status == CLOSED).order_by(Event.starts_at.desc()).limit(100)
    )
    return [
        {
            "title": e.title,
            "url": url_for("events.event_page", event_id=e.id),
            "text": ngettext(
                "%(date)s · %(num)s asistente",
                "%(date)s · %(num)s asistentes",
                e.attendance_total or 0,
                date=f"{time.to_local(e.starts_at):%Y-%m-%d}",
            ),
        }
        for e in rows
    ]


def catalog_usage(kind: str, list_key: str | None, code: str) -> int:
    """Catalog usage checker: event kinds, territories and offices our events use."""
    if kind == "option" and list_key == "event_kind":
        stmt = select(func.count()).select_from(Event).where(Event.kind == code)
    elif kind == "option" and list_key == "value_group":
        stmt = select(func.count()).select_from(EventTarget).where(EventTarget.value_group == code)
    elif kind == "option" and list_key == "document_type":
        stmt = select(func.count()).select_from(Attendance).where(Attendance.doc_type == code)
    elif kind == "territory":
        stmt = select(func.count()).select_from(Event).where(Event.territory == code)
    elif kind == "office":
        stmt = select(func.count()).select_from(EventOffice).where(EventOffice.office_code == code)
    else:
        return 0
    return db.session.scalar(stmt) or 0
