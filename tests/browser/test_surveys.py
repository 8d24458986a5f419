"""An attendee signs an event's attendance on a phone (390×844), follows the evaluation link on
the confirmation page and answers the survey; axe-core checks every page on the way."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.catalogs.models import Office
from app.core import time
from app.events import commands as events
from app.surveys import commands as surveys
from app.surveys import presets
from app.surveys.models import SurveyResponse


def test_answer_the_evaluation_from_the_attendance_confirmation(phone, db, make_user):
    admin = make_user("admin")
    office = db.session.scalar(select(Office.code).order_by(Office.position))
    start = time.local_now().replace(second=0, microsecond=0) - timedelta(minutes=5)
    event = events.create_event(
        events.EventData(
            kind="AUD",
            title="Audiencia pública de rendición de cuentas 2026",
            place="Casa de la Cultura",
            day=start.date(),
            start=start.time(),
            end=(start + timedelta(hours=2)).time(),
            offices=(office,),
            territory="01",
        ),
        admin,
    )
    events.publish(event, admin)
    survey = surveys.create_survey(
        surveys.SurveySettings(
            title="Evaluación de la audiencia pública", event_id=event.id, profile_variables=["life_course"]
        ),
        template=presets.EVENT_EVALUATION,
        actor="test",
    )
    surveys.set_published(survey, True, actor="test")

    phone.visit(f"/asistencia/{event.token}")
    phone.fill("#name", "María Restrepo Gómez")
    phone.select_option("#doc_type", "CC")
    phone.fill("#doc_number", "1036222333")
    phone.page.check("#consent")  # the sign-in's first step: identity and consent only
    phone.click("form.sign-in-form > button[type=submit]")
    phone.wait_for_load_state()
    phone.check()
    link = phone.get_by_role("link", name="Evalúa este evento", exact=False)
    assert link.count() == 1
    href = link.get_attribute("href")
    assert href.startswith(f"/encuestas/{survey.slug}?t=")
    link.click()
    phone.wait_for_load_state()
    phone.check()
    assert "Evaluación de la audiencia pública" in phone.title()

    # The conditional question is hidden by JavaScript until "Sí" is chosen.
    conditional = next(q for q in survey.questions if q.key == "answered_ok")
    assert phone.locator(f"#pregunta-{conditional.id}").is_hidden()
    for question in survey.ordered_questions():
        if question.kind == "rating" and question.key != "answered_ok":
            phone.page.check(f"#{question.field_name}-3")  # the 4th option: value 4
    answered = next(q for q in survey.questions if q.key == "answered")
    phone.page.check(f"#{answered.field_name}-0")  # "Sí"
    assert phone.locator(f"#pregunta-{conditional.id}").is_visible()
    phone.page.check(f"#{conditional.field_name}-4")
    suggestions = next(q for q in survey.questions if q.key == "suggestions")
    phone.fill(f"#{suggestions.field_name}", "Más tiempo para las preguntas.")
    phone.click("main form > button[type=submit]")
    phone.wait_for_load_state()
    phone.check()
    assert "¡Gracias por responder!" in phone.content()

    db.session.expire_all()
    response = db.session.scalar(select(SurveyResponse))
    assert response.channel == "token"
    # The link was single-use: opening it again says so.
    phone.visit(href)
    assert "Ya respondiste esta encuesta con este enlace" in phone.content()


def test_staff_pages_pass_axe(desktop, db, make_user):
    from tests.browser.conftest import staff_login
    from tests.conftest import PASSWORD

    make_user("admin")
    survey = surveys.create_survey(
        surveys.SurveySettings(title="Evaluación de prueba", profile_variables=["sex"], results_public=True),
        template=presets.EVENT_EVALUATION,
        actor="test",
    )
    surveys.set_published(survey, True, actor="test")
    staff_login(desktop, "admin@prueba.gov.co", PASSWORD)
    for path in (
        "/gestion/encuestas/",
        f"/gestion/encuestas/{survey.id}",
        f"/gestion/encuestas/{survey.id}/ajustes",
        f"/gestion/encuestas/{survey.id}/preguntas/{survey.questions[0].id}",
        f"/gestion/encuestas/{survey.id}/vista-previa",
        f"/gestion/encuestas/{survey.id}/resultados",
        f"/gestion/encuestas/comparar?encuesta={survey.id}",
        "/encuestas/",
        f"/encuestas/{survey.slug}/resultados",
    ):
        desktop.visit(path)


def test_failed_survey_submit_guides_in_both_languages(phone, db):
    """An empty submit: title "Error:", focused summary first in <main>, each link on a question's
    first option or text box; what was typed is kept; the English page says it in English."""
    from tests.browser.conftest import assert_guiding_summary

    survey = surveys.create_survey(
        surveys.SurveySettings(title="Evaluación del taller", open_link=True),
        template=presets.EVENT_EVALUATION,
        actor="test",
    )
    surveys.set_published(survey, True, actor="test")
    required = [q for q in survey.ordered_questions() if q.required and not q.condition_question_id]
    assert required
    suggestions = next(q for q in survey.questions if q.key == "suggestions")
    for lang, expected in (("es", "Revisa lo siguiente"), ("en", "Check the following")):
        phone.visit(f"/encuestas/{survey.slug}?lang={lang}")
        phone.fill(f"#{suggestions.field_name}", "Más sillas, por favor.")
        with phone.expect_navigation():
            phone.click("main form > button[type=submit]")
        phone.check()
        state = assert_guiding_summary(phone, expected_links=len(required))
        assert expected in phone.inner_text("#error-summary")
        assert (
            f"#{required[0].field_name}-0" in state["links"] or f"#{required[0].field_name}" in state["links"]
        )
        assert phone.input_value(f"#{suggestions.field_name}") == "Más sillas, por favor."
