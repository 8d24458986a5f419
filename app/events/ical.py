"""iCalendar (RFC 5545) for one event and for the agenda feed. Times are written in UTC (`Z`)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlparse

from flask import current_app, url_for

from app.core import time
from app.events.models import CANCELLED, Event


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        (text or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never splitting a UTF-8 character (§3.1)."""
    out, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > (75 if not out else 74):
            out.append(current)
            current, size = "", 0
        current += ch
        size += n
    out.append(current)
    return "\r\n ".join(out)


def _stamp(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%SZ")


def vevent(event: Event) -> list[str]:
    base = current_app.config["PARTICIPA_BASE_URL"]
    host = urlparse(base).hostname or "participa"
    page = base + url_for("events.event_page", event_id=event.id)
    description = event.description or ""
    if event.agenda:
        description += ("\n\n" if description else "") + event.agenda
    lines = [
        "BEGIN:VEVENT",
        f"UID:event-{event.id}@{host}",
        f"DTSTAMP:{_stamp(event.updated_at or time.now())}",
        f"DTSTART:{_stamp(event.starts_at)}",
        f"DTEND:{_stamp(event.ends_at)}",
        f"SUMMARY:{escape(event.title)}",
        f"LOCATION:{escape(event.place)}",
        f"DESCRIPTION:{escape((description + chr(10) + chr(10) + page).strip())}",
        f"URL:{page}",
        f"STATUS:{'CANCELLED' if event.status == CANCELLED else 'CONFIRMED'}",
        "END:VEVENT",
    ]
    return lines


def calendar(events, name: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Participa//Eventos//ES",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:America/Bogota",
    ]
    for event in events:
        lines.extend(vevent(event))
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
