"""'Mis descargas' in a real browser: the list with a finished file and a failed one passes
axe-core on a phone (no refresh then: nothing is running)."""

from __future__ import annotations

import pytest

from app.core import jobs, time
from tests.browser.conftest import staff_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_downloads_page_passes_axe(phone, make_user, db):
    analyst = make_user("analyst")
    db.session.add_all(
        [
            jobs.Job(
                token="tok-done",
                owner_id=analyst.id,
                kind="characterization.profiles.csv",
                label="Perfiles (CSV)",
                status="done",
                rows=1200,
                finished_at=time.now(),
                expires_at=time.now(),
            ),
            jobs.Job(
                token="tok-failed",
                owner_id=analyst.id,
                kind="characterization.profiles.xlsx",
                label="Perfiles (XLSX)",
                status="failed",
                error="interrupted",
            ),
        ]
    )
    db.session.commit()
    staff_login(phone, analyst.email, PASSWORD)
    phone.visit("/gestion/descargas/")
    text = phone.locator("main").inner_text()
    assert "Descargar" in text and "se detuvo" in text
    assert phone.locator('meta[http-equiv="refresh"]').count() == 0
