"""Browser: the public plan pages at 390×844 with zero axe violations, and the staff report form."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.core import time
from tests.browser.conftest import staff_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
MEDELLIN = "app/plans/data/medellin_2024.tsv"


@pytest.fixture
def plan_with_follow_up(app, db, catalogs):
    from app.plans import commands, queries

    with time.freeze(datetime(2026, 5, 15, 17, 0)):
        result = commands.import_plan(open(MEDELLIN, "rb").read(), year=2026, publish=True)
        plan = queries.get_plan(result.plan.id)
        leader = plan.tasks[0]
        entry = commands.report(
            leader,
            1,
            "DAP",
            value=100,
            progress_text="Equipo conformado por resolución.",
            evidence=["https://www.medellin.gov.co/resolucion.pdf"],
        )
        commands.review_report(entry, approve=True, note="", actor="editor")  # notes go public after review
        formats = next(t for t in plan.tasks if t.description.startswith("Cualificación de formatos"))
        commands.report(formats, 1, "DAP", value=40, difficulties="Cambio de contratista.")
    return plan


def test_public_plan_pages_on_a_phone(phone, plan_with_follow_up):
    phone.visit("/planes/")
    assert phone.get_by_role("link", name=plan_with_follow_up.name).is_visible()
    phone.get_by_role("link", name=plan_with_follow_up.name).click()
    phone.wait_for_load_state()
    phone.check()
    assert phone.locator("h1").inner_text() == plan_with_follow_up.name
    first_action = phone.locator(f"#accion-{plan_with_follow_up.actions[0].id}")
    assert "100\u00a0%" in first_action.inner_text() and "Cumplida" in first_action.inner_text()
    # open the tasks of action 1 (no JavaScript needed: <details>) and check again
    first_action.locator("summary").click()
    assert first_action.get_by_text("Equipo conformado por resolución.").is_visible()
    phone.check()
    # no horizontal scrolling of the page at 390 px
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_staff_detail_and_report_form_on_a_phone(phone, plan_with_follow_up, make_user):
    make_user("editor", email="humana@prueba.gov.co", offices=("SGHSC",))
    staff_login(phone, "humana@prueba.gov.co", PASSWORD)
    phone.visit(f"/gestion/planes/{plan_with_follow_up.id}")
    formats = next(
        t for t in plan_with_follow_up.tasks if t.description.startswith("Cualificación de formatos")
    )
    phone.visit(f"/gestion/planes/{plan_with_follow_up.id}/tareas/{formats.id}/reportar")
    phone.fill("#value", "150")
    phone.click("button[type=submit]:has-text('Guardar reporte')")
    phone.wait_for_load_state()
    phone.check()  # the page with errors is accessible too
    assert phone.locator(".error-summary").is_visible()


def test_import_preview_on_a_phone(phone, make_user, db):
    make_user("admin", email="admin-planes@prueba.gov.co")
    staff_login(phone, "admin-planes@prueba.gov.co", PASSWORD)
    phone.visit("/gestion/planes/importar")
    phone.set_input_files("#file", MEDELLIN)
    phone.fill("#year", "2026")
    phone.click("button[type=submit]:has-text('Revisar el archivo')")
    phone.wait_for_load_state()
    phone.check()
    assert "9 acciones y 15 tareas" in phone.locator("main").inner_text()
    phone.get_by_label("Gobernación de Antioquia").check()
    phone.click("button[type=submit]:has-text('Importar el plan')")
    phone.wait_for_load_state()
    phone.check()
    assert "Plan importado" in phone.locator("main").inner_text()


def test_import_preview_with_errors_guides_to_the_file(phone, make_user, db, tmp_path):
    """A file with errors: the summary lists each line and links to the file field of the re-upload
    form on the same page; the name and year typed are kept."""
    from pathlib import Path

    from tests.browser.conftest import assert_guiding_summary

    lines = Path(MEDELLIN).read_text(encoding="utf-8").splitlines()
    lines[9] = lines[9].replace("\tMarzo\t", "\tMarzzo\t", 1)
    bad = tmp_path / "plan.tsv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    make_user("admin", email="admin-planes@prueba.gov.co")
    staff_login(phone, "admin-planes@prueba.gov.co", PASSWORD)
    phone.visit("/gestion/planes/importar")
    phone.set_input_files("#file", str(bad))
    phone.fill("#year", "2026")
    with phone.expect_navigation():
        phone.click("button[type=submit]:has-text('Revisar el archivo')")
    phone.check()
    state = assert_guiding_summary(phone, expected_links=1)
    assert state["links"] == ["#file"]
    assert "Línea 10" in phone.inner_text("#error-summary") and "Marzzo" in phone.inner_text("#error-summary")
    assert phone.input_value("#year") == "2026"
    phone.set_input_files("#file", MEDELLIN)
    with phone.expect_navigation():
        phone.click("button[type=submit]:has-text('Revisar el archivo corregido')")
    phone.check()
    assert "9 acciones y 15 tareas" in phone.locator("main").inner_text()
