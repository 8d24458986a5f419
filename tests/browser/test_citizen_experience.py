"""A citizen finishes with the keyboard only, errors guide them, and every page passes axe-core
(best-practice rules included) at 320, 390 and 1280 px in Spanish and English, error states too.

GOV.UK's error summary pattern: after a failed submit the title starts with "Error:", the summary
is the first thing in <main> and has the focus, and each of its links moves the focus to a field
that exists on the page.
"""

import pytest

from app.extensions import db as _db
from tests.browser.conftest import DESKTOP, PHONE, SMALL_PHONE, _page
from tests.browser.conftest import assert_guiding_summary as _assert_guiding_summary
from tests.browser.test_consultations import _consultation, _tab_to

pytestmark = pytest.mark.browser


def test_keyboard_only_sign_in_after_a_failed_submit(phone, catalogs):
    """The QR sign-in with the keyboard only: an empty submit guides to each field; then the first
    step, the optional second step reached and skipped, all without a mouse."""
    from tests.browser.test_events import _event

    event = _event()
    phone.visit(f"/asistencia/{event.token}")
    _tab_to(phone, "form.sign-in-form > button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    phone.check()
    state = _assert_guiding_summary(phone)
    assert state["links"] == ["#name", "#doc_type", "#doc_number"], state
    phone.focus('#error-summary a[href="#name"]')
    phone.keyboard.press("Enter")
    phone.keyboard.type("Luz Dary Zapata")
    _tab_to(phone, "#doc_type")
    phone.keyboard.press("ArrowDown")  # the first type of document
    assert phone.input_value("#doc_type")
    _tab_to(phone, "#doc_number")
    phone.keyboard.type("1036222333")
    _tab_to(phone, "#consent")
    phone.keyboard.press("Space")
    _tab_to(phone, "form.sign-in-form > button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    phone.check()
    assert "Tu asistencia quedó registrada" in phone.inner_text("h1")
    _tab_to(phone, f"main a[href='/asistencia/gracias/{event.id}/quien-participa']")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    phone.check()
    assert "Ayúdanos a saber quién participa" in phone.inner_text("h1")
    _tab_to(phone, "button[name=saltar]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    phone.check()
    assert "Tu asistencia quedó registrada" in phone.inner_text("h1")


def test_keyboard_only_consultation_after_a_failed_submit(phone, db, catalogs):
    c = _consultation(db)
    topics = [t.id for t in c.topics]
    phone.visit(f"/consultas/{c.slug}")
    assert not phone.title().startswith("Error:")
    _tab_to(phone, "form.consultation-form > button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")  # nothing chosen
    phone.check()
    state = _assert_guiding_summary(phone, expected_links=1)
    assert state["links"] == [f"#topic-{topics[0]}"]
    assert "Elige al menos un tema" in phone.inner_text("#error-summary")
    # The link left the focus on the first topic: Space picks it, then send.
    phone.keyboard.press("Space")
    _tab_to(phone, "#profile-consent")
    phone.keyboard.press("Space")
    _tab_to(phone, "form.consultation-form > button[type=submit]")
    with phone.expect_navigation(url="**/gracias**"):
        phone.keyboard.press("Enter")
    phone.check()
    assert "Recibimos tu respuesta" in phone.inner_text("h1")


def test_keyboard_only_urna_after_a_failed_submit(phone, catalogs):
    phone.visit("/urna/")
    _tab_to(phone, "main form > button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    phone.check()
    state = _assert_guiding_summary(phone)
    assert "#kind-0" in state["links"] and "#text" in state["links"]  # the radio group's first option
    _tab_to(phone, "#kind-0")
    phone.keyboard.press("Space")
    _tab_to(phone, "#text")
    phone.keyboard.type("¿Cuándo arreglan el alumbrado del parque principal del barrio?")
    _tab_to(phone, "main form > button[type=submit]")
    with phone.expect_navigation(url="**/urna/radicado"):
        phone.keyboard.press("Enter")
    phone.check()
    assert phone.inner_text(".radicado").startswith("UV-")


def test_answers_without_consent_are_asked_about_not_dropped(phone, db, catalogs):
    c = _consultation(db)
    phone.visit(f"/consultas/{c.slug}")
    phone.page.check(f"#topic-{c.topics[0].id}")
    phone.page.check("#profile-sex-0")
    phone.click("form.consultation-form button[type=submit]:has-text('Enviar mi respuesta')")
    phone.wait_for_load_state()
    phone.check()
    _assert_guiding_summary(phone)
    assert phone.is_checked("#profile-sex-0") and phone.is_checked(f"#topic-{c.topics[0].id}")
    with phone.expect_navigation(url="**/gracias**"):
        phone.click("button[name='profile-discard']")
    assert "no guardamos ninguna respuesta de caracterización" in phone.inner_text("main")


def test_territory_narrows_with_javascript(phone, db, catalogs):
    c = _consultation(db)
    phone.visit(f"/consultas/{c.slug}")
    assert not phone.is_visible(".territory-refine button")  # with JavaScript no round trip is needed
    every = phone.evaluate("() => document.querySelectorAll('#profile-subterritory optgroup').length")
    phone.select_option("#profile-territory", "01")
    groups = phone.evaluate(
        "() => Array.from(document.querySelectorAll('#profile-subterritory optgroup'))"
        ".map(g => g.dataset.parent)"
    )
    assert every > 1 and groups == ["01"]
    phone.check()


def test_empty_typed_code_says_what_to_do(phone, catalogs):
    phone.visit("/asistencia/codigo")
    with phone.expect_navigation():
        phone.click("main form > button[type=submit]")
    phone.check()
    _assert_guiding_summary(phone, expected_links=1)
    assert "Escribe el código que aparece en el cartel" in phone.inner_text("#error-summary")


@pytest.mark.parametrize("viewport", [SMALL_PHONE, PHONE, DESKTOP], ids=["320", "390", "1280"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_citizen_pages_pass_axe_at_every_width_in_both_languages(
    chromium, live_server, db, catalogs, viewport, lang
):
    from app.surveys import commands as surveys
    from app.surveys import presets
    from tests.browser.test_events import _event

    c = _consultation(_db)
    event = _event()
    survey = surveys.create_survey(
        surveys.SurveySettings(title="Evaluación del taller", open_link=True),
        template=presets.EVENT_EVALUATION,
        actor="test",
    )
    surveys.set_published(survey, True, actor="test")
    for page in _page(chromium, live_server, viewport):
        page.visit(f"/?lang={lang}")
        paths = [
            "/",
            "/consultas/",
            f"/consultas/{c.slug}",
            "/urna/",
            "/urna/seguimiento",
            "/asistencia/codigo",
            "/eventos/",
            f"/eventos/{event.id}",
            f"/asistencia/{event.token}",
            "/encuestas/",
            f"/encuestas/{survey.slug}",
            "/planes/",
            "/privacidad",
        ]
        for path in paths:
            page.visit(path)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= viewport["width"], (path, width)  # no sideways scroll, 320 px included
            if path != "/":
                assert page.locator("nav.breadcrumbs").count() == 1, path
        # Error states, after each failed submit.
        for path, button in (
            (f"/consultas/{c.slug}", "form.consultation-form > button[type=submit]"),
            ("/urna/", "main form > button[type=submit]"),
            ("/asistencia/codigo", "main form > button[type=submit]"),
            (f"/asistencia/{event.token}", "form.sign-in-form > button[type=submit]"),
            (f"/encuestas/{survey.slug}", "main form > button[type=submit]"),
        ):
            page.visit(path)
            with page.expect_navigation():
                page.click(button)
            page.check()
            assert page.title().startswith("Error:")
            assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"], path
            if lang == "en":
                assert "Check the following" in page.inner_text("#error-summary") or path.endswith(
                    "codigo"
                ), path
        # The sign-in's optional second step.
        page.visit(f"/asistencia/{event.token}")
        page.fill("#name", "Luz Dary Zapata")
        page.select_option("#doc_type", "CC")
        page.fill("#doc_number", "1036222333")
        page.page.check("#consent")
        with page.expect_navigation():
            page.click("form.sign-in-form > button[type=submit]")
        page.check()
        page.visit(f"/asistencia/gracias/{event.id}/quien-participa")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
