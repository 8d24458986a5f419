"""Printable PDFs of an event (reportlab): the QR poster, the paper attendance sheet and the
official attendance list. All A4; the QR is drawn as vector squares so it prints sharp."""

from __future__ import annotations

import io

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.catalogs import services as catalogs
from app.core import time
from app.core.documents import draw_qr
from app.events import services
from app.events.forms import SHEET_COLUMNS
from app.events.models import Event

FONT, BOLD = "Helvetica", "Helvetica-Bold"
HEAD_SIZE = 6.8


def _entity() -> str:
    return current_app.config.get("ENTITY_NAME", "")


def _when(event: Event) -> str:
    return services.format_span(event)


def _place(event: Event) -> str:
    names = catalogs.territory_names()
    if event.territory and event.territory in names:
        return f"{event.place} · {names[event.territory]}"
    return event.place


def _lines(c, text: str, x: float, y: float, width: float, font: str, size: float, leading: float | None = None,
           center: bool = False, max_lines: int = 4) -> float:
    """Draw wrapped text from the top line at `y`; return the y below the last line."""
    leading = leading or size * 1.25
    lines = simpleSplit(text or "", font, size, width)[:max_lines]
    c.setFont(font, size)
    for line in lines:
        if center:
            c.drawCentredString(x + width / 2, y, line)
        else:
            c.drawString(x, y, line)
        y -= leading
    return y


def poster(event: Event) -> bytes:
    """A4 portrait poster: entity, event, date, place, a large QR, the link and the typed code."""
    out = io.BytesIO()
    width, height = A4
    c = pdfcanvas.Canvas(out, pagesize=A4)
    c.setTitle(_("Firma la asistencia: %(title)s", title=event.title))
    c.setAuthor(_entity())
    margin = 2 * cm
    inner = width - 2 * margin
    c.setFillColor(colors.HexColor("#0b4f8a"))
    c.rect(0, height - 2.2 * cm, width, 2.2 * cm, stroke=0, fill=1)
    c.setFillColor(colors.white)
    _lines(c, _entity(), margin, height - 1.35 * cm, inner, BOLD, 16, center=True, max_lines=1)
    c.setFillColor(colors.black)
    y = height - 3.6 * cm
    y = _lines(c, _("Firma la asistencia con tu celular"), margin, y, inner, BOLD, 26, center=True, max_lines=2)
    y = _lines(c, event.title, margin, y - 4, inner, BOLD, 18, center=True, max_lines=3)
    y = _lines(c, _when(event), margin, y - 2, inner, FONT, 13, center=True, max_lines=2)
    y = _lines(c, _place(event), margin, y, inner, FONT, 13, center=True, max_lines=2)
    size = min(12.5 * cm, y - 7.2 * cm)
    x = (width - size) / 2
    draw_qr(c, services.sign_in_url(event), x, y - 0.4 * cm - size, size)
    y = y - 0.4 * cm - size - 0.9 * cm
    y = _lines(c, _("Abre la cámara de tu celular y apunta al código."), margin, y, inner, BOLD, 14, center=True)
    y = _lines(c, _("¿No puedes escanearlo? Entra a esta dirección y escribe el código:"), margin, y - 2, inner, FONT, 12, center=True)
    y = _lines(c, services.code_url(), margin, y, inner, BOLD, 13, center=True, max_lines=2)
    c.setFont("Courier-Bold", 30)
    c.drawCentredString(width / 2, y - 26, services.display_code(event.short_code))
    y -= 46
    y = _lines(c, _("Enlace directo: %(url)s", url=services.sign_in_url(event)), margin, y, inner, FONT, 9, center=True)
    _lines(c, _("Tus respuestas sobre quién participa se guardan separadas de tu nombre. Si prefieres no usar el celular, "
                "firma la planilla en papel con el equipo del evento."), margin, 1.6 * cm, inner, FONT, 10, center=True)
    c.showPage()
    c.save()
    return out.getvalue()


def _styles():
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=14, leading=17, spaceAfter=2),
        "text": ParagraphStyle("text", fontName=FONT, fontSize=9, leading=11),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", fontName=BOLD, fontSize=HEAD_SIZE, leading=8),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=9.5),
    }


def _esc(text) -> str:
    return (str(text or "")).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _header(event: Event, title: str, st) -> list:
    return [
        Paragraph(_esc(_entity()), st["text"]),
        Paragraph(_esc(title), st["title"]),
        Paragraph(_esc(f"{event.title} · {_when(event)} · {_place(event)}"), st["text"]),
    ]


# Relative widths of the paper sheet's columns, by SHEET_COLUMNS key.
SHEET_WIDTHS = {"name": 3.2, "doc_type": 1.1, "doc_number": 2.0, "contact": 2.2, "life_course": 1.1, "sex": 0.9,
                "ethnicity": 1.0, "disability": 1.2, "victim": 1.1, "zone": 0.8, "territory": 1.4, "subterritory": 1.6,
                "value_group": 1.1, "organisation": 1.9, "consent": 1.6, "signature": 2.6}
LIST_KEYS = {"doc_type": "document_type"}  # sheet column -> catalog list, where they differ
CODED = ("doc_type", "life_course", "sex", "ethnicity", "disability", "victim", "zone", "value_group")


def sheet_column_labels() -> list[str]:
    return [str(label) for _key, label in SHEET_COLUMNS]  # noqa: B007


def _column_widths(columns: list[tuple[str, str]], usable: float) -> list[float]:
    """Widths that never break a header word (each column fits its longest word), the rest of
    the page shared by SHEET_WIDTHS."""
    minimum = [max(stringWidth(w, BOLD, HEAD_SIZE) for w in label.split()) + 6 for _key, label in columns]
    weights = [SHEET_WIDTHS.get(key, 1.0) for key, _label in columns]
    spare = max(0.0, usable - sum(minimum))
    wanted = [usable * w / sum(weights) for w in weights]
    extra = [max(0.0, want - low) for want, low in zip(wanted, minimum, strict=True)]
    scale = spare / sum(extra) if sum(extra) else 0
    return [low + e * scale for low, e in zip(minimum, extra, strict=True)]


def paper_sheet(event: Event, rows: int = 16) -> bytes:
    """A4 landscape sheet with the digital form's columns, and a page with the answer codes."""
    out = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(out, pagesize=page, leftMargin=1 * cm, rightMargin=1 * cm, topMargin=0.9 * cm,
                            bottomMargin=0.9 * cm, title=_("Planilla de asistencia: %(title)s", title=event.title),
                            author=_entity())
    st = _styles()
    story = _header(event, _("Listado de asistencia (planilla en papel)"), st)
    story.append(Paragraph(_esc(_(
        "Al marcar X en «Autorizo», autorizas a %(entity)s a tratar tus datos para registrar tu asistencia y conocer qué "
        "grupos y territorios participan (Ley 1581 de 2012). Etnia, discapacidad y víctima son datos sensibles: son "
        "opcionales. Escribe los códigos de la hoja siguiente. Hoja N.º ____", entity=_entity())), st["small"]))
    story.append(Spacer(1, 4))
    usable = page[0] - 2 * cm - 0.7 * cm
    widths = _column_widths([(key, str(label)) for key, label in SHEET_COLUMNS], usable)
    head = [Paragraph(_esc(label), st["head"]) for _key, label in SHEET_COLUMNS]
    data = [[Paragraph(_esc(_("N.º")), st["head"]), *head]] + [[str(n), *[""] * len(SHEET_COLUMNS)] for n in range(1, rows + 1)]
    widths = [0.7 * cm, *widths]
    table = Table(data, colWidths=widths, rowHeights=[None] + [0.95 * cm] * rows, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ecf2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONT", (0, 1), (0, -1), FONT, 8),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]))
    story += [table, PageBreak()]
    story += _header(event, _("Códigos para llenar la planilla"), st)
    story.append(Spacer(1, 6))
    legends = []
    for key, label in SHEET_COLUMNS:
        if key not in CODED:
            continue
        entries = "; ".join(f"{code} = {text}" for code, text in catalogs.choices(LIST_KEYS.get(key, key)))
        legends.append(Paragraph(f"<b>{_esc(label)}:</b> {_esc(entries)}", st["text"]))
    territories = "; ".join(f"{code} = {text}" for code, text in catalogs.territory_choices())
    legends.append(Paragraph(f"<b>{_esc(_('Comuna o corregimiento'))}:</b> {_esc(territories)}", st["text"]))
    # Barrio/vereda codes per comuna or corregimiento (the event's own first), as the form asks them.
    tree = catalogs.subterritory_tree()
    for code in sorted(tree, key=lambda c: c != event.territory):
        name, kids = tree[code]
        if kids:
            heading = _("Barrios o veredas de %(code)s – %(name)s", code=code, name=name)
            listed = "; ".join(f"{k} = {text}" for k, text in kids)
            legends.append(Paragraph(f"<b>{_esc(heading)}:</b> {_esc(listed)}", st["text"]))
    for item in legends:
        story += [item, Spacer(1, 4)]
    doc.build(story)
    return out.getvalue()


def official_list(event: Event, rows, *, identities: bool) -> bytes:
    """The official attendance list: every signature in order (documents only for stewards)."""
    out = io.BytesIO()
    page = landscape(A4)
    st = _styles()
    doc = SimpleDocTemplate(out, pagesize=page, leftMargin=1.2 * cm, rightMargin=1.2 * cm, topMargin=1 * cm,
                            bottomMargin=1.2 * cm, title=_("Listado oficial de asistencia: %(title)s", title=event.title),
                            author=_entity())
    doc_types = catalogs.labels("document_type")
    channels = channel_labels()
    head = [_("N.º"), _("Nombre"), _("Tipo de documento"), _("Número de documento"), _("Contacto"), _("Canal"), _("Firmó"),
            _("Estado")]
    if not identities:
        head = [h for i, h in enumerate(head) if i not in (2, 3, 4)]
    data = [[Paragraph(_esc(h), st["head"]) for h in head]]
    n = valid = 0
    for n, row in enumerate(rows, start=1):
        name = row.name or (_("(datos personales borrados: solo se cuenta)") if row.identity_erased
                            else _("(sin autorización de datos: solo se cuenta)"))
        valid += row.voided_at is None
        state = _("Anulada: %(reason)s", reason=row.void_reason) if row.voided_at else _("Válida")
        cells = [str(n), name, doc_types.get(row.doc_type, row.doc_type), row.doc_number, row.contact,
                 channels.get(row.channel, row.channel), f"{time.to_local(row.signed_at):%Y-%m-%d %H:%M}", state]
        if not identities:
            cells = [v for i, v in enumerate(cells) if i not in (2, 3, 4)]
        data.append([Paragraph(_esc(v), st["cell"]) for v in cells])
    rel = [0.6, 4.2, 2.0, 2.2, 2.8, 1.6, 2.0, 2.4] if identities else [0.6, 6.0, 2, 2.4, 3.0]
    usable = page[0] - 2.4 * cm
    table = Table(data, colWidths=[usable * w / sum(rel) for w in rel], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ecf2")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = _header(event, _("Listado oficial de asistencia"), st)
    story.append(Paragraph(_esc(_("Firmas registradas: %(n)s. Generado el %(at)s.", n=valid,
                                  at=f"{time.local_now():%Y-%m-%d %H:%M}")), st["text"]))
    if valid != n:
        story.append(Paragraph(_esc(ngettext("%(num)d fila anulada sigue en el listado, marcada como anulada.",
                                             "%(num)d filas anuladas siguen en el listado, marcadas como anuladas.",
                                             n - valid)), st["text"]))
    story += [Spacer(1, 6), table]

    def footer(canvas, doc_):
        canvas.setFont(FONT, 8)
        canvas.drawRightString(page[0] - 1.2 * cm, 0.6 * cm, _("Página %(n)s", n=doc_.page))
        canvas.drawString(1.2 * cm, 0.6 * cm, _("Contiene datos personales: trátalos según la Ley 1581 de 2012."))

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def channel_labels() -> dict[str, str]:
    return {"web": _("Celular (QR)"), "code": _("Celular (código)"), "paper": _("Planilla en papel")}
