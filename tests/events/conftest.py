"""Fixtures for the events tests: events at chosen times, and an attendee's browser that opens
the sign-in form and posts it with its CSRF token, nonce and ticket like a phone would."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest

from app.core import time
from app.events import commands
from app.events.models import PUBLISHED, Event, EventOffice

HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|nonce|ticket)"[^>]*value="([^"]*)"')
HIDDEN_ALT = re.compile(r'<input[^>]*value="([^"]*)"[^>]*name="(csrf_token|nonce|ticket)"')


@pytest.fixture
def make_event(db, catalogs):
    def _make(
        *,
        status=PUBLISHED,
        starts_in=timedelta(minutes=10),
        hours=2,
        offices=("DAP",),
        kind="AUD",
        territory="01",
        title="Audiencia pública de rendición de cuentas",
        **extra,
    ):
        start = time.now().replace(microsecond=0) + starts_in
        event = Event(
            kind=kind,
            title=title,
            status=status,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            place="Casa de la Cultura, Calle 50 #40-20",
            territory=territory,
            token=secrets.token_urlsafe(16),
            secret=secrets.token_urlsafe(32),
            short_code=commands.new_short_code(),
            opens_before_min=60,
            closes_after_min=60,
            **extra,
        )
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
    """The first step: identity and consent only."""
    data = {
        "name": "María Restrepo Gómez",
        "doc_type": "CC",
        "doc_number": doc,
        "contact": "3001234567",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def answers(**overrides) -> dict:
    """The optional second step ("who takes part")."""
    data = {
        "profile-life_course": "AT",
        "profile-sex": "2",
        "profile-territory": "01",
        "profile-zone": "1",
        "profile-value_group": "JAC",
        "profile-organisation": "JAC Santo Domingo",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


STEP = re.compile(r'<input[^>]*name="step"[^>]*value="([^"]*)"|<input[^>]*value="([^"]*)"[^>]*name="step"')


@pytest.fixture
def second_step(client):
    """second_step(event_id, data) -> POST response: opens the optional step from the confirmation
    and sends it like a browser (CSRF token and the step's one-time token from the page)."""

    def _second(event_id: int, data: dict | None = None, *, skip: bool = False):
        path = f"/asistencia/gracias/{event_id}/quien-participa"
        page = client.get(path)
        assert page.status_code == 200, page.status_code
        html = page.get_data(as_text=True)
        fields = {k: v for k, v in hidden_fields(html).items() if k == "csrf_token"}
        match = STEP.search(html)
        fields["step"] = (match.group(1) or match.group(2)) if match else ""
        if skip:
            return client.post(path, data={**fields, "saltar": "1"})
        return client.post(path, data={**fields, **(answers() if data is None else data)})

    return _second


@pytest.fixture
def sign(client):
    """sign(path, data) -> (GET response, POST response). Opens the form first (CSRF, nonce, ticket)."""

    def _sign(path: str, data: dict, *, form=None):
        page = client.get(path)
        fields = form or hidden_fields(page.get_data(as_text=True))
        response = client.post(path, data={**fields, **data})
        return page, response, fields

    return _sign
