"""One-time rights to answer a survey: a random nonce signed for the survey.

Nothing is stored when a token is issued (at an event's sign-in); the register of used tokens
(`SurveyToken`) gets the token's hash when it is used (`commands.submit`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _token_mac(survey_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"survey-token:{survey_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def new_token(survey_id: int) -> str:
    """A one-time right to answer: a random nonce signed for this survey. Nothing is stored when
    it is issued; the register of used tokens (`SurveyToken`) gets its hash when it is used."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_token_mac(survey_id, nonce)}"


def token_signed(survey_id: int, token: str) -> bool:
    nonce, _, mac = (token or "").partition(".")
    return (
        bool(nonce and mac) and len(token) <= 100 and hmac.compare_digest(mac, _token_mac(survey_id, nonce))
    )
