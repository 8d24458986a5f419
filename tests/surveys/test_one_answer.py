"""Attached surveys: the sign-in gives a one-time right to answer; answers are not linkable to
the attendee (no join leads from an answer to a name)."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlparse

from sqlalchemy import DateTime, func, inspect, select

from app.core import registry
from app.core.db import RowBatch
from app.extensions import db as _db
from app.surveys import commands, queries
from app.surveys.models import CHANNEL_LINK, CHANNEL_TOKEN, SurveyResponse, SurveyToken
from tests.surveys.conftest import answers, browser

EVENT_ID = 41


def _sign_in(app) -> str:
    """What events does at a signature: call the hook with the signature's rows, store them, show the link."""
    with app.test_request_context():
        batch = RowBatch()
        links = registry.get(app).call("after_sign_in", EVENT_ID, batch)
        batch.store()
    assert len(links) == 1 and "Evalúa este evento" in links[0]["text"]
    return links[0]["url"]


def _token(url: str) -> str:
    return parse_qs(urlparse(url).query)["t"][0]


def test_sign_in_gives_a_one_time_link_that_is_consumed_once(app, client, db, make_survey):
    survey = make_survey(event_id=EVENT_ID)
    url = _sign_in(app)
    assert url.startswith(f"/encuestas/{survey.slug}?t=")
    page = client.get(url).get_data(as_text=True)
    assert 'name="t"' in page
    data = {**answers(survey), "t": _token(url)}
    assert client.submit(url, data, form_url=url).status_code == 302
    row = db.session.scalar(select(SurveyResponse))
    assert row.channel == CHANNEL_TOKEN
    # The same link again, even from another browser: refused, nothing more stored.
    other = browser(app)
    assert "Ya respondiste esta encuesta con este enlace" in other.get(url).get_data(as_text=True)
    response = other.submit(f"/encuestas/{survey.slug}", data, form_url="/gestion/ingresar")
    assert response.status_code in (200, 409) and "Ya respondiste" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_attached_survey_without_token_is_refused_unless_open_answers_are_allowed(
    app, client, db, make_survey
):
    survey = make_survey(event_id=EVENT_ID)
    page = client.get(f"/encuestas/{survey.slug}").get_data(as_text=True)
    assert "con el enlace personal que reciben al firmar la asistencia" in page
    response = client.submit(f"/encuestas/{survey.slug}", answers(survey), form_url="/gestion/ingresar")
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    assert response.status_code == 200 and "enlace personal" in response.get_data(as_text=True)
    bad = client.get(f"/encuestas/{survey.slug}?t=inventado").get_data(as_text=True)
    assert "Este enlace no es válido" in bad

    commands.update_survey(
        survey,
        commands.SurveySettings(
            open_link=True, event_id=EVENT_ID, title=survey.title, opens_at=survey.opens_at
        ),
        actor="test",
    )
    assert client.submit(f"/encuestas/{survey.slug}", answers(survey)).status_code == 302
    assert db.session.scalar(select(SurveyResponse)).channel == CHANNEL_LINK


def test_two_simultaneous_submissions_with_one_token_store_one_response(app, db, make_survey):
    survey = make_survey(event_id=EVENT_ID)
    token = _token(_sign_in(app))
    survey_id = survey.id
    kept = {survey.ordered_questions()[0].id: 5}
    barrier = threading.Barrier(4)
    outcomes = []

    def attempt():
        with app.app_context():
            s = queries.get(survey_id)
            barrier.wait()
            try:
                commands.submit(s, kept, token=token)
                outcomes.append("ok")
            except commands.SurveyError as exc:
                outcomes.append(exc.code)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "used", "used", "used"]
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_closed_surveys_issue_no_tokens(app, db, make_survey):
    from datetime import timedelta

    from app.core import time

    make_survey(
        event_id=EVENT_ID, opens_at=time.now() - timedelta(days=3), closes_at=time.now() - timedelta(days=1)
    )
    make_survey(title="Borrador", event_id=EVENT_ID, published=False)
    with app.test_request_context():
        batch = RowBatch()
        assert registry.get(app).call("after_sign_in", EVENT_ID, batch) == []
        assert batch.rows == []
    assert db.session.scalar(select(func.count()).select_from(SurveyToken)) == 0


def test_no_join_leads_from_an_answer_to_a_name(app, client, db, make_survey):
    """The tables reachable from an answer through foreign keys hold no identity, and the
    answer side holds no time and no key to the token (or to anything written at sign-in)."""
    survey = make_survey(event_id=EVENT_ID)
    for _ in range(3):
        url = _sign_in(app)
        c = browser(app)
        assert c.submit(url, {**answers(survey), "t": _token(url)}, form_url=url).status_code == 302

    insp = inspect(db.engine)
    tables = insp.get_table_names()
    edges: dict[str, set[str]] = {t: set() for t in tables}
    for t in tables:
        for fk in insp.get_foreign_keys(t):
            edges[t].add(fk["referred_table"])
            edges[fk["referred_table"]].add(t)
    reachable, todo = set(), ["survey_answer"]
    while todo:
        t = todo.pop()
        if t not in reachable:
            reachable.add(t)
            todo.extend(edges[t])
    identity_words = ("name", "document", "email", "phone", "contact", "attendance", "consent")
    for t in reachable:
        for column in insp.get_columns(t):
            assert not any(
                w in column["name"]
                for w in identity_words
                if not (t == "survey" and column["name"] == "slug")
            ), (t, column["name"])
    assert not any("attendance" in t or t.startswith("event") for t in reachable)
    assert "survey_token" in reachable  # only through the survey, shared by every attendee

    # Answer side: no time of day, no token key, random ids.
    for t in ("survey_response", "survey_answer", "survey_token"):
        for column in insp.get_columns(t):
            assert not isinstance(column["type"], DateTime), (t, column["name"])
            assert "token" not in column["name"] or t == "survey_token"
    response_fks = {fk["referred_table"] for fk in insp.get_foreign_keys("survey_response")}
    assert response_fks == {"survey", "profile"}
    ids = db.session.scalars(select(SurveyResponse.id)).all()
    assert len(set(ids)) == 3 and all(i > 2**40 for i in ids)  # random, not a sequence
    token_fks = {fk["referred_table"] for fk in insp.get_foreign_keys("survey_token")}
    assert token_fks == {"survey"}


def test_an_attendee_who_answered_with_the_one_time_link_cannot_answer_again_openly(
    app, client, db, make_survey
):
    """Same browser: after answering with the personal link, the open link says "ya respondiste"
    and a posted answer is not stored."""
    survey = make_survey(event_id=EVENT_ID, open_link=True)
    url = _sign_in(app)
    assert client.submit(url, {**answers(survey), "t": _token(url)}, form_url=url).status_code == 302
    open_url = f"/encuestas/{survey.slug}"
    page = client.get(open_url).get_data(as_text=True)
    assert "Ya respondiste" in page and 'name="csrf_token"' not in page
    response = client.submit(open_url, answers(survey), form_url="/gestion/ingresar")
    assert "Ya respondiste" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    # A forged marker does not help a browser that never answered, nor hurt one that did.
    other = browser(app)
    other.set_cookie("participa_encuestas", f"[{survey.id}]")
    assert other.submit(open_url, answers(survey)).status_code == 302
