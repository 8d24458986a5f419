"""The characterisation section, filled with the keyboard only at 390×844, with axe on every page.

The citizen forms that embed the section belong to other capabilities; the staff preview page
renders the very same section (same macro, same form class) and shows what would be stored."""

import pytest

from app.extensions import db as _db
from tests.browser.conftest import staff_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def tab_to(page, selector: str, limit: int = 250):
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_section_filled_with_keyboard_only(phone, make_user, catalogs):
    page = phone
    editor = make_user("editor")
    staff_login(page, editor.email, PASSWORD)
    page.visit("/gestion/caracterizacion/vista-previa")
    page.keyboard.press("Tab")  # the skip link first, like a keyboard user
    tab_to(page, "#profile-life_course-0")
    for _ in range(3):  # arrows move and select within the radio group: Juventud
        page.keyboard.press("ArrowDown")
    tab_to(page, "#profile-sex-0")
    page.keyboard.press("Space")  # Hombre
    page.keyboard.press("ArrowDown")  # Mujer
    tab_to(page, "#profile-disability-1")
    page.keyboard.press("Space")  # Visual
    tab_to(page, "#profile-territory")
    page.keyboard.press("ArrowDown")  # first comuna
    tab_to(page, "#profile-organisation")
    page.keyboard.type("Mesa de mujeres")
    tab_to(page, "#profile-consent")
    page.keyboard.press("Space")
    tab_to(page, "main form > button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check()
    result = page.locator("#resultado-prueba").inner_text()
    assert "Esto se guardaría" in result
    assert "Juventud" in result and "Mujer" in result and "Visual" in result and "Mesa de mujeres" in result
    # Every sensitive question was skipped except disability, and nothing was stored.
    from sqlalchemy import func, select

    from app.characterization.models import ConsentRecord, Profile

    assert _db.session.scalar(select(func.count()).select_from(Profile)) == 0
    assert _db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 0


def test_dashboard_pages_pass_axe(phone, make_user, catalogs):
    from app.characterization.demo import demo_profiles

    demo_profiles(300)
    analyst = make_user("analyst")
    staff_login(phone, analyst.email, PASSWORD)
    phone.visit("/gestion/caracterizacion/?fila=sex&columna=life_course")
    assert "«x»: cifra protegida" in phone.locator("main").inner_text()
    phone.visit("/gestion/caracterizacion/linea-base")


def test_refused_view_and_unusual_querying_pages_pass_axe(phone, make_user, catalogs):
    from app.characterization.demo import demo_profiles

    demo_profiles(300)
    steward = make_user("steward")
    staff_login(phone, steward.email, PASSWORD)
    phone.visit("/gestion/caracterizacion/consultas-inusuales")
    assert "Consultas inusuales de cifras" in phone.locator("h1").inner_text()
    analyst = make_user("analyst", email="analista2@prueba.gov.co")
    phone.context.clear_cookies()
    staff_login(phone, analyst.email, PASSWORD)
    phone.visit("/gestion/caracterizacion/?f_sex=3&f_zone=3&f_victim=2")
    assert "abarca menos de 5 participaciones" in phone.locator("main").inner_text()


def test_dashboard_barrio_filter_narrows_with_javascript(desktop, make_user, catalogs):
    """With JavaScript the barrio filter follows the comuna at once (no round trip); the filtered
    page counts the barrio's people."""
    from app.characterization.demo import demo_profiles

    demo_profiles(300)
    analyst = make_user("analyst")
    staff_login(desktop, analyst.email, PASSWORD)
    desktop.visit("/gestion/caracterizacion/")
    desktop.click("#filtros > summary")  # the filters fold behind "Filtrar"
    assert not desktop.is_visible(".filters .territory-refine button")
    every = desktop.evaluate("() => document.querySelectorAll('#f_subterritory optgroup').length")
    desktop.select_option("#f_territory", "01")
    groups = desktop.evaluate(
        "() => Array.from(document.querySelectorAll('#f_subterritory optgroup')).map(g => g.dataset.parent)"
    )
    assert every > 1 and groups == ["01"]
    desktop.select_option("#f_subterritory", "0103")
    with desktop.expect_navigation():
        desktop.click(".filters > button[type=submit]")
    desktop.check()
    assert "f_subterritory=0103" in desktop.url
    assert desktop.evaluate("() => document.querySelector('#f_subterritory').value") == "0103"


def test_dashboard_filters_fold_and_their_errors_guide(phone, make_user, catalogs):
    """ "Filtrar" is a <details>: folded with no filter, open with one; a wrong filter gives the
    error summary (title, focus, each link on its filter); the baseline upload's error too."""
    from tests.browser.conftest import assert_guiding_summary

    analyst = make_user("analyst")
    staff_login(phone, analyst.email, PASSWORD)
    phone.visit("/gestion/caracterizacion/")
    assert phone.evaluate("() => document.getElementById('filtros').open") is False
    assert not phone.is_visible("#capacidad")
    phone.click("#filtros > summary")  # a plain <details>: opens without any script of ours
    assert phone.is_visible("#capacidad")
    phone.check()
    phone.visit("/gestion/caracterizacion/?f_sex=2")
    assert phone.evaluate("() => document.getElementById('filtros').open") is True
    phone.visit("/gestion/caracterizacion/?desde=2026-05-10&hasta=2026-05-01&fila=sex", expect_status=400)
    state = assert_guiding_summary(phone, expected_links=2)
    assert state["links"] == ["#hasta", "#columna"]
    text = phone.inner_text("#error-summary")
    assert "La fecha final debe ser igual o posterior a la inicial" in text and "Elige dos variables" in text
    assert phone.input_value("#desde") == "2026-05-10"  # what was chosen is kept
    phone.visit(
        "/gestion/caracterizacion/?desde=2026-05-10&hasta=2026-05-01&fila=sex&lang=en", expect_status=400
    )
    assert_guiding_summary(phone, expected_links=2)
    assert "The end date must be the same as or after the start date" in phone.inner_text("#error-summary")

    phone.visit("/gestion/caracterizacion/linea-base?lang=es")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        bad = Path(folder) / "dane.csv"
        bad.write_bytes(b"territorio,sexo,poblacion\n99,1,10\n01,1,diez\n")
        phone.set_input_files("#archivo", str(bad))
        phone.fill("#fuente", "DANE 2025")
        with phone.expect_navigation():
            phone.click("form:has(#archivo) button[type=submit]")
    phone.check()
    assert_guiding_summary(phone, expected_links=1)
    assert "Fila 2" in phone.inner_text("#error-summary")
    assert phone.input_value("#fuente") == "DANE 2025"
