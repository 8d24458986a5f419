"""Demo events (`flask participa demo`, step 30): past events with attendance and closing notes,
upcoming ones, a draft, and one event in progress whose sign-in is open right now."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

import click
from flask import current_app, url_for
from sqlalchemy import select

from app.catalogs import queries as catalogs
from app.characterization import commands as characterization
from app.characterization.models import ConsentRecord
from app.core import time
from app.core.hashing import document_hash
from app.events import commands, tokens
from app.events.models import (
    CLOSED,
    DRAFT,
    PAPER,
    PUBLISHED,
    WEB,
    Attendance,
    Event,
    EventOffice,
    EventTarget,
)
from app.events.rules import sign_in_state
from app.extensions import db

FIRST = (
    "María",
    "José",
    "Luz Dary",
    "Carlos",
    "Ana",
    "Juan David",
    "Sandra",
    "Luis",
    "Paula",
    "Andrés",
    "Gloria",
    "Jhon Fredy",
    "Valentina",
    "Diego",
    "Marta",
    "Santiago",
    "Yuliana",
    "Hernán",
    "Daniela",
    "Camilo",
)
LAST = (
    "Restrepo",
    "Gómez",
    "Zapata",
    "Londoño",
    "Arango",
    "Mejía",
    "Palacios",
    "Córdoba",
    "Ríos",
    "Vélez",
    "Muñoz",
    "Cardona",
    "Ospina",
    "Rendón",
    "Mosquera",
    "Agudelo",
    "Quintero",
    "Berrío",
)

PLANS = [
    # (days from now, start hour, hours, kind, title, attendees, status)
    (-62, 9, 4, "AUD", "Audiencia pública de rendición de cuentas 2025", 48, CLOSED),
    (-20, 17, 2, "ESC", "Escuchadero comunitario: seguridad y convivencia", 27, CLOSED),
    (-9, 14, 3, "TER", "Encuentro territorial descentralizado de la zona rural", 18, CLOSED),
    (None, None, None, "DIA", "Espacio de diálogo: presupuesto participativo 2026", 12, PUBLISHED),
    (7, 18, 2, "NOD", "Sesión del nodo territorial", 0, PUBLISHED),
    (21, 8, 5, "AUD", "Audiencia pública de rendición de cuentas del primer semestre", 0, PUBLISHED),
    (30, 9, 3, "TAL", "Taller de control social para veedurías ciudadanas", 0, DRAFT),
]


def _answers(rng: random.Random, territory: str | None) -> dict:
    pick = lambda key: rng.choice([c for c, _l in catalogs.choices(key)])  # noqa: E731
    return {
        "life_course": rng.choice(["JU", "AT", "AT", "VE", "JU"]),
        "sex": pick("sex"),
        "ethnicity": pick("ethnicity"),
        "victim": pick("victim"),
        "disability": [pick("disability")],
        "zone": rng.choice(["1", "1", "2", "3"]),
        "territory": territory,
        "value_group": pick("value_group"),
        "organisation": rng.choice(["", "", "JAC del barrio", "Mesa de mujeres", "Veeduría de obras"]),
    }


def _attend(event: Event, n: int, rng: random.Random) -> None:
    on_date = time.to_local(event.starts_at).date()
    for i in range(n):
        channel = PAPER if i % 6 == 5 else WEB
        consent = ConsentRecord(
            policy_version=current_app.config["PARTICIPA_PRIVACY_POLICY_VERSION"],
            channel=channel,
            capability="events",
            given_at=event.starts_at + timedelta(minutes=i),
            minor=False,
        )
        db.session.add(consent)
        db.session.add(
            characterization.build_profile(
                _answers(rng, event.territory), characterization.Context("events", event.id, on_date, channel)
            )
        )
        db.session.flush()
        number = str(rng.randint(10_000_000, 1_099_999_999))
        db.session.add(
            Attendance(
                event_id=event.id,
                nonce=secrets.token_urlsafe(18),
                channel=channel,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}",
                doc_type="CC",
                doc_number=number,
                doc_hash=document_hash(f"event:{event.id}", "CC", number),
                contact=f"300{rng.randint(1000000, 9999999)}" if rng.random() < 0.5 else "",
                signed_at=event.starts_at + timedelta(minutes=i % 90),
                consent_id=consent.id,
            )
        )


def run() -> None:
    existing = db.session.scalar(select(Event).where(Event.title == PLANS[3][4]))
    if existing is None:
        _create()
        existing = db.session.scalar(select(Event).where(Event.title == PLANS[3][4]))
    elif existing.status == PUBLISHED and sign_in_state(existing) != "open":
        # Re-running the demo later: move the "in progress" event to now so its sign-in is open.
        existing.starts_at = time.now() - timedelta(minutes=30)
        existing.ends_at = time.now() + timedelta(hours=2)
        db.session.commit()
    _print_links(existing)


def _create() -> None:
    rng = random.Random(4)
    territories = [t.code for t in catalogs.top_territories()] or [None]
    offices = [o.code for o in catalogs.offices()][:6] or []
    now_local = time.local_now().replace(second=0, microsecond=0)
    for index, (days, hour, hours, kind, title, attendees, status) in enumerate(PLANS):
        if days is None:  # in progress: started 30 minutes ago, ends in two hours
            start = now_local - timedelta(minutes=30)
            end = now_local + timedelta(hours=2)
        else:
            start = datetime.combine((now_local + timedelta(days=days)).date(), datetime.min.time()).replace(
                hour=hour
            )
            end = start + timedelta(hours=hours)
        territory = territories[(index * 5) % len(territories)] if index % 3 else None
        event = Event(
            kind=kind,
            title=title,
            status=status,
            territory=territory,
            starts_at=time.from_local(start),
            ends_at=time.from_local(end),
            place=rng.choice(
                ["Casa de la Cultura", "Biblioteca pública", "Institución educativa", "Sede comunal"]
            ),
            description="Un espacio para que la ciudadanía conozca los avances, pregunte y proponga.",
            objective="Informar los resultados de la gestión y recoger las propuestas de la comunidad.",
            methodology="Presentación de 20 minutos, mesas de trabajo por tema y plenaria de conclusiones.",
            agenda="Instalación y saludo\nPresentación de resultados\nMesas de trabajo\nPlenaria y "
            "compromisos",
            topics="Presupuesto participativo, seguridad, movilidad, medio ambiente",
            expected_attendance=max(30, attendees + 10),
            logistics="Sonido, 80 sillas, intérprete de lengua de señas.",
            channels=["web", "whatsapp", "leaders"],
            token=secrets.token_urlsafe(16),
            secret=secrets.token_urlsafe(32),
            short_code=commands.new_short_code(),
            opens_before_min=60,
            closes_after_min=60,
        )
        if offices:
            event.offices = [EventOffice(office_code=offices[index % len(offices)])]
        event.targets = [EventTarget(value_group="CIU"), EventTarget(value_group="JAC")]
        db.session.add(event)
        db.session.flush()
        _attend(event, attendees, rng)
        if status == CLOSED:
            event.attendance_total, event.closed_at = attendees + rng.randint(0, 6), event.ends_at
            event.summary = "Se presentaron los resultados del periodo y la comunidad priorizó sus preguntas."
            event.commitments = (
                "Publicar la memoria del evento en 10 días hábiles.\nResponder las preguntas pendientes."
            )
    db.session.commit()


def _print_links(event: Event | None) -> None:
    if event is None:
        return
    with current_app.test_request_context(base_url=current_app.config["PARTICIPA_BASE_URL"]):
        click.echo(f"  event in progress: {event.title}")
        click.echo(f"  sign-in link (QR): {tokens.sign_in_url(event)}")
        click.echo(f"  typed code: {tokens.display_code(event.short_code)} at {tokens.code_url()}")
        base = current_app.config["PARTICIPA_BASE_URL"]
        click.echo(f"  projection (staff): {base}{url_for('events_staff.projection', event_id=event.id)}")
        click.echo(f"  poster PDF (staff): {base}{url_for('events_staff.poster', event_id=event.id)}")
