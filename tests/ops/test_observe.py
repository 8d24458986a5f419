"""Watching it: /healthz, /metrics (who may read it, what it counts) and JSON request logs with a
request id and nothing personal in them."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from tests.events.conftest import attendee, hidden_fields


def test_healthz_with_redis_reports_queue_without_worker(client, with_redis):
    data = client.get("/healthz").get_json()
    assert data == {"status": "degraded", "database": "ok", "redis": "ok", "queue": "no worker"}


def test_metrics_only_for_localhost_or_token(client, app):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    assert (
        client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    )  # via a proxy
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    app.config["PARTICIPA_METRICS_TOKEN"] = "s3cret-token"
    try:
        outside = {"REMOTE_ADDR": "203.0.113.9"}
        assert (
            client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer nope"}).status_code
            == 404
        )
        ok = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200
    finally:
        app.config["PARTICIPA_METRICS_TOKEN"] = ""


def _metric(body: str, name: str, **labels) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in body.splitlines():
        if line.startswith(f"{name}{{{want}}}" if labels else f"{name} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_by_route_and_sign_ins(client, make_event):
    event = make_event(starts_in=-timedelta(minutes=5))
    before = client.get("/metrics").get_data(as_text=True)
    page = client.get(f"/asistencia/{event.token}")
    response = client.post(
        f"/asistencia/{event.token}", data={**hidden_fields(page.get_data(as_text=True)), **attendee()}
    )
    assert response.status_code == 303
    after = client.get("/metrics").get_data(as_text=True)
    assert _metric(after, "participa_sign_ins_total") == _metric(before, "participa_sign_ins_total") + 1
    get_key = {"endpoint": "events.sign_in", "method": "GET", "status": "2xx"}
    assert (
        _metric(after, "participa_requests_total", **get_key)
        == _metric(before, "participa_requests_total", **get_key) + 1
    )
    assert 'participa_request_seconds_bucket{endpoint="events.sign_in"' in after
    assert event.token not in after  # routes by endpoint name, never by URL


@pytest.fixture
def json_logs(app, caplog):
    from app.core import observe

    app.config["PARTICIPA_JSON_LOGS"] = True
    observe.log.propagate = True  # let caplog see the lines the handler writes
    caplog.set_level(logging.INFO, logger="participa.requests")
    yield caplog
    app.config["PARTICIPA_JSON_LOGS"] = False


def test_json_log_line_per_request_with_request_id_and_nothing_personal(client, make_event, json_logs):
    event = make_event(starts_in=-timedelta(minutes=5))
    page = client.get(f"/asistencia/{event.token}?email=maria@example.com")
    person = attendee(doc="1036999888", name="Ana Personal Quintero", contact="ana.quintero@example.com")
    response = client.post(
        f"/asistencia/{event.token}",
        data={**hidden_fields(page.get_data(as_text=True)), **person},
        headers={"X-Request-Id": "abc123def456"},
    )
    assert response.headers["X-Request-Id"] == "abc123def456"  # the proxy's id is kept: logs join
    lines = [json.loads(r.getMessage()) for r in json_logs.records if r.name == "participa.requests"]
    assert [(entry["method"], entry["endpoint"]) for entry in lines] == [
        ("GET", "events.sign_in"),
        ("POST", "events.sign_in"),
    ]
    assert lines[1]["request_id"] == "abc123def456" and lines[1]["status"] == 303
    assert len(lines[0]["request_id"]) == 32
    everything = json_logs.text
    for secret in (
        "1036999888",
        "Ana Personal",
        "ana.quintero",
        "maria@example.com",
        event.token,
        "127.0.0.1",
    ):
        assert secret not in everything


def test_hostile_request_id_is_replaced(client):
    for hostile in ("<script>alert(1)</script>", "a" * 500, "id with spaces; drop"):
        response = client.get("/healthz", headers={"X-Request-Id": hostile})
        assert len(response.headers["X-Request-Id"]) == 32 and response.headers["X-Request-Id"].isalnum()


def test_metrics_show_jobs_by_status(client, login_as, profiles, small_threshold):
    profiles(12)
    login_as("steward")
    client.get("/gestion/caracterizacion/exportar/perfiles.csv")
    body = client.get("/metrics").get_data(as_text=True)
    assert (
        _metric(body, "participa_jobs", status="done") == 1
        and _metric(body, "participa_jobs", status="failed") == 0
    )
