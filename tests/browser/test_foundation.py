"""Foundation pages in a real browser at 390×844 and 1280×800, with axe-core on every page."""

import pytest

from tests.browser.conftest import staff_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_home_in_spanish_and_english(any_viewport, catalogs):
    page = any_viewport
    page.visit("/")
    assert page.get_attribute("html", "lang") == "es-CO"
    assert page.locator("h1").inner_text().startswith("Participa en la gestión")
    page.click("text=English")
    page.wait_for_load_state()
    page.check()
    assert page.get_attribute("html", "lang") == "en"
    page.visit("/?lang=es")
    for path in (
        "/privacidad",
        "/terminos",
        "/accesibilidad",
        "/mapa-del-sitio",
        "/buscar?q=plan",
        "/transparencia/participa",
    ):
        page.visit(path)


def test_login_with_bad_then_good_password(any_viewport, make_user):
    page = any_viewport
    user = make_user("editor")
    staff_login(page, user.email, "no-es-la-clave-123")
    page.check()
    assert page.locator("#error-summary").is_visible()
    assert "no coinciden" in page.locator("#password-error").inner_text()
    assert page.input_value("#email") == user.email
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.check()
    assert page.url.endswith("/gestion/")
    assert "Ingresaste correctamente" in page.content()


def test_admin_pages(any_viewport, make_user):
    page = any_viewport
    admin = make_user("admin")
    make_user("editor", offices=("DAP",))
    staff_login(page, admin.email, PASSWORD)
    page.check()
    for path in (
        "/gestion/usuarios",
        "/gestion/usuarios/nuevo",
        "/gestion/catalogos/",
        "/gestion/catalogos/territorios",
        "/gestion/catalogos/dependencias",
        "/gestion/catalogos/lista/ethnicity",
        "/gestion/auditoria",
        "/gestion/cuenta/clave",
    ):
        page.visit(path)
    # a form with errors is accessible too
    page.visit("/gestion/usuarios/nuevo")
    page.fill("#email", "sin-arroba")
    page.click("main button[type=submit]")  # not the staff bar's "Cerrar sesión"
    page.wait_for_load_state()
    page.check()
    assert page.locator("#error-summary").is_visible()


@pytest.mark.parametrize("role", ["editor", "analyst", "steward"])
def test_staff_pages_per_role(any_viewport, make_user, role):
    page = any_viewport
    user = make_user(role)
    staff_login(page, user.email, PASSWORD)
    page.check()
    assert page.url.endswith("/gestion/")
    page.visit("/gestion/cuenta/clave")
    page.visit("/gestion/usuarios", expect_status=403)
    assert "No tienes permiso" in page.locator("h1").inner_text()
    page.visit("/gestion/catalogos/", expect_status=403)


def test_error_pages(any_viewport, catalogs):
    page = any_viewport
    page.visit("/no-existe", expect_status=404)
    page.visit("/no-existe?lang=en", expect_status=404)
    page.visit("/?lang=es")
    # a form whose security code went missing: the friendly 400 page
    page.visit("/gestion/ingresar")
    page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    page.fill("#email", "alguien@medellin.gov.co")
    page.fill("#password", "lo-que-sea-123")
    with page.expect_response(lambda r: r.url.endswith("/gestion/ingresar")) as info:
        page.click("button[type=submit]")
    assert info.value.status == 400
    page.wait_for_load_state()
    page.check()
    assert "no guardamos nada" in page.content()
