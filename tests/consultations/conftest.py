"""Fixtures for consultations: a consultation factory and a helper to answer it like a browser."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.consultations.models import Consultation, ConsultationTopic
from app.core import time

TOPICS = [
    ("SMOV", "Movilidad y andenes", "Rutas alimentadoras y andenes."),
    ("SEDU", "Calidad de la educación", "Colegios oficiales."),
    ("SSAL", "Salud mental", "Atención a jóvenes."),
    ("SMA", "Calidad del aire", "Contaminación y árboles."),
    ("SSEG", "Seguridad en los barrios", "Convivencia."),
]


@pytest.fixture
def make_consultation(db, catalogs):
    def _make(
        *,
        slug="temas-2026",
        state="open",
        rule="device",
        max_choices=2,
        allow_proposals=True,
        variables=("life_course", "sex", "ethnicity", "value_group"),
        published=False,
        office="DAP",
        is_public=True,
    ) -> Consultation:
        now = time.now()
        opens, closes = {
            "open": (now - timedelta(days=1), now + timedelta(days=10)),
            "upcoming": (now + timedelta(days=2), now + timedelta(days=10)),
            "closed": (now - timedelta(days=10), now - timedelta(days=1)),
        }[state]
        c = Consultation(
            slug=slug,
            title=f"Consulta {slug}",
            introduction="Elige los temas.\n\nGracias.",
            office_code=office,
            opens_at=opens,
            closes_at=closes,
            max_choices=max_choices,
            allow_proposals=allow_proposals,
            variables=list(variables),
            rule=rule,
            is_public=is_public,
            results_published_at=now if published else None,
        )
        c.topics = [
            ConsultationTopic(office_code=o, title=t, description=d, position=i)
            for i, (o, t, d) in enumerate(TOPICS, 1)
        ]
        db.session.add(c)
        db.session.commit()
        return c

    return _make


def fresh_g() -> None:
    """Forget per-request values cached on `g`: the test fixtures keep one app context pushed for
    the whole test, so without this a second browser would reuse the first one's CSRF token,
    device id and logged-in user."""
    from flask import g

    for name in ("csrf_token", "participa_device", "_login_user"):
        g.pop(name, None)


def answer(client, consultation, topics=(), *, consent=True, profile=None, extra=None, url=None):
    """POST the public form with the chosen topic indexes (0-based in TOPICS order), as a
    browser would (fetching the form first, unless `extra` carries a csrf_token)."""
    fresh_g()
    ids = [consultation.topics[i].id for i in topics]
    data = {"topics": [str(i) for i in ids]}
    if consent:
        data["profile-consent"] = "y"
    for key, value in (profile or {}).items():
        data[f"profile-{key}"] = value
    data.update(extra or {})
    url = url or f"/consultas/{consultation.slug}"
    if "csrf_token" not in data:
        data["csrf_token"] = client.csrf(url)
        fresh_g()
    return client.post(url, data=data)
