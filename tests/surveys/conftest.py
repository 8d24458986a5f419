"""Fixtures for surveys: a survey of every question kind, answering helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core import time
from app.surveys import commands
from app.surveys.models import LONG, MULTIPLE, NPS, RATING, SHORT, SINGLE, YESNO


@pytest.fixture
def make_survey(app, db, catalogs):
    """make_survey(**settings) -> a published, open survey with one question of every kind:
    rating, single, multiple (max 2), yes/no, nps, short, long (conditional on yes/no = yes)."""

    def _make(title="Encuesta de prueba", questions=True, published=True, **settings):
        data = {"title": title, "opens_at": time.now() - timedelta(days=1), **settings}
        survey = commands.create_survey(commands.SurveySettings(**data), actor="test")
        if questions:
            sid = survey.sections[0].id
            specs = [
                commands.QuestionData(sid, RATING, "¿Qué tan clara fue la información?", required=True),
                commands.QuestionData(
                    sid, SINGLE, "¿Cómo te enteraste?", options=["Radio", "Redes", "Vecinos"], required=True
                ),
                commands.QuestionData(
                    sid,
                    MULTIPLE,
                    "¿Qué temas te interesan?",
                    options=["Vías", "Salud", "Educación", "Empleo"],
                    max_choices=2,
                ),
                commands.QuestionData(sid, YESNO, "¿Hiciste una pregunta?", required=True),
                commands.QuestionData(sid, NPS, "¿Recomendarías el evento?"),
                commands.QuestionData(sid, SHORT, "¿De qué barrio vienes?"),
            ]
            questions_ = [commands.add_question(survey, s) for s in specs]
            yesno = questions_[3]
            commands.add_question(
                survey,
                commands.QuestionData(
                    sid, LONG, "¿Qué te respondieron?", required=True, condition=f"{yesno.id}:1"
                ),
            )
        if published:
            commands.set_published(survey, True, actor="test")
        return survey

    return _make


def q(survey, kind):
    """The first question of a kind."""
    return next(x for x in survey.ordered_questions() if x.kind == kind)


def answers(survey, *, rating=4, single=2, multiple=(1, 3), yesno=0, nps=9, short="Manrique", long=None):
    """Form data for the public answer page."""
    data = {}
    for kind, value in (
        (RATING, rating),
        (SINGLE, single),
        (MULTIPLE, multiple),
        (YESNO, yesno),
        (NPS, nps),
        (SHORT, short),
        (LONG, long),
    ):
        if value is None:
            continue
        data[q(survey, kind).field_name] = (
            [str(v) for v in value] if isinstance(value, tuple | list) else str(value)
        )
    return data


def browser(app):
    """Another person's browser (the shared test client starts every request with a fresh `g`)."""
    from tests.conftest import Client

    return Client(app.test_client())
