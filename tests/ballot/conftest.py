"""Fixtures for the urna virtual: filing questions through the service or the web form."""

from __future__ import annotations

import pytest

from app.ballot import commands

TEXT = "¿Cuándo van a arreglar el alumbrado público del parque principal de mi barrio?"


@pytest.fixture
def file_question(app, catalogs):
    """file_question(kind=..., office_code=..., anonymous=..., name=..., email=...) -> Receipt (via the
    service)."""

    def _file(**data):
        data.setdefault("kind", "question")
        data.setdefault("text", TEXT)
        data.setdefault("anonymous", not (data.get("name") or data.get("email")))
        with app.test_request_context():
            if not data["anonymous"]:
                from app.characterization.models import ConsentRecord
                from app.extensions import db

                consent = ConsentRecord(policy_version="test", channel="web", capability="ballot")
                db.session.add(consent)
                db.session.flush()
                receipt = commands.deposit(commands.Deposit(**{**data, "anonymous": True}), None)
                q = receipt.question
                q.anonymous, q.name, q.email, q.consent_id = (
                    False,
                    data.get("name"),
                    data.get("email"),
                    consent.id,
                )
                db.session.commit()
                return receipt
            return commands.deposit(commands.Deposit(**data), None)

    return _file


def form_data(**overrides) -> dict:
    data = {"kind": "question", "text": TEXT, "identity": "anonymous", "office": "", "territory": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
