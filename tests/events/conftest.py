"""Fixtures for the events tests: events at chosen times, and an attendee's browser that opens
the sign-in form and posts it with its CSRF token, nonce and ticket like a phone would."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest

from app.core import time
from app.events import services
from app.events.models import PUBLISHED, Event, EventOffice

HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|nonce|ticket)"[^>]*value="([^"]*)"')
HIDDEN_ALT = re.compile(r'<input[^>]*value="([^"]*)"[^>]*name="(csrf_token|nonce|ticket)"')


@pytest.fixture
def make_event(db, catalogs):
    def _make(*, status=PUBLISHED, starts_in=timedelta(minutes=10), hours=2, offices=("DAP",), kind="AUD",
              territory="01", title="Audiencia pública de rendición de cuentas", **extra):
        start = time.now().replace(microsecond=0) + starts_in
        event = Event(kind=kind, title=title, status=status, starts_at=start, ends_at=start + timedelta(hours=hours),
                      place="Casa de la Cultura, Calle 50 #40-20", territory=territory, token=secrets.token_urlsafe(16),
                      secret=secrets.token_urlsafe(32), short_code=services._new_short_code(), opens_before_min=60,
                      closes_after_min=60, **extra)
        event.offices = [EventOffice(office_code=c) for c in offices]
        db.session.add(event)
        db.session.commit()
        return event

    return _make


def hidden_fields(html: str) -> dict:
    found = {name: value for name, value in HIDDEN.findall(html)}
    found.update({name: value for value, name in HIDDEN_ALT.findall(html)})
    return found


def attendee(doc="1036222333", **overrides) -> dict:
    data = {"name": "María Restrepo Gómez", "doc_type": "CC", "doc_number": doc, "contact": "3001234567",
            "profile-life_course": "AT", "profile-sex": "2", "profile-territory": "01", "profile-zone": "1",
            "profile-value_group": "JAC", "profile-organisation": "JAC Santo Domingo", "profile-consent": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def sign(client):
    """sign(path, data) -> (GET response, POST response). Opens the form first (CSRF, nonce, ticket)."""

    def _sign(path: str, data: dict, *, form=None):
        page = client.get(path)
        fields = form or hidden_fields(page.get_data(as_text=True))
        response = client.post(path, data={**fields, **data})
        return page, response, fields

    return _sign
