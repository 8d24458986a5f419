"""Projection mode: the typed code on the projection screen rotates with the QR, so a photo of
the screen sent out of the room stops working within two minutes, like the QR itself. The poster's
fixed code keeps working only while the event allows its fixed link."""

from __future__ import annotations

import re
from datetime import timedelta

from app.core import time
from app.events import tokens


def _typed_code(html: str) -> str:
    return re.search(r'id="projection-code"[^>]*>([A-Z0-9\-]+)<', html).group(1)


def test_the_projection_shows_a_rotating_typed_code_not_the_fixed_one(client, login_as, make_event):
    event = make_event()  # fixed link allowed (poster)
    login_as("editor")
    html = client.get(f"/gestion/eventos/{event.id}/proyeccion").get_data(as_text=True)
    code = _typed_code(html)
    assert tokens.display_code(event.short_code) != code and code.startswith(
        tokens.display_code(event.short_code)
    )
    assert client.get(f"/gestion/eventos/{event.id}/proyeccion.json").get_json()["code"] == code
    # typed from a phone in the room: leads to this minute's rotating link
    opened = client.get(f"/asistencia/codigo?codigo={code}")
    assert opened.status_code == 302 and f"/asistencia/{event.id}." in opened.headers["Location"]


def test_a_photo_of_the_projected_code_stops_working_after_two_minutes(client, login_as, make_event):
    event = make_event(fixed_link_enabled=False)
    login_as("editor")
    code = _typed_code(client.get(f"/gestion/eventos/{event.id}/proyeccion").get_data(as_text=True))
    with time.freeze(time.now() + timedelta(seconds=61)):
        assert client.get(f"/asistencia/codigo?codigo={code}").status_code == 302  # grace: it just changed
    with time.freeze(time.now() + timedelta(minutes=3)):
        late = client.get(f"/asistencia/codigo?codigo={code}")
    assert late.status_code == 422 and "No encontramos un evento con ese código" in late.get_data(
        as_text=True
    )
    fixed = client.get(f"/asistencia/codigo?codigo={event.short_code}")
    assert fixed.status_code == 422  # the fixed code is off for this event


def test_the_fixed_code_is_shown_only_when_asked_and_allowed(client, login_as, make_event):
    event = make_event()
    login_as("editor")
    html = client.get(f"/gestion/eventos/{event.id}/proyeccion?codigo=fijo").get_data(as_text=True)
    assert _typed_code(html) == tokens.display_code(event.short_code)
    assert (
        client.get(f"/asistencia/codigo?codigo={event.short_code}")
        .headers["Location"]
        .endswith(f"/asistencia/{event.token}?via=codigo")
    )
    closed = make_event(fixed_link_enabled=False)
    html = client.get(f"/gestion/eventos/{closed.id}/proyeccion?codigo=fijo").get_data(as_text=True)
    assert _typed_code(html) != tokens.display_code(closed.short_code)
