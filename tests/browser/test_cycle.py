"""The accountability cycle's pages in a real browser with axe-core: open data, the report page,
"Mis tareas", bulk follow-up, review, the audit log and transparency items."""

from datetime import datetime

import pytest

from app.core import time
from tests.browser.conftest import staff_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_cycle_pages_are_accessible(desktop, make_user, catalogs):
    from app.plans import commands
    from tests.plans.conftest import MEDELLIN

    page = desktop
    with time.freeze(datetime(2026, 5, 15, 17, 0)):
        plan = commands.import_plan(MEDELLIN.read_bytes(), year=2026, publish=True, actor="test").plan
        task = next(t for t in plan.tasks if "DAP" in t.reporting_codes)
        commands.report(task, 1, "DAP", value=10, progress_text="Avance por revisar.")
    page.visit("/datos-abiertos/")
    admin = make_user("admin")
    staff_login(page, admin.email, PASSWORD)
    page.check()
    for path in (
        "/gestion/rendicion-de-cuentas/",
        "/gestion/planes/mis-tareas?dependencia=DAP",
        f"/gestion/planes/{plan.id}/seguimiento",
        f"/gestion/planes/{plan.id}/revision",
        "/gestion/auditoria",
        "/gestion/transparencia/",
    ):
        page.visit(path)
    page.visit("/gestion/auditoria?desde=ayer", expect_status=422)
