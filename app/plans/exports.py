"""Plan exports: XLSX in Cartago's action-plan layout and a printable PDF progress report (per plan
or per office) with the annual analysis. Both are audited (`audit.record("export", …)`).

The XLSX is written with XlsxWriter in constant-memory mode: rows strictly in order, header
cells merged only across one row (never down), and an action's number and title only on its first
task row (further tasks leave them empty, like Medellín's table), so the file reads back with
`flask participa import-plan`.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import xlsxwriter
from flask import Response, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core import exports as core_exports
from app.core.exports import safe_cell
from app.plans import labels, progress, queries

# ---------------------------------------------------------------------------- XLSX


def write_xlsx(path: str, plan, today=None, year: int | None = None) -> int:
    """Write the plan in Cartago's layout; return the number of task rows.

    The layout is the entity's official Spanish format, so the file is written in Spanish whatever
    the language of the person downloading it (and reads back with the importer). A multi-year plan
    is written whole (follow-up per year, then TIPO DE META and META per year, which read back as its
    yearly targets), or for one `year` (that year's periods, target, progress and status)."""
    with force_locale("es_CO"):
        return _write_xlsx(path, plan, today, year)


def _write_xlsx(path: str, plan, today=None, year: int | None = None) -> int:
    overview = queries.plan_overview(plan, today, year=year)
    year = overview["year"]
    whole_multi = plan.multi_year and year is None
    names = queries.office_names()
    if whole_multi:
        follow_labels = [str(y) for y in plan.years]
    elif plan.multi_year:
        follow_labels = [progress.period_label(i) for i in range(1, len(plan.periods) + 1)]
    else:
        follow_labels = [progress.period_label(i) for i in range(1, len(plan.periods) + 1)]
    n_periods = len(follow_labels)
    extra = (["TIPO DE META"] + [f"META {y}" for y in plan.years]) if whole_multi else []
    workbook = xlsxwriter.Workbook(
        path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(str(labels.KIND[plan.kind])[:31])
    title = workbook.add_format({"bold": True, "font_size": 13})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    head = workbook.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "bg_color": "#DCE6F1",
        }
    )
    cell = workbook.add_format({"border": 1, "valign": "top", "text_wrap": True})
    mark = workbook.add_format({"border": 1, "align": "center", "valign": "top", "bg_color": "#C6E0B4"})
    num = workbook.add_format({"border": 1, "valign": "top", "num_format": "0.##"})

    # Columns: N°, activity, task, months 1–12, deliverable, formula, result, responsible,
    # follow-up I…n, goal, unit, progress, status, observations.
    c_month, c_deliv = 3, 15
    c_formula, c_result, c_resp = 16, 17, 18
    c_period = 19
    c_goal = c_period + n_periods
    c_unit, c_pct, c_status, c_obs = c_goal + 1, c_goal + 2, c_goal + 3, c_goal + 4
    last = c_obs + len(extra)
    for col, width in (
        (0, 5),
        (1, 38),
        (2, 45),
        (c_deliv, 30),
        (c_formula, 34),
        (c_result, 11),
        (c_resp, 30),
        (c_goal, 9),
        (c_unit, 12),
        (c_pct, 10),
        (c_status, 12),
        (c_obs, 30),
    ):
        sheet.set_column(col, col, width)
    sheet.set_column(c_month, c_month + 11, 3.2)
    sheet.set_column(c_period, c_period + n_periods - 1, 8)

    row = 0
    for text, fmt in _control_block(plan):
        sheet.merge_range(row, 0, row, last, safe_cell(text), fmt and title or bold)
        row += 1
    sheet.merge_range(
        row,
        0,
        row,
        last,
        "FORMATO PLAN DE ACCIÓN" if plan.kind == "action" else "PLAN DE MEJORAMIENTO",
        title,
    )
    row += 1
    preamble = [
        ("NOMBRE DEL PLAN", plan.name),
        *([("VIGENCIA", f"{plan.year} - {plan.end_year}")] if plan.multi_year else []),
        ("AÑO", "" if whole_multi else str(year or plan.year)),
        ("PROCESO", plan.process),
        ("SUB PROCESO", plan.subprocess),
        ("OBJETIVO", plan.objective),
        ("ALCANCE", plan.scope),
        (
            "DEPENDENCIA RESPONSABLE DE LA FORMULACIÓN DEL PLAN",
            names.get(plan.owner_office, plan.owner_office),
        ),
        ("FECHA DEL PLAN", spanish_date(plan.plan_date)),
        (
            "DEPENDENCIAS PARTICIPANTES EN LA FORMULACIÓN DEL PLAN",
            ", ".join(names.get(c, c) for c in plan.participating_codes),
        ),
    ]
    for key, value in preamble:
        if value:
            sheet.merge_range(row, 0, row, last, safe_cell(f"{key}: {value}"), bold)
            row += 1
    row += 1
    sheet.set_header("&R&8Página &P de &N")

    # Two header rows: groups merged across, never down (constant memory).
    top = [
        (0, "N°"),
        (1, "ACTIVIDADES"),
        (2, "TAREA (S) QUE AYUDA A IMPLEMENTAR LA ACTIVIDAD"),
        (c_deliv, "PRODUCTOS (BIENES O SERVICIOS) ENTREGABLES"),
        (c_resp, "RESPONSABLES"),
        (c_goal, "META"),
        (c_unit, "UNIDAD DE MEDIDA"),
        (c_pct, "AVANCE (%)"),
        (c_status, "ESTADO"),
        (c_obs, "OBSERVACIONES"),
    ]
    for col, text in top:
        sheet.write_string(row, col, text, head)
    sheet.merge_range(row, c_month, row, c_month + 11, "MES", head)
    sheet.merge_range(row, c_formula, row, c_result, "INDICADOR", head)
    follow_title = (
        "SEGUIMIENTO TRIMESTRAL"
        if plan.periods == [[1, 3], [4, 6], [7, 9], [10, 12]]
        else "SEGUIMIENTO POR PERIODO"
    )
    if whole_multi:
        follow_title = "SEGUIMIENTO ANUAL"
    for offset, text in enumerate(extra):
        sheet.write_string(row, c_obs + 1 + offset, text, head)
    if n_periods > 1:
        sheet.merge_range(row, c_period, row, c_period + n_periods - 1, follow_title, head)
    else:
        sheet.write_string(row, c_period, follow_title, head)
    row += 1
    for col, _text in top:
        sheet.write_blank(row, col, None, head)
    for month in range(1, 13):
        sheet.write_string(row, c_month + month - 1, str(month), head)
    sheet.write_string(row, c_formula, "FÓRMULA", head)
    sheet.write_string(row, c_result, "RESULTADO", head)
    for index, text in enumerate(follow_labels):
        sheet.write_string(row, c_period + index, text, head)
    for offset in range(len(extra)):
        sheet.write_blank(row, c_obs + 1 + offset, None, head)
    sheet.freeze_panes(row + 1, 3)
    row += 1

    count = 0
    for action_view in overview["actions"]:
        action = action_view["action"]
        for position, tv in enumerate(action_view["tasks"]):
            task = tv["task"]
            if position == 0:
                sheet.write_number(row, 0, action.number, cell)
                sheet.write_string(row, 1, safe_cell(action.title), cell)
            else:
                sheet.write_blank(row, 0, None, cell)
                sheet.write_blank(row, 1, None, cell)
            sheet.write_string(row, 2, safe_cell(task.description), cell)
            for month in range(1, 13):
                if month in task.months:
                    sheet.write_string(row, c_month + month - 1, "X", mark)
                else:
                    sheet.write_blank(row, c_month + month - 1, None, cell)
            sheet.write_string(row, c_deliv, safe_cell(task.deliverable), cell)
            sheet.write_string(row, c_formula, safe_cell(task.indicator_formula or task.indicator_name), cell)
            _number_or_blank(sheet, row, c_result, tv["achieved"], num, cell)
            responsible = "; ".join(names.get(c, c) for c in task.office_codes) or task.responsible_text
            sheet.write_string(row, c_resp, safe_cell(responsible), cell)
            values = [value for _y, _t, value in tv["by_year"]] if whole_multi else tv["by_period"]
            for index, value in enumerate(values):
                _number_or_blank(sheet, row, c_period + index, value, num, cell)
            _number_or_blank(sheet, row, c_goal, tv["goal"], num, cell)
            sheet.write_string(row, c_unit, str(labels.UNIT[task.unit]), cell)
            _number_or_blank(sheet, row, c_pct, tv["progress"], num, cell)
            sheet.write_string(row, c_status, str(labels.STATUS[tv["status"]]), cell)
            sheet.write_string(row, c_obs, safe_cell(task.observations), cell)
            if whole_multi:
                kind = (
                    "Anual"
                    if task.accumulation == "per_period" and task.unit != "percentage"
                    else "Acumulada"
                )
                sheet.write_string(row, c_obs + 1, kind, cell)
                for offset, (_y, target, _v) in enumerate(tv["by_year"], start=2):
                    _number_or_blank(sheet, row, c_obs + offset, target, num, cell)
            row += 1
            count += 1
    workbook.close()
    return count


MONTH_NAMES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def spanish_date(value) -> str:
    """date(2024, 10, 29) -> '29 de octubre de 2024' (how the formats write dates; reads back)."""
    return f"{value.day} de {MONTH_NAMES[value.month - 1]} de {value.year}" if value else ""


def _control_block(plan) -> list[tuple[str, bool]]:
    """The document-control block of the entity's format (Cartago's MESG-AS-F17): entity, NIT,
    page, code, version and approval date; lines without data are left out. (text, is_title)."""
    cfg = current_app.config
    lines = [(plan.entity_name or cfg.get("ENTITY_NAME", ""), True)]
    nit = plan.entity_nit or cfg.get("ENTITY_NIT", "")
    if nit:
        lines.append((f"Nit: {nit}", False))
    lines.append(("PAGINA: 1", False))
    if plan.document_code:
        lines.append((f"CÓDIGO: {plan.document_code}", False))
    if plan.document_version:
        lines.append((f"VERSION: {plan.document_version}", False))
    if plan.approved_on:
        lines.append((f"Fecha Aprobación: {plan.approved_on:%d/%m/%Y}", False))
    return lines


def _number_or_blank(sheet, row, col, value, num, cell):
    if value is None:
        sheet.write_blank(row, col, None, cell)
    else:
        sheet.write_number(row, col, value, num)


def xlsx_response(plan, year: int | None = None) -> Response:
    """The plan as an XLSX download (temporary file, streamed, then deleted), audited."""
    year = year if plan.multi_year and year in plan.years else None
    name = f"plan-{plan.id}-{year}.xlsx" if year else f"plan-{plan.id}.xlsx"
    return core_exports.workbook_response(
        name,
        lambda path: write_xlsx(path, plan, year=year),
        what="plans.plan_xlsx",
        filters={"plan": plan.id, **({"year": year} if year else {})},
    )


# ---------------------------------------------------------------------------- PDF


def pdf_bytes(plan, office: str | None = None, today=None, year: int | None = None) -> bytes:
    """A printable progress report (letter size) for the whole plan or one office's tasks."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=letter,
        leftMargin=1.6 * cm,
        rightMargin=1.6 * cm,
        topMargin=1.6 * cm,
        bottomMargin=1.6 * cm,
        title=plan.name,
        author=current_app.config.get("ENTITY_NAME", ""),
    )
    doc.build(report_story(plan, office, today, year), onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()


def _footer(canvas, doc):
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(doc.leftMargin, 0.9 * 28.35, f"{current_app.config.get('ENTITY_NAME', '')} · Participa")
    canvas.drawRightString(doc.pagesize[0] - doc.rightMargin, 0.9 * 28.35, _("Página %(n)s", n=doc.page))
    canvas.restoreState()


def report_story(plan, office: str | None = None, today=None, year: int | None = None) -> list:
    """The report's flowables: summary, quantitative progress per action and task, qualitative
    progress and difficulties per report, findings and improvement actions, annual analysis."""
    from reportlab.lib import colors
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8.5, leading=10.5)
    names = queries.office_names()
    overview = queries.plan_overview(plan, today, office=office, year=year)
    year = overview["year"]

    def p(text, style=small):
        return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1")),
        ]
    )
    story = [p(_("Informe de avance"), styles["Title"]), p(plan.name, styles["Heading2"])]
    facts = [
        _("Año: %(year)s", year=year or plan.years_label),
        _("Dependencia responsable: %(office)s", office=names.get(plan.owner_office, plan.owner_office)),
        _("Fecha de corte: %(date)s", date=overview["today"].isoformat()),
    ]
    if office:
        facts.insert(0, _("Informe de la dependencia: %(office)s", office=names.get(office, office)))
    story += [p(f) for f in facts] + [Spacer(1, 8)]

    counts = overview["counts"]
    story.append(p(_("Análisis anual"), styles["Heading2"]))
    story.append(
        p(
            _(
                "Avance cuantitativo: %(pct)s %% (esperado a la fecha: %(exp)s %%).",
                pct=labels.number(overview["progress"]),
                exp=labels.number(overview["expected"]),
            )
        )
    )
    summary = [[p(_("Estado")), p(_("Tareas"))]] + [
        [p(labels.STATUS[s]), p(counts[s])] for s in progress.STATUSES
    ]
    story += [Table(summary, colWidths=[120, 60], style=grid), Spacer(1, 6)]
    story.append(
        p(plan.analysis or _("La dependencia responsable todavía no ha escrito las conclusiones del año."))
    )

    story.append(p(_("Avance cuantitativo por acción y tarea"), styles["Heading2"]))
    by_year = plan.multi_year and year is None
    periods = [str(y) for y in plan.years] if by_year else [plan.period_name(i) for i in overview["periods"]]
    for av in overview["actions"]:
        action = av["action"]
        story.append(
            p(
                _(
                    "Acción %(n)s. %(title)s — avance %(pct)s %%, %(status)s",
                    n=action.number,
                    title=action.title,
                    pct=labels.number(av["progress"]),
                    status=labels.STATUS[av["status"]],
                ),
                styles["Heading4"],
            )
        )
        rows = [
            [p(_("Tarea")), p(_("Indicador")), p(_("Meta"))]
            + [p(x) for x in periods]
            + [p(_("Avance")), p(_("Estado"))]
        ]
        for tv in av["tasks"]:
            task = tv["task"]
            values = [v for _y, _t, v in tv["by_year"]] if by_year else tv["by_period"]
            rows.append(
                [p(task.description), p(task.indicator_name), p(labels.goal_text(task, tv["goal"]))]
                + [p(labels.number(v)) for v in values]
                + [p(f"{labels.number(tv['progress'])} %"), p(labels.STATUS[tv["status"]])]
            )
        column = 30 if len(periods) <= 6 else 24
        width = 532 - column * len(periods) - 45 - 50 - 40
        story += [
            Table(
                rows,
                colWidths=[width * 0.55, width * 0.45, 40] + [column] * len(periods) + [45, 50],
                style=grid,
                repeatRows=1,
            ),
            Spacer(1, 6),
        ]

    story.append(p(_("Avance cualitativo y dificultades"), styles["Heading2"]))
    any_report = False
    for av in overview["actions"]:
        for tv in av["tasks"]:
            task = tv["task"]
            reports = [
                r
                for r in task.reports
                if (office is None or r.office_code == office)
                and (year is None or r.period in overview["periods"])
            ]
            if not reports:
                continue
            any_report = True
            story.append(p(f"{av['action'].number}. {task.description}", styles["Heading5"]))
            for r in reports:
                line = _(
                    "Periodo %(period)s · %(office)s · valor %(value)s",
                    period=plan.period_name(r.period),
                    office=names.get(r.office_code, r.office_code),
                    value=labels.number(r.value),
                )
                story.append(p(line))
                if r.progress_text:
                    story.append(p(_("Avance: %(text)s", text=r.progress_text)))
                if r.difficulties:
                    story.append(p(_("Dificultades: %(text)s", text=r.difficulties)))
                if r.evidence:
                    story.append(p(_("Evidencias: %(links)s", links=" ".join(r.evidence))))
    if not any_report:
        story.append(p(_("Todavía no hay reportes de seguimiento.")))

    story.append(p(_("Hallazgos y acciones de mejora"), styles["Heading2"]))
    findings = [
        f
        for f in plan.findings
        if office is None
        or (f.task and office in f.task.reporting_codes)
        or (f.action and any(office in t.reporting_codes for t in f.action.tasks))
    ]
    if not findings:
        story.append(p(_("No hay hallazgos registrados.")))
    views = {av["action"].id: av for av in queries.plan_overview(plan, today)["actions"]}
    for finding in findings:
        story.append(p(_("%(date)s: %(text)s", date=finding.found_on.isoformat(), text=finding.description)))
        if finding.action is not None and finding.action.id in views:
            av = views[finding.action.id]
            story.append(
                p(
                    _(
                        "Acción de mejora %(n)s: %(title)s — avance %(pct)s %%, %(status)s",
                        n=finding.action.number,
                        title=finding.action.title,
                        pct=labels.number(av["progress"]),
                        status=labels.STATUS[av["status"]],
                    )
                )
            )
    return story


def pdf_response(plan, office: str | None = None, year: int | None = None) -> Response:
    year = year if plan.multi_year and year in plan.years else None
    data = pdf_bytes(plan, office, year=year)
    audit.record(
        "export",
        target="plans.progress_pdf",
        details={
            "format": "pdf",
            "filters": {"plan": plan.id, "office": office, **({"year": year} if year else {})},
            "rows": len(plan.tasks),
            "personal": False,
            "completed": True,
        },
    )
    suffix = (f"-{office}" if office else "") + (f"-{year}" if year else "")
    return core_exports.download(
        data, core_exports.stamped(f"informe-plan-{plan.id}{suffix}.pdf"), "application/pdf"
    )


core_exports.declare(
    "plans.plan_xlsx", _l("Plan de mejoramiento (XLSX)"), permissions=("content.view",), personal=False
)
core_exports.declare(
    "plans.plan_xlsx_medellin",
    _l("Plan de mejoramiento en el formato de Medellín (XLSX)"),
    permissions=("content.view",),
    personal=False,
)
core_exports.declare(
    "plans.follow_up_xlsx",
    _l("Hoja de seguimiento de una dependencia (XLSX)"),
    permissions=("content.edit",),
    personal=False,
)
