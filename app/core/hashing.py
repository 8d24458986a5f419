"""Keyed hashes: compare identity documents without storing or comparing the plain numbers."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from app.core.text import document_digits


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under the app's hash key, separated per purpose (e.g. an event id),
    so the same document gives unrelated hashes in different contexts."""
    key = current_app.config["PARTICIPA_HASH_KEY"].encode()
    msg = f"{purpose}\x1f{value}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def document_hash(purpose: str, doc_type: str, number: str) -> str:
    return keyed_hash(purpose, f"{(doc_type or '').upper()}:{document_digits(number)}")
