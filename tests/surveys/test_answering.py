"""Answering a survey: every question kind, required and conditional questions, bad input,
opening and closing dates, and the one-answer rule of standalone surveys."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.core import time
from app.surveys.models import LONG, MULTIPLE, NPS, RATING, SHORT, SINGLE, YESNO, SurveyAnswer, SurveyResponse
from tests.surveys.conftest import answers, browser, q


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _stored(db, question):
    return db.session.execute(
        select(SurveyAnswer.value, SurveyAnswer.text)
        .where(SurveyAnswer.question_id == question.id)
        .order_by(SurveyAnswer.choice)
    ).all()


def test_every_question_kind_is_rendered_and_stored(client, db, make_survey):
    survey = make_survey()
    page = client.get(f"/encuestas/{survey.slug}").get_data(as_text=True)
    assert (
        "¿Qué tan clara fue la información?" in page
        and "5 · Muy bueno" in page
        and "10 · Muy probable" in page
    )
    assert "Puedes marcar hasta 2 opciones." in page
    assert "Responde solo si en «¿Hiciste una pregunta?» respondiste «Sí»." in page  # condition, without JS

    response = client.submit(
        f"/encuestas/{survey.slug}",
        answers(survey, yesno=1, long="Que la vía se arregla en marzo.\nGracias."),
    )
    assert response.status_code == 302 and response.location.endswith(f"/encuestas/{survey.slug}/gracias")
    assert _count(db, SurveyResponse) == 1
    assert _stored(db, q(survey, RATING)) == [(4, None)]
    assert _stored(db, q(survey, SINGLE)) == [(2, None)]
    assert _stored(db, q(survey, MULTIPLE)) == [(1, None), (3, None)]
    assert _stored(db, q(survey, YESNO)) == [(1, None)]
    assert _stored(db, q(survey, NPS)) == [(9, None)]
    assert _stored(db, q(survey, SHORT)) == [(None, "Manrique")]
    assert _stored(db, q(survey, LONG)) == [(None, "Que la vía se arregla en marzo.\nGracias.")]
    assert "¡Gracias por responder!" in client.get(response.location).get_data(as_text=True)


def test_missing_required_answers_are_explained_and_nothing_is_stored(client, db, make_survey):
    survey = make_survey()
    data = answers(survey, short="Aranjuez")
    del data[q(survey, RATING).field_name]
    del data[q(survey, SINGLE).field_name]
    response = client.submit(f"/encuestas/{survey.slug}", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Revisa lo siguiente antes de enviar" in page and page.count("Elige una respuesta.") >= 2
    assert 'value="Aranjuez"' in page  # the rest of the form is kept
    assert _count(db, SurveyResponse) == 0 and _count(db, SurveyAnswer) == 0


def test_conditional_question_is_required_only_when_it_applies(client, db, make_survey):
    survey = make_survey()
    # Condition holds (yes) but the long answer is missing: refused.
    response = client.submit(f"/encuestas/{survey.slug}", answers(survey, yesno=1))
    assert response.status_code == 422 and "Escribe tu respuesta." in response.get_data(as_text=True)
    # Condition does not hold: not required, and an answer given anyway is not stored.
    response = client.submit(f"/encuestas/{survey.slug}", answers(survey, yesno=0, long="No aplica"))
    assert response.status_code == 302
    assert _stored(db, q(survey, LONG)) == []


def test_multiple_choice_maximum_and_invalid_choices_are_refused(client, db, make_survey):
    survey = make_survey()
    response = client.submit(f"/encuestas/{survey.slug}", answers(survey, multiple=(1, 2, 3)))
    assert response.status_code == 422 and "Elige como máximo 2 opciones." in response.get_data(as_text=True)
    for bad in (
        {q(survey, RATING).field_name: "6"},
        {q(survey, RATING).field_name: "abc"},
        {q(survey, NPS).field_name: "11"},
        {q(survey, SINGLE).field_name: "9"},
    ):
        response = client.submit(f"/encuestas/{survey.slug}", {**answers(survey), **bad})
        assert response.status_code == 422, bad
    assert _count(db, SurveyResponse) == 0


def test_hostile_text_is_stored_as_text_and_shown_escaped(client, db, make_survey, login_as):
    survey = make_survey()
    hostile = "<script>alert(1)</script>'; DROP TABLE survey;--\x00\u202e"
    response = client.submit(f"/encuestas/{survey.slug}", answers(survey, short=hostile))
    assert response.status_code == 302
    stored = _stored(db, q(survey, SHORT))[0][1]
    assert stored == "<script>alert(1)</script>'; DROP TABLE survey;--"  # control/bidi characters removed
    login_as("admin")
    page = client.get(f"/gestion/encuestas/{survey.id}/resultados/{q(survey, SHORT).id}/textos").get_data(
        as_text=True
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_oversized_text_is_refused(client, db, make_survey):
    survey = make_survey()
    response = client.submit(f"/encuestas/{survey.slug}", answers(survey, short="x" * 301))
    assert response.status_code == 422 and "300" in response.get_data(as_text=True)
    assert _count(db, SurveyResponse) == 0


def test_standalone_survey_takes_one_answer_per_device(app, client, db, make_survey):
    survey = make_survey()
    assert client.submit(f"/encuestas/{survey.slug}", answers(survey)).status_code == 302
    page = client.get(f"/encuestas/{survey.slug}").get_data(as_text=True)
    assert "Ya respondiste esta encuesta desde este dispositivo" in page
    again = client.submit(f"/encuestas/{survey.slug}", answers(survey), form_url="/gestion/ingresar")
    assert "Ya respondiste" in again.get_data(as_text=True)
    assert _count(db, SurveyResponse) == 1
    # A forged cookie is ignored (it is signed), so it cannot block or unblock anything.
    other = app.test_client()
    other.set_cookie("participa_encuestas", "[1,2,3]")
    assert "Ya respondiste" not in other.get(f"/encuestas/{survey.slug}").get_data(as_text=True)


def test_drafts_are_not_public_and_dates_are_respected(client, db, make_survey):
    draft = make_survey(title="Borrador", published=False)
    assert client.get(f"/encuestas/{draft.slug}").status_code == 404
    later = make_survey(title="Más adelante", opens_at=time.now() + timedelta(days=2))
    page = client.get(f"/encuestas/{later.slug}").get_data(as_text=True)
    assert (
        "todavía no está abierta" in page
        and '<form method="post"' not in page.split("<main")[1].split("</main>")[0]
    )
    closed = make_survey(
        title="Cerrada", opens_at=time.now() - timedelta(days=5), closes_at=time.now() - timedelta(days=1)
    )
    assert "ya cerró" in client.get(f"/encuestas/{closed.slug}").get_data(as_text=True)
    response = client.submit(f"/encuestas/{closed.slug}", answers(closed), form_url="/gestion/ingresar")
    assert "ya cerró" in response.get_data(as_text=True)
    assert _count(db, SurveyResponse) == 0


def test_consent_refused_keeps_answers_without_profile(client, db, make_survey):
    from app.characterization.models import Profile

    survey = make_survey(profile_variables=["life_course", "sex"])
    page = client.get(f"/encuestas/{survey.slug}").get_data(as_text=True)
    assert "Autorización para el tratamiento de datos personales" in page
    data = {**answers(survey), "profile-sex": "2", "profile-territory": "01"}
    asked = client.submit(f"/encuestas/{survey.slug}", data)  # never dropped silently: asked first
    assert asked.status_code == 422 and "Enviar sin mis respuestas de caracterización" in asked.get_data(
        as_text=True
    )
    assert _count(db, SurveyResponse) == 0
    response = client.submit(f"/encuestas/{survey.slug}", {**data, "profile-discard": "y"})
    assert response.status_code == 302
    response_row = db.session.scalar(select(SurveyResponse))
    assert response_row.profile_id is None and _count(db, Profile) == 0
    assert "no guardamos tus respuestas de caracterización" in client.get(response.location).get_data(
        as_text=True
    )


def test_consent_given_links_response_to_an_unlinkable_profile(app, db, make_survey):
    from app.characterization.models import Profile

    survey = make_survey(profile_variables=["life_course", "sex"])
    c = browser(app)
    data = {**answers(survey), "profile-sex": "2", "profile-life_course": "AD", "profile-consent": "y"}
    assert c.submit(f"/encuestas/{survey.slug}", data).status_code == 302
    profile = db.session.scalar(select(Profile))
    assert profile.capability == "surveys" and profile.object_id == str(survey.id) and profile.sex == "2"
    assert db.session.scalar(select(SurveyResponse)).profile_id == profile.id


def test_hostile_urls_are_refused_cleanly(app, client, db, make_survey, login_as):
    survey = make_survey(profile_variables=["sex"])
    assert client.get("/encuestas/%00%3Cscript%3E").status_code == 404
    assert client.get(f"/encuestas/{survey.slug}?t=%00' OR 1=1--").status_code == 200
    from app.surveys import hooks

    with app.test_request_context():  # NUL stripped before the query (PostgreSQL refuses NUL bytes)
        assert [r["title"] for r in hooks.search("prueba\x00")] == ["Encuesta de prueba"]
    login_as("admin")
    page = client.get(f"/gestion/encuestas/{survey.id}/resultados?sex=%00%27%20OR%201=1--&pagina=-5")
    assert page.status_code == 200
    assert (
        client.get(
            f"/gestion/encuestas/{survey.id}/resultados/{q(survey, SHORT).id}/textos?pagina=-3&sex=%00"
        ).status_code
        == 200
    )
