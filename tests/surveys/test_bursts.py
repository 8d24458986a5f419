"""A burst of answers through the survey's open link, from one device or one address, is flagged
to staff on the results page, as consultations do (one shared counter, `app.core.bursts`), without
keeping the address or the device id in the clear."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import func, inspect, select

from app.core import registry, time
from app.core.db import RowBatch
from app.surveys.models import SurveyBurst, SurveyResponse, SurveySource
from app.surveys.public import ANSWERED_COOKIE
from tests.surveys.conftest import answers, browser

# A fixed moment a few seconds into a minute: the address window is one minute long.
MOMENT = time.now().replace(second=5, microsecond=0) + timedelta(minutes=1)
EVENT_ID = 43


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _staff_results(client, survey) -> str:
    return client.get(f"/gestion/encuestas/{survey.id}/resultados").get_data(as_text=True)


def test_a_script_answering_twelve_times_from_one_address_is_flagged_to_staff(
    app, client, db, make_survey, login_as
):
    """The consultation attack, on a survey's open link: a script that drops its cookies answers
    12 times in seconds. The open link cannot tell these answers apart, so they count, but staff
    see the burst, in Bogotá time."""
    survey = make_survey()
    with time.freeze(MOMENT):
        for _ in range(12):
            script = browser(app)  # no cookies kept between answers
            assert script.submit(f"/encuestas/{survey.slug}", answers(survey)).status_code == 302
    assert _count(db, SurveyResponse) == 12
    [burst] = db.session.scalars(select(SurveyBurst)).all()
    assert (burst.kind, burst.n, burst.window_minutes) == ("address", 12, 1)
    # No address, no device id, no hash in the flag; the source rows hold a 16-character keyed hash.
    assert {col["name"] for col in inspect(db.engine).get_columns("survey_burst")} == {
        "id",
        "survey_id",
        "kind",
        "window_start",
        "window_minutes",
        "n",
    }
    sources = db.session.scalars(select(SurveySource)).all()
    assert sources and all(len(s.source) == 16 and "127.0.0.1" not in s.source for s in sources)

    login_as("analyst")
    html = _staff_results(client, survey)
    assert "Ráfagas de respuestas para revisar" in html
    assert "12 respuestas desde una misma dirección de internet" in html
    local = MOMENT.replace(second=0) - timedelta(hours=5)  # Bogotá is UTC-5
    assert local.strftime("%-I:%M") in html


def test_one_browser_answering_again_after_clearing_its_marker_is_flagged(app, client, db, make_survey):
    survey = make_survey()
    with time.freeze(MOMENT):
        client.get("/")  # the browser gets its signed device cookie
        for _ in range(3):
            client.delete_cookie(ANSWERED_COOKIE)
            assert client.submit(f"/encuestas/{survey.slug}", answers(survey)).status_code == 302
    assert {b.kind: b.n for b in db.session.scalars(select(SurveyBurst))} == {"device": 3}


def test_a_few_people_on_one_wifi_are_not_flagged(app, db, make_survey):
    survey = make_survey()
    with time.freeze(MOMENT):
        for _ in range(9):
            person = browser(app)
            person.get("/")
            assert person.submit(f"/encuestas/{survey.slug}", answers(survey)).status_code == 302
    assert _count(db, SurveyResponse) == 9 and _count(db, SurveyBurst) == 0


def test_attendees_answering_with_their_one_time_links_from_one_venue_are_not_a_burst(app, db, make_survey):
    """Each one-time link answers once: a room answering with its links on one Wi-Fi is not counted."""
    survey = make_survey(event_id=EVENT_ID)
    with time.freeze(MOMENT):
        for _ in range(12):
            with app.test_request_context():
                batch = RowBatch()
                [link] = registry.get(app).call("after_sign_in", EVENT_ID, batch)
                batch.store()
            token = parse_qs(urlparse(link["url"]).query)["t"][0]
            response = browser(app).submit(link["url"], {**answers(survey), "t": token})
            assert response.status_code == 302
    assert _count(db, SurveyResponse) == 12
    assert _count(db, SurveySource) == 0 and _count(db, SurveyBurst) == 0


def test_survey_source_hashes_are_kept_only_about_an_hour(app, client, db, make_survey, login_as):
    survey = make_survey()
    with time.freeze(MOMENT):
        for _ in range(10):
            assert browser(app).submit(f"/encuestas/{survey.slug}", answers(survey)).status_code == 302
    assert _count(db, SurveySource) >= 1
    login_as("analyst")
    with time.freeze(MOMENT + timedelta(hours=2)):
        html = _staff_results(client, survey)
    assert _count(db, SurveySource) == 0
    assert "10 respuestas desde una misma dirección" in html  # the flag stays
