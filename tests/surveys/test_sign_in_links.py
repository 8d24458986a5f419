"""The links an event's sign-in hands out: which surveys an event has is read once per process
for a few seconds (`queries.event_surveys`, a cached query), kept as plain data, and a survey
published, withdrawn or renamed is seen by the next signature."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event

from app.core import time
from app.surveys import commands, hooks, queries
from app.surveys.models import Survey

EVENT_ID = 77


def _links(app) -> list[dict]:
    with app.test_request_context():
        return hooks.after_sign_in(EVENT_ID, batch=None)


def test_the_event_surveys_are_plain_data_read_once(app, db, make_survey):
    survey = make_survey(title="Evaluación del taller", event_id=EVENT_ID)
    first = queries.event_surveys(EVENT_ID)
    assert [(s.id, s.slug, s.title) for s in first] == [(survey.id, survey.slug, "Evaluación del taller")]
    assert not any(isinstance(s, Survey) for s in first)
    with pytest.raises(AttributeError):
        first[0].title = "Otro"  # frozen: a caller cannot change what the next one gets
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert queries.event_surveys(EVENT_ID) == first
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listen)
    assert statements == []


def test_a_published_withdrawn_or_renamed_survey_is_seen_by_the_next_signature(app, db, make_survey):
    survey = make_survey(title="Evaluación del taller", event_id=EVENT_ID)
    links = _links(app)
    assert len(links) == 1 and f"/encuestas/{survey.slug}?t=" in links[0]["url"]
    assert "Evaluación del taller" in links[0]["text"]

    commands.set_published(survey, False, actor="test")
    assert _links(app) == []
    commands.set_published(survey, True, actor="test")
    settings = commands.SurveySettings(
        title="Evaluación de la audiencia", event_id=EVENT_ID, opens_at=survey.opens_at
    )
    commands.update_survey(survey, settings, actor="test")
    links = _links(app)
    assert len(links) == 1 and "Evaluación de la audiencia" in links[0]["text"]


def test_each_signature_gets_its_own_right_to_answer_and_a_closed_survey_none(app, db, make_survey):
    survey = make_survey(event_id=EVENT_ID)
    first, second = _links(app), _links(app)
    assert first[0]["url"] != second[0]["url"]  # a new signed nonce each time, never a cached one
    past = time.now() - timedelta(minutes=1)
    settings = commands.SurveySettings(
        title=survey.title, event_id=EVENT_ID, opens_at=survey.opens_at - timedelta(days=1), closes_at=past
    )
    commands.update_survey(survey, settings, actor="test")
    assert _links(app) == []
