"""Demo data: an open consultation and a closed one with published results, realistic Medellín
topics and a few hundred responses with characterisation profiles."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.catalogs import queries as catalogs
from app.characterization import commands as characterization
from app.consultations import tally
from app.consultations.models import (
    APPROVED,
    GROUP_LINE,
    MERGED,
    PENDING,
    REJECTED,
    RULE_DEVICE,
    RULE_DOCUMENT,
    Consultation,
    ConsultationChoice,
    ConsultationProposal,
    ConsultationResponse,
    ConsultationRoll,
    ConsultationTopic,
    ConsultationTopicEvent,
)
from app.core import registry, time
from app.core.hashing import document_hash
from app.extensions import db

OPEN_TOPICS = [
    (
        "SSEG",
        "Seguridad y convivencia en barrios y corregimientos",
        "Presencia policial, cámaras, iluminación y manejo de conflictos entre vecinos.",
    ),
    (
        "SMOV",
        "Movilidad: transporte público, andenes y ciclorrutas",
        "Rutas alimentadoras del Metro, estado de andenes y conexiones en bicicleta.",
    ),
    (
        "SEDU",
        "Calidad de la educación y jornada única",
        "Resultados de los colegios oficiales, docentes y alimentación escolar.",
    ),
    (
        "SEDU",
        "Buen Comienzo para la primera infancia",
        "Cupos y calidad de la atención a niñas y niños de 0 a 5 años.",
    ),
    (
        "SSAL",
        "Salud mental de adolescentes y jóvenes",
        "Atención psicológica, prevención del suicidio y del consumo de sustancias.",
    ),
    (
        "SMA",
        "Calidad del aire y arbolado urbano",
        "Episodios de contaminación, siembra y tala de árboles, quebradas.",
    ),
    (
        "SINF",
        "Mantenimiento de vías y muros en las laderas",
        "Huecos, muros de contención y escaleras en los barrios de ladera.",
    ),
    (
        "DAGRD",
        "Gestión del riesgo por lluvias y deslizamientos",
        "Alertas tempranas, reasentamientos y atención de emergencias.",
    ),
    (
        "SIS",
        "Atención a personas en situación de calle",
        "Hogares de paso, rutas de atención y resultados de los programas.",
    ),
    (
        "SMUJ",
        "Prevención de violencias contra las mujeres",
        "Hogares de acogida, líneas de atención y casos atendidos.",
    ),
    ("SDE", "Empleo y emprendimiento para jóvenes", "Formación para el trabajo, créditos y primer empleo."),
    (
        "GCOR",
        "Vías terciarias y acueductos veredales en los corregimientos",
        "Estado de las vías rurales y del agua potable en las veredas.",
    ),
]
CLOSED_TOPICS = [
    (
        "Línea 1 – Seguridad y convivencia",
        "Recuperación de espacios públicos",
        "Parques, canchas y senderos recuperados para la comunidad.",
    ),
    (
        "Línea 1 – Seguridad y convivencia",
        "Justicia cercana y casas de justicia",
        "Conciliación y atención de conflictos en cada comuna.",
    ),
    (
        "Línea 2 – Desarrollo social",
        "Comedores comunitarios y seguridad alimentaria",
        "Cobertura de los comedores y paquetes alimentarios.",
    ),
    (
        "Línea 2 – Desarrollo social",
        "Atención a personas mayores",
        "Centros vida, subsidios y atención en casa.",
    ),
    (
        "Línea 3 – Territorio y ambiente",
        "Espacio público y andenes accesibles",
        "Andenes, rampas y cruces para personas con discapacidad.",
    ),
    (
        "Línea 3 – Territorio y ambiente",
        "Manejo de residuos y reciclaje",
        "Recolección, puntos críticos de basuras y recicladores de oficio.",
    ),
    (
        "Línea 4 – Economía y empleo",
        "Apoyo a la economía popular",
        "Venteros informales, plazas de mercado y ferias barriales.",
    ),
    (
        "Línea 4 – Economía y empleo",
        "Turismo comunitario en los corregimientos",
        "Rutas turísticas, formación y promoción en la ruralidad.",
    ),
]
VARIABLES = ["life_course", "sex", "gender_identity", "ethnicity", "disability", "victim", "value_group"]


def _weighted(rng: random.Random, items: list, weights: list):
    return rng.choices(items, weights=weights, k=1)[0]


def _answers(rng: random.Random, territories: dict[str, list[str]]) -> dict:
    territory = _weighted(rng, list(territories), [3 if t < "50" else 1 for t in territories])
    subs = territories[territory]
    return {
        "life_course": _weighted(rng, ["AD", "JU", "AT", "VE", "99"], [5, 30, 45, 18, 2]),
        "sex": _weighted(rng, ["1", "2", "3", "99"], [42, 55, 1, 2]),
        "gender_identity": _weighted(rng, ["1", "2", "3", "4", "99", None], [40, 50, 1, 1, 3, 5]),
        "ethnicity": _weighted(rng, ["1", "4", "5", "6", "9", None], [1, 8, 2, 75, 6, 8]),
        "disability": [_weighted(rng, ["08", "01", "02", "99"], [85, 5, 4, 6])],
        "victim": _weighted(rng, ["1", "2", "99", None], [18, 70, 6, 6]),
        "value_group": _weighted(rng, ["CIU", "JAC", "OSC", "ACA", "SER", "VEE"], [60, 15, 10, 5, 5, 5]),
        "zone": "2" if territory >= "50" else "1",
        "territory": territory,
        "subterritory": rng.choice(subs) if subs else None,
    }


def _fill(consultation: Consultation, n: int, rng: random.Random, favourites: dict[str, list[int]]) -> None:
    """n responses; ~85 % with consent (a profile), topics weighted by territory."""
    territories = {t.code: [c.code for c in t.children if c.active] for t in catalogs.top_territories()}
    topics = [t.id for t in consultation.topics]
    start = time.to_local(consultation.opens_at).date()
    days = max(1, (min(time.local_now(), time.to_local(consultation.closes_at)).date() - start).days)
    for i in range(n):
        on_date = start + timedelta(days=rng.randrange(days))
        answers = _answers(rng, territories)
        profile_id = None
        if rng.random() < 0.85:
            profile = characterization.build_profile(
                answers, characterization.Context("consultations", consultation.id, on_date=on_date)
            )
            db.session.add(profile)
            db.session.flush()
            profile_id = profile.id
        weights = [3 if t in favourites.get(answers["territory"], ()) else 1 for t in topics]
        chosen = set()
        for _ in range(rng.randint(1, consultation.max_choices)):
            chosen.add(_weighted(rng, topics, weights))
        response = ConsultationResponse(
            consultation_id=consultation.id, profile_id=profile_id, on_date=on_date
        )
        db.session.add(response)
        db.session.flush()
        db.session.add_all(
            ConsultationChoice(response_id=response.id, topic_id=t, consultation_id=consultation.id)
            for t in chosen
        )
        if consultation.rule == RULE_DOCUMENT:
            db.session.add(
                ConsultationRoll(
                    consultation_id=consultation.id,
                    doc_hash=document_hash(
                        f"consultation:{consultation.id}", "CC", str(43_000_000 + i * 7919)
                    ),
                )
            )


def run() -> None:
    """Add the two demo consultations (skipped if already there)."""
    if db.session.scalar(
        select(Consultation.id).where(Consultation.slug == "temas-rendicion-de-cuentas-2026")
    ):
        return
    rng = random.Random(40)
    now = time.now().replace(second=0, microsecond=0)
    open_c = Consultation(
        slug="temas-rendicion-de-cuentas-2026",
        office_code="DAP",
        max_choices=3,
        allow_proposals=True,
        title="¿Sobre qué temas quieres que la Alcaldía te rinda cuentas en 2026?",
        introduction=(
            "Cada año la Alcaldía rinde cuentas a la ciudadanía sobre lo que hizo y lo que falta. "
            "Queremos que tú decidas de qué se habla en las audiencias públicas y en los espacios de "
            "diálogo.\n\n"
            "Elige hasta tres temas de la lista. Si el tema que te importa no está, proponlo: el equipo de "
            "Planeación lo revisa y, si procede, lo agrega a la lista para que otras personas también lo "
            "elijan."
        ),
        opens_at=now - timedelta(days=12),
        closes_at=now + timedelta(days=18),
        variables=VARIABLES,
        rule=RULE_DEVICE,
        is_public=True,
    )
    open_c.topics = [
        ConsultationTopic(office_code=o, title=t, description=d, position=i)
        for i, (o, t, d) in enumerate(OPEN_TOPICS, 1)
    ]
    closed_c = Consultation(
        slug="priorizacion-audiencia-publica-2025",
        office_code="DAP",
        max_choices=2,
        allow_proposals=True,
        group_by=GROUP_LINE,
        title="Priorización de temas para la audiencia pública de rendición de cuentas 2025",
        introduction=(
            "Con esta consulta la ciudadanía eligió los temas del plan de desarrollo que la Alcaldía debía "
            "explicar en la audiencia pública de rendición de cuentas de 2025. Para evitar respuestas "
            "repetidas se pidió el número de documento, que no se guardó."
        ),
        opens_at=now - timedelta(days=120),
        closes_at=now - timedelta(days=90),
        variables=VARIABLES,
        rule=RULE_DOCUMENT,
        is_public=True,
        results_published_at=now - timedelta(days=88),
    )
    closed_c.topics = [
        ConsultationTopic(plan_line=line, title=t, description=d, position=i)
        for i, (line, t, d) in enumerate(CLOSED_TOPICS, 1)
    ]
    db.session.add_all([open_c, closed_c])
    db.session.flush()

    ids = [t.id for t in open_c.topics]
    _fill(
        open_c,
        260,
        rng,
        {
            "50": [ids[11]],
            "60": [ids[11], ids[7]],
            "70": [ids[11]],
            "80": [ids[7]],
            "90": [ids[11]],
            "14": [ids[5]],
            "01": [ids[0], ids[6]],
            "03": [ids[6]],
            "13": [ids[4]],
        },
    )
    closed_ids = [t.id for t in closed_c.topics]
    _fill(
        closed_c,
        320,
        rng,
        {"90": [closed_ids[7]], "60": [closed_ids[7]], "10": [closed_ids[6]], "04": [closed_ids[2]]},
    )

    db.session.add_all(
        [
            ConsultationProposal(
                consultation_id=open_c.id,
                title="Iluminación de los senderos peatonales en la vereda",
                description="En las noches no se puede bajar por el camino a la escuela sin luz.",
                status=PENDING,
                on_date=time.today(),
            ),
            ConsultationProposal(
                consultation_id=open_c.id,
                title="Control a los ruidos de los bares",
                description="Los fines de semana el ruido no deja dormir en el barrio.",
                status=PENDING,
                on_date=time.today(),
            ),
            ConsultationProposal(
                consultation_id=closed_c.id,
                title="Arreglo de andenes frente al colegio",
                status=MERGED,
                topic_id=closed_ids[4],
                on_date=time.today() - timedelta(days=100),
            ),
            ConsultationProposal(
                consultation_id=closed_c.id,
                title="Cambiar al alcalde",
                status=REJECTED,
                reason="No es un tema de gestión sobre el que se pueda rendir cuentas.",
                on_date=time.today() - timedelta(days=100),
            ),
        ]
    )
    approved = ConsultationTopic(
        consultation_id=closed_c.id,
        plan_line="Línea 2 – Desarrollo social",
        title="Apoyo a cuidadoras y cuidadores",
        origin="citizen",
        position=9,
        description="Propuesta ciudadana: formación y descanso para quienes cuidan.",
    )
    db.session.add(approved)
    db.session.flush()
    db.session.add(
        ConsultationProposal(
            consultation_id=closed_c.id,
            title=approved.title,
            status=APPROVED,
            topic_id=approved.id,
            on_date=time.today() - timedelta(days=105),
        )
    )

    events = registry.get().call("event_options")
    for topic, (event_id, _label) in zip(closed_c.topics[:3], events[:3], strict=False):
        db.session.add(ConsultationTopicEvent(topic_id=topic.id, event_id=int(event_id)))
    db.session.commit()
    tally.retally(open_c.id)
    tally.retally(closed_c.id)
