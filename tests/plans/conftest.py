"""Fixtures for plans: the Medellín table imported for 2026, and a clock inside its second quarter."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from app.core import time

ROOT = Path(__file__).resolve().parents[2]
MEDELLIN = ROOT / "app" / "plans" / "data" / "medellin_2024.tsv"
CARTAGO = Path(__file__).parent / "data" / "cartago_plan_accion.tsv"
PLAN_NAME = (
    "Plan de acciones de mejora para la cualificación de las estrategias de rendición de cuentas distrital"
)


@pytest.fixture
def may_2026():
    """Friday 15 May 2026, noon in Bogotá (quarter II of a 2026 plan)."""
    with time.freeze(datetime(2026, 5, 15, 17, 0)):
        yield


@pytest.fixture
def medellin_plan(app, db, catalogs):
    from app.plans import commands, queries

    result = commands.import_plan(
        MEDELLIN.read_bytes(), filename=MEDELLIN.name, year=2026, publish=True, actor="test"
    )
    assert result.ok, [(i.line, i.reason) for i in result.parsed.errors]
    return queries.get_plan(result.plan.id)


def task_by(plan, start: str):
    """The task whose description starts with `start`."""
    return next(t for t in plan.tasks if t.description.startswith(start))
