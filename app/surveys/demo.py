"""Demo data (`flask participa demo`, order 60): evaluations with answers for past events (read
through `event_options` / `event_summary`) and one standalone survey."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from app.characterization import commands as characterization
from app.core import registry, time
from app.extensions import db
from app.surveys import commands, presets, rules
from app.surveys.models import (
    LONG,
    MULTIPLE,
    NPS,
    RATING,
    SHORT,
    SINGLE,
    TEXT_KINDS,
    YESNO,
    Survey,
    SurveyAnswer,
    SurveyResponse,
)

VARIABLES = ["life_course", "sex", "ethnicity", "value_group"]
SUGGESTIONS = [
    "Que el evento sea en la tarde para que podamos ir después del trabajo.",
    "Más tiempo para las preguntas de la comunidad.",
    "Llevar la información impresa y en lenguaje sencillo.",
    "Hacer el próximo en la vereda, no solo en la cabecera.",
    "Buen evento, muy clara la presentación del presupuesto.",
    "Mejorar el sonido del salón.",
]


def _answers(rng: random.Random, survey: Survey, mood: float) -> dict[int, object]:
    values: dict[int, object] = {}
    for q in survey.ordered_questions():
        if q.kind == RATING:
            values[q.id] = max(1, min(5, round(rng.gauss(3.2 + mood, 1.0))))
        elif q.kind == NPS:
            values[q.id] = max(0, min(10, round(rng.gauss(6.5 + 2 * mood, 2.2))))
        elif q.kind == YESNO:
            values[q.id] = 1 if rng.random() < 0.4 else 0
        elif q.kind == SINGLE:
            values[q.id] = rng.randint(1, len(q.options))
        elif q.kind == MULTIPLE:
            values[q.id] = sorted(
                rng.sample(range(1, len(q.options) + 1), rng.randint(1, q.max_choices or 2))
            )
        elif q.kind in TEXT_KINDS and rng.random() < 0.35:
            values[q.id] = rng.choice(SUGGESTIONS)
    kept, _errors = rules.evaluate(survey, values)
    return kept


def _profile_answers(rng: random.Random) -> dict:
    from app.catalogs import queries as catalogs

    def pick(key):
        codes = [c for c, _l in catalogs.choices(key)]
        return rng.choice(codes) if codes else None

    territories = [c for c, _l in catalogs.territory_choices()]
    return {
        "life_course": rng.choice(["JU", "AD", "AM", "AT"]) if pick("life_course") else None,
        "sex": pick("sex"),
        "ethnicity": pick("ethnicity") if rng.random() < 0.7 else None,
        "value_group": pick("value_group"),
        "zone": pick("zone"),
        "territory": rng.choice(territories) if territories else None,
    }


def _fill(survey: Survey, n: int, rng: random.Random, on_date) -> None:
    mood = rng.uniform(-0.6, 1.0)
    by_id = {q.id: q for q in survey.questions}
    for _i in range(n):
        response = SurveyResponse(
            survey_id=survey.id, on_date=on_date, channel="token" if survey.event_id else "link"
        )
        if rng.random() < 0.8:
            answers = _profile_answers(rng)
            profile = characterization.build_profile(
                answers, characterization.Context("surveys", survey.id, on_date)
            )
            db.session.add(profile)
            db.session.flush()
            response.profile_id = profile.id
        db.session.add(response)
        db.session.flush()
        for qid, value in _answers(rng, survey, mood).items():
            kind = by_id[qid].kind
            if kind == MULTIPLE:
                db.session.add_all(
                    SurveyAnswer(response_id=response.id, question_id=qid, choice=v, value=v) for v in value
                )
            elif kind in (SHORT, LONG):
                db.session.add(SurveyAnswer(response_id=response.id, question_id=qid, text=value))
            else:
                db.session.add(SurveyAnswer(response_id=response.id, question_id=qid, value=value))
    db.session.commit()


def run() -> None:
    rng = random.Random(60)
    reg = registry.get()
    now = time.now()
    done = 0
    for event_id, _label in reg.call("event_options"):
        if done >= 8:
            break
        summary = (reg.call("event_summary", event_id) or [None])[0]
        starts = summary and summary.get("starts_at")
        if not isinstance(starts, datetime) or starts >= now:
            continue
        if db.session.scalar(select(Survey.id).where(Survey.event_id == event_id)):
            done += 1
            continue
        survey = commands.create_survey(
            commands.SurveySettings(
                title=f"Evaluación: {summary['title']}"[:200],
                event_id=int(event_id),
                open_link=True,
                opens_at=starts,
                closes_at=starts + timedelta(days=15),
                profile_variables=VARIABLES,
                results_public=True,
            ),
            template=presets.EVENT_EVALUATION,
            actor="demo",
        )
        survey.published = True
        db.session.commit()
        _fill(survey, rng.randint(25, 90), rng, time.to_local(starts).date())
        done += 1
    if not db.session.scalar(select(Survey.id).where(Survey.slug == "canales-de-participacion")):
        survey = commands.create_survey(
            commands.SurveySettings(
                title="¿Cómo prefieres participar?",
                slug="canales-de-participacion",
                open_link=True,
                intro="Queremos saber por qué canales prefieres enterarte y participar. Toma tres minutos.",
                opens_at=now - timedelta(days=10),
                closes_at=now + timedelta(days=60),
                profile_variables=VARIABLES,
                results_public=True,
            ),
            actor="demo",
        )
        section = survey.sections[0]
        specs = [
            commands.QuestionData(
                section.id,
                MULTIPLE,
                "¿Por qué medios te enteras de los eventos de la alcaldía?",
                options=[
                    "Redes sociales",
                    "WhatsApp",
                    "Radio comunitaria",
                    "Junta de acción comunal",
                    "Carteleras",
                    "Página web",
                ],
                max_choices=3,
                required=True,
            ),
            commands.QuestionData(
                section.id,
                SINGLE,
                "¿Qué horario te queda mejor para asistir?",
                options=[
                    "Entre semana en la mañana",
                    "Entre semana en la tarde",
                    "Entre semana en la noche",
                    "Fines de semana",
                ],
                required=True,
            ),
            commands.QuestionData(section.id, YESNO, "¿Has participado antes en una rendición de cuentas?"),
            commands.QuestionData(
                section.id,
                RATING,
                "¿Qué tan fácil es para ti participar en los asuntos públicos?",
                required=True,
            ),
            commands.QuestionData(
                section.id, NPS, "¿Qué tan probable es que recomiendes Participa a un vecino?"
            ),
            commands.QuestionData(
                section.id, SHORT, "¿Qué tema te gustaría que la alcaldía explicara mejor?"
            ),
        ]
        for spec in specs:
            commands.add_question(survey, spec)
        survey.published = True
        db.session.commit()
        _fill(survey, 60, rng, time.today())
