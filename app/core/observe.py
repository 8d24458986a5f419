"""Watching a running installation: `/healthz`, `/metrics` (Prometheus) and one JSON log line
per request with a request id.

- `/healthz` checks the database, Redis and the job queue. 503 ("error") only when the database
  does not answer (this host cannot serve); Redis down or no worker alive gives 200 with status
  "degraded" (pages still work, jobs wait), for monitoring to alert on. No personal data, no counts of people.
- `/metrics` serves request counts and latencies by route (the endpoint name, never the URL: no
  tokens or ids), sign-ins, and jobs queued/done/failed. Served to localhost (Prometheus on the
  same host or through nginx's internal network) or to anyone with `Authorization: Bearer
  <PARTICIPA_METRICS_TOKEN>`; everyone else gets a 404.
- With PARTICIPA_JSON_LOGS (default in production) each request is logged as one JSON line:
  time, request id, method, route (endpoint), status, duration. Never the query string, form
  fields, cookies, e-mail addresses or the client IP.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import sys
import time as _time

from flask import Flask, Response, current_app, g, jsonify, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as prom_multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from app.core import broker

REQUESTS = Counter(
    "participa_requests_total", "HTTP requests by route and status class", ["endpoint", "method", "status"]
)
LATENCY = Histogram(
    "participa_request_seconds",
    "HTTP request latency by route",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SIGN_INS = Counter("participa_sign_ins_total", "Attendance sign-ins accepted")
JOBS = Counter("participa_jobs_total", "Background jobs finished, by outcome", ["outcome"])


class JobsCollector:
    """Read at scrape time: jobs by status (database), waiting in the queue and failed (Redis).
    Workers run in other processes: what they did is read from where it is recorded."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        from app.core import jobs

        by_status = GaugeMetricFamily(
            "participa_jobs", "Background jobs by status (Mis descargas)", labels=["status"]
        )
        try:
            counts = jobs.counts()
        except Exception:  # noqa: BLE001 - database down: /healthz says so
            counts = {}
        for status in jobs.STATUSES:
            by_status.add_metric([status], counts.get(status, 0))
        yield by_status
        if broker.connection() is None:
            return
        try:
            q = jobs.queue()
            waiting, failed = len(q), q.failed_job_registry.count
        except Exception:  # noqa: BLE001
            return
        yield GaugeMetricFamily("participa_queue_waiting", "Jobs waiting in the Redis queue", value=waiting)
        yield GaugeMetricFamily("participa_queue_failed", "Jobs in the queue's failed registry", value=failed)


REQUEST_ID_HEADER = "X-Request-Id"
log = logging.getLogger("participa.requests")


def register(app: Flask) -> None:
    from app.extensions import csrf, limiter

    app.add_url_rule("/healthz", "healthz", limiter.exempt(csrf.exempt(healthz)))
    app.add_url_rule("/metrics", "metrics", limiter.exempt(csrf.exempt(metrics)))
    app.before_request(_start)
    app.after_request(_finish)
    if app.config.get("PARTICIPA_JSON_LOGS"):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.handlers[:] = [handler]
        log.setLevel(logging.INFO)
        log.propagate = False


def _start() -> None:
    g.participa_t0 = _time.perf_counter()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    # nginx's $request_id (32 hex) is kept, so proxy and app logs join; anything else is replaced.
    g.request_id = (
        incoming if (len(incoming) <= 64 and incoming.isalnum() and incoming) else secrets.token_hex(16)
    )


def _finish(response):
    t0 = g.get("participa_t0")
    if t0 is None:
        return response
    elapsed = _time.perf_counter() - t0
    endpoint = request.endpoint or "unmatched"
    if endpoint != "metrics":
        REQUESTS.labels(endpoint, request.method, f"{response.status_code // 100}xx").inc()
        LATENCY.labels(endpoint).observe(elapsed)
    if endpoint == "events.sign_in" and request.method == "POST" and response.status_code in (302, 303):
        SIGN_INS.inc()
    response.headers[REQUEST_ID_HEADER] = g.request_id
    if current_app.config.get("PARTICIPA_JSON_LOGS"):
        log.info(
            json.dumps(
                {
                    "at": _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime()),
                    "request_id": g.request_id,
                    "method": request.method,
                    "endpoint": endpoint,
                    "status": response.status_code,
                    "ms": round(elapsed * 1000, 1),
                    "bytes": response.calculate_content_length(),
                }
            )
        )
    return response


def healthz():
    from sqlalchemy import text

    from app.extensions import db

    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means the database is down
        current_app.logger.exception("health check: database down")
        checks["database"] = "down"
    finally:
        db.session.rollback()
    conn = broker.connection()
    if conn is None:
        checks["redis"] = checks["queue"] = "not configured"
    else:
        try:
            conn.ping()
            checks["redis"] = "ok"
            checks["queue"] = _queue_check()
        except Exception:  # noqa: BLE001
            current_app.logger.exception("health check: Redis down")
            checks["redis"] = "down"
            checks["queue"] = "unknown"
    if checks["database"] != "ok":
        status = "error"  # this host cannot serve: a balancer takes it out
    elif all(v in ("ok", "not configured") for v in checks.values()):
        status = "ok"
    else:
        status = "degraded"  # pages still work (caches fall back to ttl); jobs wait: alert someone
    response = jsonify({"status": status, **checks})
    response.status_code = 503 if status == "error" else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def _queue_check() -> str:
    """ "ok" when a worker is alive for the entity's queue; the queue's length is exported too."""
    from rq import Worker

    from app.core import jobs

    q = jobs.queue()
    workers = [w for w in Worker.all(queue=q)]
    return "ok" if workers else "no worker"


def _allowed() -> bool:
    token = current_app.config.get("PARTICIPA_METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    # Localhost only when the request did not come through a proxy (nginx adds X-Forwarded-For).
    return request.remote_addr in ("127.0.0.1", "::1") and "X-Forwarded-For" not in request.headers


def metrics():
    if not _allowed():
        return Response("Not Found", status=404)
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:  # several gunicorn workers: add up what each wrote
        registry = CollectorRegistry()
        prom_multiprocess.MultiProcessCollector(registry, path=directory)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    extra = CollectorRegistry()
    extra.register(JobsCollector())
    body += generate_latest(extra)
    return Response(body, mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
