"""Browser: an attendee signs in on a phone (390×844) from the link in the QR, sees the
confirmation, and is refused a second time; staff and public event pages pass axe-core."""

import secrets
from datetime import timedelta

import pytest

from app.core import time
from app.events import commands, documents, queries, tokens
from app.events.models import PUBLISHED, Event, EventOffice
from app.extensions import db
from tests.browser.conftest import staff_login
from tests.conftest import PASSWORD
from tests.events.test_documents import _decode, _pdf_page_image

pytestmark = pytest.mark.browser


def _event():
    start = time.now().replace(microsecond=0) - timedelta(minutes=15)
    event = Event(
        kind="DIA",
        title="Espacio de diálogo: presupuesto participativo",
        status=PUBLISHED,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Biblioteca pública",
        territory="01",
        token=secrets.token_urlsafe(16),
        secret=secrets.token_urlsafe(32),
        short_code=commands.new_short_code(),
        opens_before_min=60,
        closes_after_min=60,
        agenda="Saludo\nPresentación\nMesas de trabajo",
    )
    event.offices = [EventOffice(office_code="DAP")]
    db.session.add(event)
    db.session.commit()
    return event


def _fill(page, doc: str, *, consent: bool = True):
    """The first step only: identity and consent."""
    page.fill("#name", "Luz Dary Zapata")
    page.select_option("#doc_type", "CC")
    page.fill("#doc_number", doc)
    if consent:
        page.page.check("#consent")  # AxePage.check runs axe; tick through the raw page
    page.click("form.sign-in-form > button[type=submit]")
    page.wait_for_load_state()
    page.check()


def _no_js_phone(chromium, live_server):
    from tests.browser.conftest import PHONE, AxePage

    context = chromium.new_context(viewport=PHONE, bypass_csp=True, locale="es-CO", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, AxePage(page, live_server)


def _required_part_fits(page) -> tuple[float, int]:
    """(bottom of the submit button in screen heights from the top, fields and buttons to operate)."""
    bottom = page.evaluate(
        "document.querySelector('form.sign-in-form button[type=submit]').getBoundingClientRect().bottom"
        " + window.scrollY"
    )
    controls = page.locator(
        "form.sign-in-form input:not([type=hidden]), form.sign-in-form select, form.sign-in-form button"
    ).count()
    return bottom / 844, controls


def test_attendee_signs_in_on_a_phone_once(app, phone, catalogs):
    event = _event()
    with app.test_request_context():
        poster = documents.poster(event)
    link = _decode(_pdf_page_image(poster))[0].replace(
        app.config["PARTICIPA_BASE_URL"], ""
    )  # scanned from the poster
    assert link == f"/asistencia/{event.token}"
    phone.visit(link)
    assert phone.locator("h1").inner_text() == "Firma la asistencia"
    screens, controls = _required_part_fits(phone)
    assert screens <= 2 and controls <= 12, (screens, controls)  # identity first: short enough for the door

    _fill(phone, "1.036.222.333", consent=False)  # forgot the authorisation: told, nothing lost
    assert "Sin tu autorización no podemos guardar tu firma" in phone.content()
    assert phone.title().startswith("Error:")
    assert phone.input_value("#doc_number") == "1.036.222.333"
    phone.page.check("#consent")
    phone.click("form.sign-in-form > button[type=submit]")
    phone.wait_for_load_state()
    phone.check()
    assert "Tu asistencia quedó registrada" in phone.locator("h1").inner_text()
    # The optional second step: reachable from the confirmation, and skippable.
    phone.click("text=Responder (1 minuto)")
    phone.wait_for_load_state()
    phone.check()
    assert "Ayúdanos a saber quién participa" in phone.locator("h1").inner_text()
    phone.click("button[name=saltar]")
    phone.wait_for_load_state()
    phone.check()
    assert "Tu asistencia quedó registrada" in phone.locator("h1").inner_text()
    assert "Responder (1 minuto)" not in phone.content()

    phone.visit(link)
    _fill(phone, "1036222333")
    assert phone.locator("h1").inner_text() == "Ya firmaste la asistencia"
    assert queries.count(event.id) == 1


def test_typed_code_and_expired_projection_pages_are_accessible(phone, catalogs):
    event = _event()
    phone.visit("/asistencia/codigo")
    phone.fill("#codigo", "zzzz-999")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    phone.check()
    assert "No encontramos un evento con ese código" in phone.content()
    phone.fill("#codigo", tokens.display_code(event.short_code).lower())
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    phone.check()
    assert phone.locator("h1").inner_text() == "Firma la asistencia"
    phone.visit(f"/asistencia/{event.id}.000000000000", expect_status=404)


def test_public_and_staff_event_pages_pass_axe(desktop, catalogs, make_user):
    event = _event()
    desktop.visit("/eventos/")
    desktop.visit("/eventos/?cuando=pasados")
    desktop.visit(f"/eventos/{event.id}")
    user = make_user("editor")
    staff_login(desktop, user.email, PASSWORD)
    for path in (
        "/gestion/eventos/",
        "/gestion/eventos/nuevo",
        f"/gestion/eventos/{event.id}",
        f"/gestion/eventos/{event.id}/editar",
        f"/gestion/eventos/{event.id}/en-vivo",
        f"/gestion/eventos/{event.id}/asistencia",
        f"/gestion/eventos/{event.id}/papel",
        f"/gestion/eventos/{event.id}/fichas",
        f"/gestion/eventos/{event.id}/fichas?filas=1",
        f"/gestion/eventos/{event.id}/proyeccion",
        f"/gestion/eventos/{event.id}/cerrar",
        f"/gestion/eventos/{event.id}/cancelar",
    ):
        desktop.visit(path)
    desktop.fill("#reason", "")
    desktop.click("main button[type=submit]")
    desktop.wait_for_load_state()
    desktop.check()  # the error state is accessible too


def test_both_steps_work_without_javascript(app, chromium, live_server, catalogs):
    """Plain pages: both steps, an error state and the skip work with JavaScript off. (axe-core
    needs JavaScript to run: the same pages are checked with it in the test above.)"""
    from app.characterization import buffer

    event = _event()
    context, phone = _no_js_phone(chromium, live_server)
    page = phone.page
    try:
        page.goto(f"{live_server}/asistencia/{event.token}")
        page.fill("#name", "Luz Dary Zapata")
        page.select_option("#doc_type", "CC")
        page.fill("#doc_number", "43111222")
        page.check("#consent")
        page.click("form.sign-in-form > button[type=submit]")
        assert "Tu asistencia quedó registrada" in page.locator("h1").inner_text()
        page.click("text=Responder (1 minuto)")
        assert "Ayúdanos a saber quién participa" in page.locator("h1").inner_text()
        page.check("#profile-life_course-4")
        page.select_option("#profile-territory", "01")
        page.fill("#profile-organisation", "<b>")  # refused: told next to the field, answers kept
        page.click("form .actions > button[type=submit]:not([name=saltar])")
        assert page.title().startswith("Error:") and page.locator(".error-summary").count() == 1
        assert page.is_checked("#profile-life_course-4")
        page.fill("#profile-organisation", "JAC La Floresta")
        page.click("form .actions > button[type=submit]:not([name=saltar])")
        assert "Gracias también por contarnos quién participa" in page.content()
    finally:
        context.close()
    assert queries.count(event.id) == 1 and buffer.waiting() == 1


def test_slips_entry_error_state_is_accessible_and_keeps_what_was_typed(desktop, catalogs, make_user):
    event = _event()
    user = make_user("editor")
    staff_login(desktop, user.email, PASSWORD)
    desktop.visit(f"/gestion/eventos/{event.id}/fichas?filas=1")
    desktop.fill("#slips-0-ethnicity", "7")
    desktop.fill("#slips-0-organisation", "Junta del barrio")
    desktop.click("main button[type=submit]")
    desktop.wait_for_load_state()
    desktop.check()
    assert desktop.input_value("#slips-0-organisation") == "Junta del barrio"
    assert "Ficha 1, Etnia" in desktop.locator("#error-summary").inner_text()
