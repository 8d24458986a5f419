"""The plan exports in the entities' own layouts, compared cell by cell with the seed tables:
Medellín's improvement plan (seed 002) and Cartago's action-plan format with its document-control
block (seed 004). Plan metadata is editable and printed."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.plans import commands
from tests.plans.conftest import CARTAGO, MEDELLIN

RESPONSIBLE = {  # seed 004's free text -> Cartago's catalog office
    "Sec. de Planeación, Medio Ambiente y Desarrollo Economico": (
        "Secretaría de Planeación, Medio Ambiente y Desarrollo Económico"
    ),
    "Sec. de Sevicios Administrativos": "Secretaría de Servicios Administrativos",
}


def _cells(response) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [["" if c is None else str(c).strip() for c in row] for row in sheet.iter_rows(values_only=True)]


def _seed_rows(path) -> list[list[str]]:
    return [[c.strip() for c in line.split("\t")] for line in path.read_text(encoding="utf-8").splitlines()]


def _download(client, make_user, url):
    client.login(make_user("admin"))
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_medellin_layout_matches_seed_002_cell_by_cell(client, make_user, catalogs, db):
    result = commands.import_plan(MEDELLIN.read_bytes(), filename=MEDELLIN.name, year=2024)
    assert result.ok
    exported = _cells(_download(client, make_user, f"/gestion/planes/{result.plan.id}/plan-medellin.xlsx"))
    seed = [r for r in _seed_rows(MEDELLIN) if any(r)]
    # the seed repeats its two title lines and the header after each page break: once in the export
    header = list(seed[2])
    body = [r for r in seed[3:] if r != header and r[:1] != [seed[0][0]] and r[:1] != [seed[1][0]]]
    exported = [r for r in exported if any(r)]
    assert [r[0] for r in exported[:2]] == [seed[0][0], seed[1][0]]
    assert exported[2][: len(header)] == header
    data = exported[3:]
    assert len(data) == len(body) == 15
    for seed_row, row in zip(body, data, strict=True):
        width = len(header)
        assert row[:width] == (seed_row + [""] * width)[:width], (seed_row, row)


def test_cartago_layout_has_the_document_control_block_and_seed_004_columns(client, make_user, db):
    from app.catalogs import commands as catalogs

    catalogs.load("cartago")
    result = commands.import_plan(CARTAGO.read_bytes(), filename=CARTAGO.name, year=2024)
    assert result.ok, result.parsed.errors
    plan = result.plan
    assert (
        plan.entity_name,
        plan.entity_nit,
        plan.document_code,
        plan.document_version,
        str(plan.approved_on),
        plan.process,
        plan.subprocess,
    ) == (
        "ALCALDÍA DE CARTAGO",
        "891.900.493.2",
        "MESG-AS-F17",
        "2",
        "2024-03-06",
        "GESTION PLANEACION",
        "PLANEACION INSTITUCIONAL",
    )
    exported = _cells(_download(client, make_user, f"/gestion/planes/{plan.id}/plan.xlsx"))
    seed = _seed_rows(CARTAGO)
    header_at = next(i for i, r in enumerate(seed) if r[:2] == ["N°", "ACTIVIDADES"])
    out_header = next(i for i, r in enumerate(exported) if r[:2] == ["N°", "ACTIVIDADES"])
    preamble = [r[0] for r in exported[:out_header] if r[0]]
    for line in (
        "ALCALDÍA DE CARTAGO",
        "Nit: 891.900.493.2",
        "PAGINA: 1",
        "CÓDIGO: MESG-AS-F17",
        "VERSION: 2",
        "Fecha Aprobación: 06/03/2024",
        "FORMATO PLAN DE ACCIÓN",
        "PROCESO: GESTION PLANEACION",
        "SUB PROCESO: PLANEACION INSTITUCIONAL",
        "FECHA DEL PLAN: 29 de octubre de 2024",
    ):
        assert line in preamble, line
    seed_lines = [" ".join(c for c in r if c).strip("* ") for r in seed[:header_at] if any(r)]
    for key in (
        "PAGINA:",
        "CÓDIGO:",
        "VERSION:",
        "Fecha Aprobación:",
        "PROCESO:",
        "SUB PROCESO:",
        "OBJETIVO:",
        "ALCANCE:",
        "FECHA DEL PLAN:",
    ):
        assert next(s for s in seed_lines if s.startswith(key)) == next(
            p for p in preamble if p.startswith(key)
        )
    # the two header rows, column for column (the seed's 23 columns; ours add goal, unit, progress…)
    for offset in (0, 1):
        width = len(seed[header_at + offset])
        assert exported[out_header + offset][:width] == seed[header_at + offset], offset
    # every task row: number, activity, task, months, deliverable, formula as in the seed
    seed_tasks = [r for r in seed[header_at + 2 :] if len(r) > 3 and r[2]]
    out_tasks = exported[out_header + 2 :]
    assert len(out_tasks) == len(seed_tasks) == 9
    for seed_row, row in zip(seed_tasks, out_tasks, strict=True):
        assert row[:3] == seed_row[:3]
        # the seed's month cells are blank (its marks were cell colours, lost in the text copy): the
        # import assumed January to December and said so; the export marks those months
        assert not any(seed_row[3:15]) and row[3:15] == ["X"] * 12
        assert row[15:17] == seed_row[15:17]
        # RESULTADO and SEGUIMIENTO TRIMESTRAL I–IV: blank in the seed, blank in the export (no report)
        assert row[17] == seed_row[17] == "" and row[19:23] == seed_row[19:23] == [""] * 4
        # RESPONSABLES: the catalog office the seed's text names, or the text itself when it names
        # none ("Administración Municipal")
        assert row[18] == RESPONSIBLE.get(seed_row[18], seed_row[18]), (seed_row[18], row[18])


def test_metadata_is_editable_and_printed(client, make_user, medellin_plan, db):
    client.login(make_user("admin"))
    url = f"/gestion/planes/{medellin_plan.id}/editar"
    form = client.get(url).get_data(as_text=True)
    assert 'name="document_code"' in form and 'name="process_name"' in form
    response = client.submit(
        url,
        {
            "name": medellin_plan.name,
            "year": "2026",
            "kind": "improvement",
            "owner_office": "DAP",
            "periods": "1-3, 4-6, 7-9, 10-12",
            "entity_name": "Distrito de Medellín",
            "entity_nit": "890.905.211-1",
            "process_name": "Gestión de la planeación",
            "subprocess_name": "Rendición de cuentas",
            "document_code": "FO-DAP-123",
            "document_version": "3",
            "approved_on": "2024-02-01",
            "plan_date": "2024-01-15",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    exported = _cells(client.get(f"/gestion/planes/{medellin_plan.id}/plan.xlsx"))
    firsts = [r[0] for r in exported[:20]]
    for line in (
        "Distrito de Medellín",
        "Nit: 890.905.211-1",
        "CÓDIGO: FO-DAP-123",
        "VERSION: 3",
        "Fecha Aprobación: 01/02/2024",
        "PROCESO: Gestión de la planeación",
        "SUB PROCESO: Rendición de cuentas",
        "FECHA DEL PLAN: 15 de enero de 2024",
    ):
        assert line in firsts, line
    bad = client.submit(
        url,
        {
            "name": medellin_plan.name,
            "year": "2026",
            "kind": "improvement",
            "owner_office": "DAP",
            "periods": "1-3, 4-6, 7-9, 10-12",
            "document_code": "<b>x</b>",
            "approved_on": "31/31/2024",
        },
    )
    assert bad.status_code == 422
