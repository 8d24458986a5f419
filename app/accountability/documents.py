"""The report's two files from its sections: a tagged PDF (WeasyPrint, `pdf_tags`: headings, tables
and lists carry their structure, so screen readers and `pdfinfo` see "Tagged: yes") with a table of
contents and bookmarks, and an editable DOCX (python-docx) with real headings, a Word table of
contents field and the same tables. Both carry the entity's header.

ReportLab, used for the other PDFs, writes no structure tree (untagged PDFs), so this document
uses WeasyPrint, which renders the HTML template `accountability/report.html`.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor
from flask import current_app, render_template
from flask_babel import gettext as _

from app.core import time
from app.core.registry import ReportPeriod, ReportSection

LIGHT_COLOURS = {
    "done": "1E7B34",
    "on_track": "2E7D32",
    "at_risk": "B26A00",
    "late": "C62828",
    "no_goal": "616161",
}


def entity() -> dict:
    cfg = current_app.config
    return {
        "name": cfg.get("ENTITY_NAME", ""),
        "nit": cfg.get("ENTITY_NIT", ""),
        "address": cfg.get("ENTITY_ADDRESS", ""),
        "website": cfg.get("ENTITY_WEBSITE", ""),
    }


def pdf(title: str, period: ReportPeriod, sections: list[ReportSection]) -> bytes:
    from weasyprint import HTML

    html = render_template(
        "accountability/report.html",
        title=title,
        period=period,
        sections=sections,
        entity=entity(),
        generated=time.local_now(),
    )
    return HTML(string=html, base_url=current_app.root_path).write_pdf(pdf_tags=True)


def _toc_field(paragraph) -> None:
    """A Word table-of-contents field (Word fills it when the document is opened and updated)."""
    run = paragraph.add_run()
    for kind, text in (
        ("begin", None),
        (None, 'TOC \\o "1-2" \\h \\z \\u'),
        ("separate", None),
        (None, None),
        ("end", None),
    ):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = _("Actualiza la tabla de contenido (clic derecho, «Actualizar campos»).")
        run._r.append(element)


def docx(title: str, period: ReportPeriod, sections: list[ReportSection]) -> bytes:
    doc = Document()
    info = entity()
    doc.core_properties.title = title
    doc.core_properties.author = info["name"]
    doc.core_properties.language = "es-CO"
    header = doc.sections[0].header.paragraphs[0]
    header.text = f"{info['name']} · NIT {info['nit']}" if info["nit"] else info["name"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_heading(title, level=0)
    doc.add_paragraph(f"{info['name']}" + (f" · NIT {info['nit']}" if info["nit"] else ""))
    doc.add_paragraph(
        _(
            "Periodo: %(period)s (%(start)s a %(end)s)",
            period=period.label,
            start=period.start.strftime("%d/%m/%Y"),
            end=period.end.strftime("%d/%m/%Y"),
        )
    )
    doc.add_paragraph(
        _("Generado el %(date)s con Participa.", date=time.local_now().strftime("%d/%m/%Y %H:%M"))
    )
    doc.add_heading(_("Contenido"), level=1)
    _toc_field(doc.add_paragraph())
    for number, section in enumerate(sections, start=1):
        doc.add_paragraph(f"{number}. {section.title}")
    for number, section in enumerate(sections, start=1):
        doc.add_heading(f"{number}. {section.title}", level=1)
        for text in section.paragraphs:
            doc.add_paragraph(text)
        for index, table in enumerate(section.tables):
            doc.add_heading(table.caption, level=2)
            grid = doc.add_table(rows=1, cols=len(table.header))
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, table.header, strict=False):
                cell.text = ""
                run = cell.paragraphs[0].add_run(text)
                run.bold = True
            _repeat_header(grid.rows[0])
            lights = section.lights.get(index)
            for r, row in enumerate(table.rows):
                cells = grid.add_row().cells
                for c, text in enumerate(row):
                    cells[c].text = ""
                    paragraph = cells[c].paragraphs[0]
                    if lights and c == len(row) - 1:
                        dot = paragraph.add_run("● ")
                        dot.font.color.rgb = RGBColor.from_string(LIGHT_COLOURS.get(lights[r], "616161"))
                    paragraph.add_run(str(text))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)
