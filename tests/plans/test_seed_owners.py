"""Importing seed 002 (Medellín) and seed 004 (Cartago) with either shipped catalog picks the right
owner office, or asks for it (never an unrelated office), and shows the office matched per task."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.plans import commands
from app.plans.models import Plan
from tests.plans.conftest import CARTAGO, MEDELLIN


@pytest.mark.parametrize(
    "catalog, seed, owner, asked",
    [
        ("medellin", MEDELLIN, "DAP", None),
        ("cartago", CARTAGO, "SPMADE", None),
        # another entity's table: its owner is not in this catalog, so it is asked for, never guessed
        ("medellin", CARTAGO, None, "Secretaría de Planeación, Medio Ambiente y Desarrollo Economico"),
        ("cartago", MEDELLIN, None, "Departamento Adm de Planeación"),
    ],
)
def test_owner_office_with_either_catalog(app, db, catalog, seed, owner, asked):
    from app.catalogs import commands as catalogs

    catalogs.load(catalog)
    result = commands.import_plan(seed.read_bytes(), name="Plan", year=2026, dry_run=True)
    parsed = result.parsed
    assert parsed.owner_code == owner
    assert parsed.owner_unknown == (asked or "")
    if asked:
        assert asked in parsed.unknown_offices
        assert any(asked in i.reason for i in parsed.warnings)
        refused = commands.import_plan(seed.read_bytes(), name="Plan", year=2026)
        assert not refused.ok and db.session.scalar(select(Plan)) is None  # nothing written
        created = commands.import_plan(seed.read_bytes(), name="Plan", year=2026, create_offices=[asked])
        assert created.ok
        assert created.plan.owner_office == created.proposals[asked]
    else:
        assert result.ok


def test_preview_shows_the_office_matched_for_every_task(client, login_as, catalogs):
    login_as("admin")
    response = client.submit(
        "/gestion/planes/importar",
        {
            "file": (io.BytesIO(CARTAGO.read_bytes()), "cartago.tsv"),
            "name": "Plan Cartago",
            "year": "2026",
            "owner": "",
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    tasks = page[page.index("Acciones y tareas leídas") :]
    parsed = commands.import_plan(CARTAGO.read_bytes(), name="Plan Cartago", year=2026, dry_run=True).parsed
    assert tasks.count('class="task-offices"') == parsed.task_count == 9  # one match shown per task
    assert "Sec. de Planeación, Medio Ambiente y Desarrollo Economico (no está en el catálogo)" in tasks
    assert "Secretaría de Planeación, Medio Ambiente y Desarrollo Economico (no está en el catálogo)" in page
