"""Import of Medellín's improvement-plan table and of Cartago's action-plan layout."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.catalogs.models import Office
from app.core.audit import AuditEntry
from app.plans import commands, queries
from app.plans.models import Plan, PlanAction, PlanReport, PlanTask
from tests.plans.conftest import CARTAGO, MEDELLIN, PLAN_NAME, task_by

P, N = "percentage", "number"
# (number, action, [(task, offices, start, end, indicator, unit, goal, observations)]) — the whole table.
EXPECTED = [
    (
        1,
        "Conformación del equipo líder de la rendición de cuentas",
        [
            (
                "Convocatoria en el 1er trimestre.",
                ["DAP"],
                1,
                3,
                "Equipo líder de la rendición de cuentas conformado",
                P,
                100,
                "",
            )
        ],
    ),
    (
        2,
        "Creación y difusión del formulario para la identificación de temas prioritarios para la Estrategia "
        "de "
        "Rendición de Cuentas",
        [
            (
                "Creación y difusión en el 1er trimestre.",
                ["DAP"],
                1,
                3,
                "Formulario web para la priorización de temas de interés ciudadano, creado y publicado",
                N,
                1,
                "",
            )
        ],
    ),
    (
        3,
        "Revisión, validación, cualificación y creación de formatos que soportan el procedimiento Rendición "
        "de "
        "Cuentas",
        [
            (
                "Verificación de variables poblacionales, diferenciales, territoriales.",
                ["DAP"],
                3,
                9,
                "Formatos del Procedimiento Rendición de Cuentas que cuentan con variables poblacional, "
                "diferenciales y "
                "territoriales",
                P,
                100,
                "",
            ),
            (
                "Cualificación de formatos del Procedimiento Rendición de Cuentas.",
                ["DAP", "SGHSC"],
                3,
                9,
                "Formatos del Procedimiento Rendición de Cuentas cualificados y actualizados en Isolución",
                P,
                100,
                "",
            ),
            (
                "Creación de listado de asistencia propio para la rendición de cuentas.",
                ["DAP", "SGHSC"],
                3,
                9,
                "Listado de asistencia creado para los eventos de rendición de cuentas",
                N,
                1,
                "",
            ),
            (
                "Digitalización QR de formatos (según su aplicación).",
                ["DAP", "SGHSC"],
                3,
                9,
                "Formatos del Procedimiento Rendición de Cuentas digitalizados para usarse por QR",
                P,
                100,
                "De acuerdo a los formatos que apliquen",
            ),
            (
                "Generación de espacios de evaluación con el Comité Territorial de Rendición de Cuentas, "
                "para mejorar los "
                "instrumentos y herramientas disponibles para el procedimiento de rendición de cuentas.",
                ["DAP"],
                3,
                9,
                "Reuniones gestionadas con el Comité Territorial de Rendición de Cuentas para la revisión de "
                "instrumentos "
                "del Procedimiento Rendición de Cuentas",
                N,
                2,
                "",
            ),
        ],
    ),
    (
        4,
        "Cualificación de los canales de interacción con la ciudadanía, en lo concerniente a la generación y "
        "análisis colaborativo de la información institucional",
        [
            (
                "Diseño y creación de una urna virtual sobre la gestión pública para la interacción con la "
                "ciudadanía.",
                ["DAP", "SID", "SCOM"],
                7,
                12,
                "Urnas virtuales sobre la gestión pública creadas y en funcionamiento",
                N,
                1,
                "",
            )
        ],
    ),
    (
        5,
        "Promoción de la cultura de la rendición de cuentas",
        [
            (
                "Estrategia comunicacional pedagógica sobre qué es la rendición de cuentas, cuáles son sus "
                "etapas y sus "
                "productos.",
                ["DAP", "SCOM"],
                3,
                12,
                "Estrategia comunicacional pedagógica sobre la rendición de cuentas diseñada e implementada",
                P,
                100,
                "",
            )
        ],
    ),
    (
        6,
        "Cualificar el ejercicio de planificación metodológica que se empleará para los eventos de diálogo - "
        "rendición de cuentas",
        [
            (
                "Estandarización de formato para la planificación de eventos de rendición de cuentas.",
                ["DAP"],
                3,
                6,
                "Formato para la planificación de eventos de rendición de cuentas construido",
                N,
                1,
                "",
            )
        ],
    ),
    (
        7,
        "Garantizar y/o cualificar los canales de participación e intervención de los grupos de valor e "
        "interés "
        "convocados a los eventos de diálogo - rendición de cuentas",
        [
            (
                "Diseño y difusión del canal: escuchaderos de rendición de cuentas.",
                ["DAP"],
                7,
                12,
                "Escuchaderos de rendición de cuentas creados y en funcionamiento",
                P,
                100,
                "",
            ),
            (
                "Difusión masiva de la convocatoria a los eventos de diálogo de rendición de cuentas.",
                ["DAP", "SCOM"],
                7,
                12,
                "Convocatoria a los eventos de rendición de cuentas a través del uso de medios masivos de "
                "comunicación.",
                P,
                100,
                "",
            ),
        ],
    ),
    (
        8,
        "trabajo articulado que se debe materializar con el Comité Territorial de Rendición de Cuentas",
        [
            (
                "Creación de Nodo territorial Seguridad alimentaria.",
                ["DAP", "SIS"],
                1,
                12,
                "Nodo territorial Seguridad alimentaria creado",
                N,
                1,
                "",
            ),
            (
                "Creación de Nodo territorial Proyectos de infraestructura con impacto regional.",
                ["DAP", "SINF"],
                1,
                12,
                "Nodo territorial Proyectos de infraestructura con impacto regional creado",
                N,
                1,
                "",
            ),
        ],
    ),
    (
        9,
        "incorporación e implementación integral de los Lineamientos para incorporar el enfoque de género, "
        "orientaciones sexuales e identidades de género no heteronormativas, en la rendición de cuentas y el "
        "servicio "
        "a las ciudadanías",
        [
            (
                "Creación de mesa de trabajo para la incorporación escalonada de los lineamientos y "
                "consolidación de "
                "evidencias.",
                ["DAP", "SMUJ", "GDSIG", "SGHSC"],
                3,
                12,
                "Mesa de trabajo para la incorporación escalonada de los Lineamientos para incorporar el "
                "enfoque de género, "
                "orientaciones sexuales e identidades de género no heteronormativas, en la rendición de "
                "cuentas y el "
                "servicio a las ciudadanías, creada",
                N,
                1,
                "",
            ),
        ],
    ),
]


def test_medellin_table_imports_every_action_and_task(medellin_plan):
    plan = medellin_plan
    assert (plan.name, plan.year, plan.kind, plan.owner_office) == (PLAN_NAME, 2026, "improvement", "DAP")
    assert plan.periods == [[1, 3], [4, 6], [7, 9], [10, 12]]
    assert plan.participating_codes == ["DAP", "SGHSC", "SID", "SCOM", "SIS", "SINF", "SMUJ", "GDSIG"]
    assert [(a.number, a.title) for a in plan.actions] == [(n, title) for n, title, _tasks in EXPECTED]
    for action, (_n, _title, tasks) in zip(plan.actions, EXPECTED, strict=True):
        got = [
            (
                t.description,
                t.office_codes,
                t.start_month,
                t.end_month,
                t.indicator_name,
                t.unit,
                t.goal,
                t.observations,
            )
            for t in action.tasks
        ]
        assert got == [tuple(t) for t in tasks], action.number
        for task in action.tasks:
            assert task.months == list(range(task.start_month, task.end_month + 1))
            assert task.accumulation == "cumulative" and task.reports == []
    assert len(plan.tasks) == 15


def test_original_responsible_text_is_kept(medellin_plan):
    assert task_by(medellin_plan, "Cualificación de formatos").responsible_text == (
        "Departamento Adm de Planeación Secretaría de Gestión Humana y Atención a la Ciudadanía"
    )
    mesa = task_by(medellin_plan, "Creación de mesa de trabajo")
    assert mesa.responsible_text.startswith(
        "Departamento Adm de Planeación Secretaría de las Mujeres, Gerencia"
    )
    nodo = task_by(medellin_plan, "Creación de Nodo territorial Seguridad")
    assert nodo.responsible_text.endswith("Gobernación de Antioquia")


def test_page_break_header_and_titles_are_skipped_and_unknown_offices_reported(app, db, catalogs):
    result = commands.import_plan(MEDELLIN.read_bytes(), year=2026, dry_run=True)
    assert result.ok and result.parsed.issues == []
    assert result.parsed.unknown_offices == {"Gobernación de Antioquia": [14, 26, 27]}
    assert result.proposals == {"Gobernación de Antioquia": "GA"}
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0  # dry run wrote nothing


def test_confirmed_unknown_office_becomes_catalog_office_in_same_transaction(app, db, catalogs):
    result = commands.import_plan(
        MEDELLIN.read_bytes(), year=2026, create_offices=["Gobernación de Antioquia"]
    )
    assert result.created_offices == [("GA", "Gobernación de Antioquia")]
    assert db.session.scalar(select(Office).where(Office.code == "GA")).name == "Gobernación de Antioquia"
    plan = queries.get_plan(result.plan.id)
    nodos = [t for t in plan.tasks if t.description.startswith("Creación de Nodo")]
    assert [t.office_codes for t in nodos] == [["DAP", "SIS", "GA"], ["DAP", "SINF", "GA"]]
    # the new office is in use now: the catalog refuses to delete it
    assert queries.office_usage("office", None, "GA") == 3


def test_errors_are_reported_with_line_and_reason_and_nothing_is_written(app, db, catalogs):
    lines = MEDELLIN.read_text(encoding="utf-8").splitlines()
    lines[9] = lines[9].replace("\tMarzo\t", "\tMarzzo\t", 1)  # line 10: start month
    lines[16] = lines[16].replace("\tNúmero\t1\t", "\tNúmero\tuno\t", 1)  # line 17: goal
    lines[17] = lines[17].replace("\tPorcentaje\t100%\t", "\tKilos\t100%\t", 1)  # line 18: unit
    lines.insert(
        7, "\t\tTarea huérfana\tDepartamento Adm de Planeación\tEnero\tMarzo\tIndicador\tNúmero\t1\t"
    )
    data = "\n".join(lines).encode("utf-8")
    result = commands.import_plan(data, year=2026)
    assert not result.ok
    errors = [(i.line, i.reason) for i in result.parsed.errors]
    assert (8, "Esta fila trae una tarea pero no tiene acción y no hay una acción antes.") in errors
    assert any(line == 11 and "mes de inicio «Marzzo»" in reason for line, reason in errors)
    assert any(line == 18 and "meta «uno»" in reason for line, reason in errors)
    assert any(line == 19 and "unidad de medida «Kilos»" in reason for line, reason in errors)
    assert len(errors) == 4
    for model in (Plan, PlanAction, PlanTask, PlanReport):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_end_before_start_and_repeated_action_number_are_errors(app, db, catalogs):
    header = (
        "#\tAcción de mejora\tTareas\tResponsable\tTiempo inicio\tTiempo terminación"
        "\tIndicador de seguimiento\tUnidad de medida\tMeta\tObservaciones"
    )
    rows = [
        "Plan de prueba 2026",
        header,
        "1\tAcción uno\tTarea\tDepartamento Adm de Planeación\tJunio\tMarzo\tInd\tNúmero\t1\t",
        "1\tAcción repetida\tTarea\tDepartamento Adm de Planeación\tEnero\tMarzo\tInd\tPorcentaje\t150%\t",
    ]
    result = commands.import_plan("\n".join(rows).encode(), dry_run=True)
    reasons = {(i.line, i.reason) for i in result.parsed.errors}
    assert (3, "El mes de terminación es anterior al de inicio.") in reasons
    assert (4, "La acción número 1 está repetida.") in reasons


def test_duplicate_plan_is_refused(medellin_plan, db):
    result = commands.import_plan(MEDELLIN.read_bytes(), year=2026)
    assert not result.ok
    assert "Ya existe un plan" in result.parsed.errors[0].reason
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 1


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary", b"PK\x03\x04broken zip", b"solo una linea\n"])
def test_unreadable_files_are_refused_cleanly(app, db, catalogs, data):
    result = commands.import_plan(data, year=2026)
    assert not result.ok and result.plan is None
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_cartago_text_layout(app, db):
    from app.catalogs import commands as catalogs

    catalogs.load("cartago")
    result = commands.import_plan(CARTAGO.read_bytes(), filename=CARTAGO.name)
    assert result.ok, result.parsed.errors
    plan = queries.get_plan(result.plan.id)
    assert plan.kind == "action" and plan.year == 2024 and plan.owner_office == "SPMADE"
    assert plan.objective.startswith("Establecer las acciones para el fortalecimiento")
    assert plan.scope.startswith("Aplica para las dependencias")
    assert plan.process == "GESTION PLANEACION" and plan.subprocess == "PLANEACION INSTITUCIONAL"
    assert plan.plan_date.isoformat() == "2024-10-29"
    assert plan.participating_codes == ["SPMADE", "SSA"]
    assert [a.number for a in plan.actions] == list(range(1, 10))
    first = plan.actions[0].tasks[0]
    assert first.deliverable == "Diagnostico Política de Participación Ciudadana y Rendición de Cuentas"
    assert first.indicator_formula == "Numero de autodiagnosticos elaborados" and first.unit == "number"
    assert first.goal is None and first.months == list(range(1, 13))
    assert plan.actions[2].tasks[0].office_codes == ["SSA"]  # "Sec. de Sevicios Administrativos" (typo)
    assert plan.actions[6].tasks[0].office_codes == []  # "Administración Municipal": owner office reports
    assert plan.actions[6].tasks[0].reporting_codes == ["SPMADE"]
    warnings = {(i.line, i.reason) for i in result.parsed.warnings}
    assert (38, "La tarea no tiene meta; defínela para que se pueda calcular su avance.") in warnings
    assert (48, "Texto fuera de la tabla; no se importó: «www.cartago.gov.co».") in warnings


def _cartago_workbook(rows_after_header) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["OBJETIVO: Fortalecer la participación"])
    ws.append(["DEPENDENCIA RESPONSABLE DE LA FORMULACIÓN DEL PLAN: Secretaría de Servicios Administrativos"])
    ws.append(["FECHA DEL PLAN: 3 de febrero de 2026"])
    ws.append(
        ["N°", "ACTIVIDADES", "TAREA (S) QUE AYUDA A IMPLEMENTAR LA ACTIVIDAD", "MES"]
        + [None] * 11
        + [
            "PRODUCTOS (BIENES O SERVICIOS) ENTREGABLES",
            "INDICADOR",
            None,
            "RESPONSABLES",
            "SEGUIMIENTO TRIMESTRAL",
            None,
            None,
            None,
            "META",
        ]
    )
    ws.append(
        [None, None, None]
        + list(range(1, 13))
        + [None, "FÓRMULA", "RESULTADO", None, "I", "II", "III", "IV", None]
    )
    for row in rows_after_header:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_cartago_xlsx_with_marked_months_goal_and_follow_up(app, db, catalogs):
    from app.catalogs import commands as catalogs

    catalogs.load("cartago")
    months = [None, None, "X", "x", "X"] + [None] * 7
    data = _cartago_workbook(
        [
            [1, "Capacitar funcionarios", "Realizar capacitación"]
            + months
            + [
                "Personal capacitado",
                "Número de funcionarios capacitados",
                None,
                "Sec. de Sevicios Administrativos",
                20,
                35,
                None,
                None,
                50,
            ],
            [2, "Encuestas", "Aplicar encuestas"]
            + [None] * 12
            + [
                "Encuestas",
                "Porcentaje de eventos evaluados",
                None,
                "Secretaría de Planeación, Medio Ambiente y Desarrollo Económico",
                "n/a",
                None,
                None,
                None,
                "80%",
            ],
        ]
    )
    nameless = commands.import_plan(data, filename="plan.xlsx")
    assert [i.reason for i in nameless.parsed.errors] == ["El archivo no dice el nombre del plan: escríbelo."]
    result = commands.import_plan(data, filename="plan.xlsx", name="Plan de participación")
    assert result.ok, result.parsed.errors
    plan = queries.get_plan(result.plan.id)
    assert plan.year == 2026 and plan.owner_office == "SSA" and plan.kind == "improvement"
    first, second = plan.actions[0].tasks[0], plan.actions[1].tasks[0]
    assert first.months == [3, 4, 5] and (first.start_month, first.end_month) == (3, 5)
    assert first.goal == 50 and first.unit == "number" and first.office_codes == ["SSA"]
    assert [(r.period, r.office_code, r.value) for r in first.reports] == [(1, "SSA", 20.0), (2, "SSA", 35.0)]
    assert second.unit == "percentage" and second.goal == 80 and second.office_codes == ["SPMADE"]
    warnings = [(i.line, i.reason) for i in result.parsed.warnings]
    assert (7, "El seguimiento 1 «n/a» no es un número; no se importó.") in warnings
    assert (7, "La tarea no tiene meses marcados; se asumió de enero a diciembre.") in warnings


def test_import_is_audited(medellin_plan, db):
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "plan_imported"))
    assert entry.target == f"plan:{medellin_plan.id}" and entry.details["tasks"] == 15


def test_cli_import_plan(app, db, catalogs):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["participa", "import-plan", str(MEDELLIN), "--year", "2026", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run OK" in dry.output and "Gobernación de Antioquia" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0
    real = runner.invoke(args=["participa", "import-plan", str(MEDELLIN), "--year", "2026", "--publish"])
    assert real.exit_code == 0, real.output
    assert "9 actions, 15 tasks" in real.output
    again = runner.invoke(args=["participa", "import-plan", str(MEDELLIN), "--year", "2026"])
    assert again.exit_code != 0 and "nothing was imported" in again.output
