"""Plans: import of a large plan table, progress overview, public page, XLSX and PDF exports.

Sizes: 400 actions × 5 tasks (2,000 rows) with follow-up for two quarters; BENCH_QUICK=1: 40 × 5.
Runs in-process per database (SQLite temp file, PostgreSQL at BENCH_PG_URL if reachable).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time as wall
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import QUICK, databases, header, reset_postgres, timed  # noqa: E402

ACTIONS = 40 if QUICK else 400
TASKS = 5
HEADER = (
    "#\tAcción de mejora\tTareas\tResponsable\tTiempo inicio\tTiempo terminación\tIndicador de seguimiento\t"
    "Unidad de medida\tMeta\tObservaciones"
)
OFFICES = (
    "Departamento Adm de Planeación",
    "Secretaría de Comunicaciones",
    "Departamento Adm de Planeación Secretaría de Gestión Humana y Atención a la Ciudadanía",
    "Secretaría de Innovación Digital Gobernación de Antioquia",
)
MONTHS = ("Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio")


def table() -> bytes:
    lines = ["Plan de acciones de mejora de prueba de carga 2026", "", HEADER]
    for a in range(1, ACTIONS + 1):
        for t in range(TASKS):
            unit, goal = ("Porcentaje", "100%") if t % 2 else ("Número", str(1 + t))
            lead = (
                f"{a}\tAcción de mejora número {a} con un título largo como los de verdad" if t == 0 else "\t"
            )
            lines.append(
                f"{lead}\tTarea {t + 1} de la acción {a}: hacer, difundir y evaluar\t{OFFICES[(a + t) % 4]}\t"
                f"{MONTHS[t]}\tDiciembre\tIndicador de la tarea {t + 1}\t{unit}\t{goal}\t"
            )
        if a % 50 == 0:
            lines += ["", "Plan de acciones de mejora de prueba de carga 2026", "", HEADER]
    return "\n".join(lines).encode("utf-8")


def run(name: str, url: str) -> None:
    if name == "postgresql":
        reset_postgres(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("PARTICIPA_INSTANCE_PATH", tempfile.mkdtemp(prefix="participa-bench-inst-"))
    from app import create_app
    from app.catalogs import commands as catalogs
    from app.core import time
    from app.extensions import db
    from app.plans import commands, exports, queries

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "PARTICIPA_ENV": "development",
            "RATELIMIT_STORAGE_URI": "memory://",
            "TESTING": True,
        }
    )
    data = table()
    with app.app_context(), time.freeze(datetime(2026, 7, 15, 15)):
        db.drop_all()
        db.create_all()
        catalogs.load("medellin")
        start = wall.perf_counter()
        result = commands.import_plan(data, filename="carga.tsv", publish=True)
        took = wall.perf_counter() - start
        assert result.ok, result.parsed.errors[:3]
        print(
            f"  [{name}] import {result.parsed.task_count} tasks ({len(data) // 1024} KB): {took * 1000:.0f} "
            f"ms"
        )
        plan = queries.get_plan(result.plan.id)
        start = wall.perf_counter()
        for task in plan.tasks:
            for period in (1, 2):
                for code in task.reporting_codes:
                    commands.report(task, period, code, value=1.0, progress_text="Avance")
        took = wall.perf_counter() - start
        n = sum(len(t.reporting_codes) for t in plan.tasks) * 2
        print(f"  [{name}] {n} follow-up reports one by one: {took * 1000 / n:.1f} ms each")
        db.session.expire_all()
        print(
            f"  [{name}] load + overview: "
            f"{timed(lambda: queries.plan_overview(queries.get_plan(plan.id)), 3) * 1000:.0f} ms"
        )
        client = app.test_client()
        page = client.get(f"/planes/{plan.id}")
        print(
            f"  [{name}] public page: {timed(lambda: client.get(f'/planes/{plan.id}'), 3) * 1000:.0f} ms, "
            f"{len(page.data) // 1024} KB"
        )
        plan = queries.get_plan(plan.id)
        with app.test_request_context():
            path = tempfile.mktemp(suffix=".xlsx")
            print(
                f"  [{name}] XLSX export: {timed(lambda: exports.write_xlsx(path, plan), 2) * 1000:.0f} ms, "
                f"{os.path.getsize(path) // 1024} KB"
            )
            os.unlink(path)
            print(
                f"  [{name}] PDF report: {timed(lambda: exports.pdf_bytes(plan), 1) * 1000:.0f} ms, "
                f"{len(exports.pdf_bytes(plan)) // 1024} KB"
            )
        db.session.remove()
        db.engine.dispose()  # the next run resets PostgreSQL; the SQLite file is a temporary one


def main() -> None:
    header(f"plans: {ACTIONS} actions × {TASKS} tasks", "BENCH_QUICK=1 .venv/bin/python bench/bench_plans.py")
    for name, url in databases():
        run(name, url)


if __name__ == "__main__":
    main()
