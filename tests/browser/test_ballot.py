"""Browser: deposit a question and look it up on a phone (390×844), axe on every page."""

import re

import pytest

from tests.ballot.conftest import file_question  # noqa: F401  (fixture shared with tests/ballot)

pytestmark = pytest.mark.browser


def test_deposit_and_lookup_on_a_phone(phone, catalogs):
    phone.visit("/urna/")
    phone.click("label[for=kind-0]")
    phone.fill("#text", "¿Cuándo arreglan el alumbrado del parque principal del barrio?")
    phone.click("button[type=submit]:has-text('Enviar y recibir mi radicado')")
    phone.wait_for_url("**/urna/radicado")
    phone.check()
    radicado = phone.inner_text(".radicado").strip()
    code = phone.inner_text(".code").strip()
    assert re.fullmatch(r"UV-\d{4}-\d{6}", radicado) and re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)

    phone.visit("/urna/seguimiento")
    phone.fill("#radicado", radicado)
    phone.fill("#code", "WRONG-CODE1")
    phone.click("button[type=submit]:has-text('Consultar')")
    phone.wait_for_load_state()
    phone.check()
    assert "No encontramos una solicitud con esos datos" in phone.content()

    phone.fill("#code", code.lower())
    phone.click("button[type=submit]:has-text('Consultar')")
    phone.wait_for_url(f"**/urna/seguimiento/{radicado}")
    phone.check()
    body = phone.inner_text("main")
    assert radicado in body and "Recibida" in body and "alumbrado del parque" in body
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_deposit_errors_are_announced_accessibly(phone, catalogs):
    phone.visit("/urna/")
    phone.click("button[type=submit]:has-text('Enviar y recibir mi radicado')")
    phone.wait_for_load_state()
    phone.check()
    assert phone.is_visible("#error-summary")
    phone.visit("/urna/respuestas")
    phone.visit("/urna/cifras")


def test_staff_inbox_and_detail_pass_axe(desktop, make_user, catalogs, file_question):  # noqa: F811
    from tests.browser.conftest import staff_login
    from tests.conftest import PASSWORD

    q = file_question(name="Ana Pérez", email="ana@example.org").question
    admin = make_user("admin")
    staff_login(desktop, admin.email, PASSWORD)
    desktop.visit("/gestion/urna/")
    desktop.visit(f"/gestion/urna/{q.id}")
    desktop.fill("#body", "El alumbrado se repara la próxima semana.")
    desktop.click("button:has-text('Guardar borrador')")
    desktop.wait_for_load_state()
    desktop.check()
    assert "Borrador" in desktop.inner_text("main")
