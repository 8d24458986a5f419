"""Demo data (order 50): questions in every status, some overdue, some extended, some published."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import click
from sqlalchemy import func, select

from app.accounts.models import User
from app.catalogs import queries as catalogs
from app.core import registry, time
from app.extensions import db

from . import commands, queries, rules
from .models import BallotQuestion

TEXTS = [
    (
        "question",
        "¿Cuándo empieza la repavimentación de la vía principal del barrio y cuánto presupuesto tiene "
        "asignado?",
    ),
    (
        "question",
        "¿Qué pasó con el programa de huertas comunitarias que se anunció en la rendición de cuentas del año "
        "pasado?",
    ),
    (
        "proposal",
        "Propongo que las reuniones del presupuesto participativo se hagan también los sábados, porque entre "
        "semana trabajamos.",
    ),
    (
        "proposal",
        "Sería bueno instalar más luminarias en el sendero peatonal hacia el colegio; en la noche es muy "
        "oscuro.",
    ),
    (
        "complaint",
        "El parque infantil lleva tres meses con los juegos dañados y nadie ha venido a repararlos.",
    ),
    (
        "complaint",
        "La ruta del bus alimentador dejó de pasar por la vereda y los estudiantes caminan más de una hora.",
    ),
    (
        "information",
        "Solicito copia del contrato de mantenimiento de la cancha y el informe de avance de la obra.",
    ),
    (
        "information",
        "Quisiera conocer cuántos cupos hay en los programas de adulto mayor de mi comuna este año.",
    ),
    (
        "consultation",
        "¿La junta de acción comunal puede administrar la caseta comunal o necesita un convenio con la "
        "alcaldía?",
    ),
    (
        "question",
        "¿Cómo se escogen los proyectos que se financian con el presupuesto participativo en los "
        "corregimientos?",
    ),
]
ANSWER = (
    "Gracias por tu solicitud. La dependencia revisó el caso y te informa que la actividad está programada "
    "para el próximo trimestre, con recursos asignados en el plan de acción. Puedes seguir el avance en el "
    "portal de planes de mejoramiento."
)


def _staff():
    editor = db.session.scalar(select(User).where(User.role == "editor").order_by(User.id))
    admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    return editor, admin


def run(count: int = 40) -> None:
    """Add `count` demo questions unless the ballot box already has questions."""
    if db.session.scalar(select(func.count()).select_from(BallotQuestion)):
        click.echo("  ballot box already has questions: skipped")
        return
    editor, admin = _staff()
    if editor is None or admin is None:
        click.echo("  no editor/admin users: skipped")
        return
    rng = random.Random(2026)
    offices = [code for code, _name in catalogs.office_choices()]
    territories = [code for code, _name in catalogs.territory_choices()]
    events = [event_id for event_id, _label in registry.get().call("event_options")]
    now = time.now()
    for i in range(count):
        kind, text = TEXTS[i % len(TEXTS)]
        days_ago = rng.randint(0, 60)
        received = now - timedelta(days=days_ago, hours=rng.randint(0, 9))
        named = i % 3 == 0
        data = commands.Deposit(
            kind=kind,
            text=text,
            territory=rng.choice(territories) if territories else None,
            office_code=rng.choice(offices) if (offices and i % 4 == 0) else None,
            anonymous=not named,
            name="Persona de ejemplo" if named else None,
            phone="300 000 0000" if named else None,
            event_id=events[i % len(events)] if (events and i % 6 == 0) else None,
        )
        with time.freeze(received):
            receipt = commands.deposit(data, None, channel="demo") if not named else _named(data)
        _advance(receipt, i, editor, admin, offices, received)
    click.echo(f"  {count} questions in every status")


def _named(data: commands.Deposit):
    """Named demo questions carry a consent proof, as a real named deposit would."""
    from app.characterization.models import ConsentRecord

    consent = ConsentRecord(policy_version="demo", given_at=time.now(), channel="demo", capability="ballot")
    db.session.add(consent)
    db.session.flush()
    receipt = commands.deposit(replace(data, anonymous=True), None, channel="demo")
    question = receipt.question
    question.anonymous, question.name, question.phone, question.consent_id = (
        False,
        data.name,
        data.phone,
        consent.id,
    )
    db.session.commit()
    return receipt


def _advance(receipt, i: int, editor, admin, offices, received: datetime) -> None:
    """Move the question along the path: 0 received, 1 assigned, 2 in progress, 3 answered (+ public),
    4 closed."""
    question = receipt.question
    stage = i % 5
    later = received + timedelta(days=1)
    if stage == 0 or not offices:
        return
    with time.freeze(max(later, question.received_at)):
        commands.route(
            question, admin, office_code=question.office_code or offices[i % len(offices)], kind=question.kind
        )
        if stage == 1:
            if i % 2:
                commands.add_note(question, editor, "Pedimos información a la secretaría de infraestructura.")
            return
        commands.save_draft(question, editor, ANSWER)
        if stage == 2:
            if time.today() <= question.due_on and i % 3 == 0:
                commands.extend(
                    question,
                    admin,
                    rules.max_extension_date(question),
                    "Necesitamos información de otra dependencia para responder de fondo.",
                )
            return
        commands.approve(question, admin)
        commands.publish_answer(question, admin)
        if i % 2 == 0:
            version = queries.suggested_public_version(question)
            commands.save_public_version(
                question,
                editor,
                title=question.text[:80].rstrip(" ,.?¿") + "…",
                question_text=version["question"],
                answer_text=version["answer"],
                confirmed=True,
            )
        if stage == 4:
            commands.close(question, editor)
