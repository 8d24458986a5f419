"""The one-response-per-browser marker, read by the public pages and the response command: a
signed cookie listing the consultations this browser answered (tampering reads as none)."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

ANSWERED_COOKIE = "participa_consultas"


def answered_ids(cookie_value: str | None) -> set[int]:
    """Consultations this browser already answered, from the signed cookie (tampering = none)."""
    if not cookie_value:
        return set()
    try:
        data = _serializer().loads(cookie_value)
    except BadSignature:
        return set()
    return {int(i) for i in data if isinstance(i, int)} if isinstance(data, list) else set()


def answered_cookie(ids: set[int]) -> str:
    return _serializer().dumps(sorted(ids)[-200:])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="participa-consultations-answered")
