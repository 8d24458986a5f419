"""Hosts that agree: two app instances (separate gunicorn processes on separate ports, two
workers each) on one database and one Redis. A change made through A is seen by every worker of
B on its next request: an attendance list closed on A refuses the next signature on B."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import PASSWORD
from tests.events.conftest import attendee, hidden_fields
from tests.ops.conftest import Browser, free_port, gunicorn, stop, wait_http


@pytest.fixture
def two_hosts(app, with_redis, tmp_path, small_threshold):
    ports = free_port(), free_port()
    procs = [
        gunicorn(
            app,
            port,
            tmp_path / f"host{i}.log",
            PARTICIPA_REDIS_URL=app.config["PARTICIPA_REDIS_URL"],
            PARTICIPA_REDIS_PREFIX=with_redis,
        )
        for i, port in enumerate(ports)
    ]
    try:
        for port in ports:
            wait_http(port)
        yield [Browser(f"http://127.0.0.1:{port}") for port in ports]
    finally:
        for proc in procs:
            stop(proc)


def test_event_closed_on_host_a_refuses_the_next_signature_on_every_worker_of_host_b(
    two_hosts, make_event, make_user
):
    host_a, host_b = two_hosts
    event = make_event(starts_in=-timedelta(minutes=30))
    path = f"/asistencia/{event.token}"
    phones = [Browser(host_b.base) for _ in range(6)]
    forms = []
    for phone in phones:  # every worker of B has the open event in its cache now
        status, _headers, body = phone.get(path)
        assert status == 200 and b'name="nonce"' in body
        forms.append(hidden_fields(body.decode()))

    editor = make_user("editor", email="editora@prueba.gov.co")
    host_a.login(editor.email, PASSWORD)
    close_path = f"/gestion/eventos/{event.id}/cerrar"
    status, _headers, _body = host_a.post(
        close_path,
        {
            "csrf_token": host_a.csrf(close_path),
            "attendance_total": "0",
            "summary": "Audiencia realizada.",
            "commitments": "",
        },
    )
    assert status == 302

    for i, (phone, fields) in enumerate(zip(phones, forms, strict=True)):  # at once, well within the 5 s ttl
        status, _headers, body = phone.post(path, {**fields, **attendee(doc=f"10362223{i:02d}")})
        assert (
            status == 200 and "El listado de asistencia de este evento ya está cerrado." in body.decode()
        ), body[:300]
    from app.events import queries

    assert queries.count(event.id) == 0
