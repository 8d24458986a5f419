"""The deposit receipt as a PDF the citizen keeps: radicado, private lookup code, time received
(Bogotá), deadline and where to follow it. Built from the receipt kept in the browser's session;
the code is never stored on the server."""

from __future__ import annotations

import io

from flask import current_app, url_for
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core import time

from .models import BallotQuestion
from .rules import kind_label


def _plain(text: str) -> str:
    """Babel's narrow no-break spaces ('8:18\u202fa.\u202fm.') as plain spaces: the PDF's
    built-in fonts have no glyph for them."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def pdf(question: BallotQuestion, code: str) -> bytes:
    out = io.BytesIO()
    entity = current_app.config.get("ENTITY_NAME", "")
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=_("Radicado %(radicado)s", radicado=question.radicado),
        author=entity,
    )
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=11, leading=15)
    title = ParagraphStyle("title", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20)
    big = ParagraphStyle("big", parent=body, fontName="Courier-Bold", fontSize=20, leading=26)
    link = current_app.config["PARTICIPA_BASE_URL"] + url_for("ballot.lookup")
    rows = [
        [_("Número de radicado"), Paragraph(question.radicado, big)],
        [_("Código de consulta"), Paragraph(code, big)],
        [
            _("Recibida"),
            _plain(time.format_datetime(question.received_at, "long")) + " " + _("(hora de Colombia)"),
        ],
        [_("Tipo"), kind_label(question.kind)],
        [
            _("Plazo para responder"),
            _(
                "%(days)s días hábiles: a más tardar el %(date)s",
                days=question.term_days,
                date=_plain(time.format_date(question.due_on, "long")),
            ),
        ],
    ]
    table = Table(rows, colWidths=[5 * cm, 12 * cm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 10),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    story = [
        Paragraph(entity, body),
        Spacer(1, 0.3 * cm),
        Paragraph(_("Recibimos tu solicitud"), title),
        Spacer(1, 0.5 * cm),
        table,
        Spacer(1, 0.5 * cm),
        Paragraph(
            _(
                "Guarda este documento: con el radicado y el código consultas el estado y la respuesta en "
                "%(url)s. El código no se guarda en claro y nadie de la entidad lo puede recuperar.",
                url=link,
            ),
            body,
        ),
    ]
    doc.build(story)
    return out.getvalue()
