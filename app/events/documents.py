"""Printable PDFs of an event (reportlab): the QR poster, the paper attendance list, the
anonymous characterisation slips and the official attendance list. All A4; the QR is drawn as
vector squares so it prints sharp."""

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
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.catalogs import queries as catalogs
from app.core import time
from app.core.documents import draw_qr
from app.events import tokens
from app.events.forms import SHEET_COLUMNS
from app.events.models import Event
from app.events.rules import format_span

FONT, BOLD = "Helvetica", "Helvetica-Bold"
HEAD_SIZE = 6.8


def _entity() -> str:
    return current_app.config.get("ENTITY_NAME", "")


def _when(event: Event) -> str:
    return format_span(event)


def _place(event: Event) -> str:
    names = catalogs.territory_names()
    if event.territory and event.territory in names:
        return f"{event.place} · {names[event.territory]}"
    return event.place


def _lines(
    c,
    text: str,
    x: float,
    y: float,
    width: float,
    font: str,
    size: float,
    leading: float | None = None,
    center: bool = False,
    max_lines: int = 4,
) -> float:
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
    y = _lines(
        c, _("Firma la asistencia con tu celular"), margin, y, inner, BOLD, 26, center=True, max_lines=2
    )
    y = _lines(c, event.title, margin, y - 4, inner, BOLD, 18, center=True, max_lines=3)
    y = _lines(c, _when(event), margin, y - 2, inner, FONT, 13, center=True, max_lines=2)
    y = _lines(c, _place(event), margin, y, inner, FONT, 13, center=True, max_lines=2)
    size = min(12.5 * cm, y - 7.2 * cm)
    x = (width - size) / 2
    draw_qr(c, tokens.sign_in_url(event), x, y - 0.4 * cm - size, size)
    y = y - 0.4 * cm - size - 0.9 * cm
    y = _lines(
        c, _("Abre la cámara de tu celular y apunta al código."), margin, y, inner, BOLD, 14, center=True
    )
    y = _lines(
        c,
        _("¿No puedes escanearlo? Entra a esta dirección y escribe el código:"),
        margin,
        y - 2,
        inner,
        FONT,
        12,
        center=True,
    )
    y = _lines(c, tokens.code_url(), margin, y, inner, BOLD, 13, center=True, max_lines=2)
    c.setFont("Courier-Bold", 30)
    c.drawCentredString(width / 2, y - 26, tokens.display_code(event.short_code))
    y -= 46
    y = _lines(
        c,
        _("Enlace directo: %(url)s", url=tokens.sign_in_url(event)),
        margin,
        y,
        inner,
        FONT,
        9,
        center=True,
    )
    _lines(
        c,
        _(
            "Tus respuestas sobre quién participa se guardan separadas de tu nombre. Si prefieres no usar el "
            "celular, "
            "firma la planilla en papel con el equipo del evento."
        ),
        margin,
        1.6 * cm,
        inner,
        FONT,
        10,
        center=True,
    )
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
        "slip_title": ParagraphStyle("slip_title", fontName=BOLD, fontSize=12, leading=14),
        "slip_text": ParagraphStyle("slip_text", fontName=FONT, fontSize=8.5, leading=10.5, spaceAfter=1),
        "slip_question": ParagraphStyle("slip_question", fontName=BOLD, fontSize=8.5, leading=10.5),
        "slip_option": ParagraphStyle("slip_option", fontName=FONT, fontSize=8.5, leading=11.5),
    }


def _esc(text) -> str:
    return (str(text or "")).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _header(event: Event, title: str, st) -> list:
    return [
        Paragraph(_esc(_entity()), st["text"]),
        Paragraph(_esc(title), st["title"]),
        Paragraph(_esc(f"{event.title} · {_when(event)} · {_place(event)}"), st["text"]),
    ]


# Relative widths of the paper list's columns, by SHEET_COLUMNS key.
SHEET_WIDTHS = {
    "name": 5.2,
    "doc_type": 1.4,
    "doc_number": 2.6,
    "contact": 3.2,
    "consent": 2.0,
    "signature": 4.0,
}


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


def paper_sheet(event: Event, rows: int = 15) -> bytes:
    """A4 landscape attendance list with the sign-in form's columns: identity, contact, consent
    and signature. No characterisation: that goes on the anonymous slips (`slips`), which share
    nothing with this list (docs/privacy/storage.md)."""
    out = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=1 * cm,
        rightMargin=1 * cm,
        topMargin=0.9 * cm,
        bottomMargin=0.9 * cm,
        title=_("Planilla de asistencia: %(title)s", title=event.title),
        author=_entity(),
    )
    st = _styles()
    story = _header(event, _("Listado de asistencia (planilla en papel)"), st)
    story.append(
        Paragraph(
            _esc(
                _(
                    "Al marcar X en «Autorizo», autorizas a %(entity)s a tratar tus datos para registrar tu "
                    "asistencia "
                    "(Ley 1581 de 2012). Las preguntas sobre quién participa van en una ficha anónima "
                    "aparte, sin "
                    "nombre ni documento: no las escribas en esta planilla.",
                    entity=_entity(),
                )
            ),
            st["small"],
        )
    )
    doc_types = "; ".join(f"{code} = {text}" for code, text in catalogs.choices("document_type"))
    story.append(
        Paragraph(_esc(_("Tipo de documento: %(codes)s. Hoja N.º ____", codes=doc_types)), st["small"])
    )
    story.append(Spacer(1, 4))
    usable = page[0] - 2 * cm - 0.7 * cm
    widths = _column_widths([(key, str(label)) for key, label in SHEET_COLUMNS], usable)
    head = [Paragraph(_esc(label), st["head"]) for _key, label in SHEET_COLUMNS]
    data = [[Paragraph(_esc(_("N.º")), st["head"]), *head]] + [
        [str(n), *[""] * len(SHEET_COLUMNS)] for n in range(1, rows + 1)
    ]
    widths = [0.7 * cm, *widths]
    table = Table(data, colWidths=widths, rowHeights=[None] + [0.95 * cm] * rows, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ecf2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONT", (0, 1), (0, -1), FONT, 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return out.getvalue()


# ---------------------------------------------------------------------------- anonymous slips

SLIPS_PER_PAGE = 2  # A4 portrait cut in two halves: print stays legible (8.5 pt)


class _Box(Flowable):
    """An empty square to mark with X, drawn as lines (no font needed to print it)."""

    def __init__(self, size: float = 8.5):
        super().__init__()
        self.size = size

    def wrap(self, available_width, available_height):
        return self.size + 3, self.size + 1

    def draw(self):
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


def _options(options: list[tuple[str, str]], width: float, st) -> Table:
    """Options as marked boxes with their code and label, two or three to a row."""
    longest = max(stringWidth(f"{code} {text}", FONT, 8.5) for code, text in options)
    per_row = 3 if longest < width / 3 - 16 else 2
    cells = [
        [_Box(), Paragraph(f"<b>{_esc(code)}</b> {_esc(text)}", st["slip_option"])] for code, text in options
    ]
    rows = [sum(cells[i : i + per_row], []) for i in range(0, len(cells), per_row)]
    rows[-1] += [""] * (2 * per_row - len(rows[-1]))
    table = Table(rows, colWidths=[12, width / per_row - 12] * per_row, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def default_slip_pages(event: Event) -> int:
    """Pages of slips to print: enough for the expected attendance (two per page), else 10."""
    expected = event.expected_attendance or 0
    return max(1, min(100, -(-expected // SLIPS_PER_PAGE))) if expected else 10


def _slip_questions(event: Event) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(key, question as the citizen form asks it, [(code, label)]) for every slip question, with
    the labels the second step shows (age bands with their ages)."""
    from app.characterization.forms import QUESTIONS
    from app.events.forms import SLIP_QUESTIONS, ProfileStepForm

    section = ProfileStepForm(meta={"csrf": False}).profile.form
    tree = catalogs.subterritory_tree()
    out = []
    for key, _label in SLIP_QUESTIONS:
        if key == "territory":
            options = [(code, name) for code, (name, _kids) in tree.items()]
        elif key in ("subterritory", "organisation"):
            options = []
        else:
            options = [(str(code), str(text)) for code, text in section[key].choices if code]
        out.append((key, str(QUESTIONS[key]), options))
    return out


def _slip_story(event: Event, questions, st, column_w: float) -> tuple[list, list, list]:
    """(heading, left column, right column) flowables of one slip."""
    heading = [
        Paragraph(_esc(_("Ficha anónima: ¿quién participa?")), st["slip_title"]),
        Paragraph(_esc(f"{event.title} · {_when(event)}"), st["slip_text"]),
        Paragraph(
            _esc(
                _(
                    "No escribas tu nombre, tu documento ni tu firma en esta ficha. Todas las "
                    "preguntas son opcionales; marca con X. Entrégala en la caja de fichas, separada "
                    "del listado de asistencia."
                )
            ),
            st["slip_text"],
        ),
        _consent_line(st),
        Spacer(1, 3),
    ]
    left, right = [], []
    for key, question, options in questions:
        column = left if key in ("life_course", "sex", "ethnicity", "disability", "victim") else right
        column.append(Paragraph(_esc(question), st["slip_question"]))
        if key == "subterritory":
            column.append(Paragraph(_esc(_("Código de la hoja de códigos: __________")), st["slip_option"]))
        elif key == "organisation":
            column.append(Paragraph("_" * 48, st["slip_option"]))
        else:
            column.append(_options(options, column_w, st))
        column.append(Spacer(1, 3))
    return heading, left, right


def _consent_line(st) -> Table:
    text = f"<b>{_esc(_('Autorizo'))}</b> " + _esc(
        _(
            "a %(entity)s a usar estas respuestas, sin mi nombre, para saber qué grupos y territorios "
            "participan "
            "(Ley 1581 de 2012). Etnia, discapacidad y víctima son datos sensibles. Sin esta X la ficha no "
            "se "
            "digita.",
            entity=_entity(),
        )
    )
    line = Table([[_Box(10), Paragraph(text, st["slip_text"])]], colWidths=[15, None], hAlign="LEFT")
    line.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return line


def slips(event: Event, pages: int | None = None) -> bytes:
    """A4 pages of anonymous characterisation slips, two per page with a cut line, then the codes
    of comunas, corregimientos, barrios and veredas (the event's first).

    A slip carries the event's name and date, the second step's questions with the citizen form's
    codes, and a consent mark: no row number, no name, no document, no serial, no page number,
    nothing that could tie it to a row of the attendance list. Every page is the same."""
    from reportlab.platypus import Frame, KeepInFrame

    pages = pages or default_slip_pages(event)
    out = io.BytesIO()
    width, height = A4
    c = pdfcanvas.Canvas(out, pagesize=A4)
    c.setTitle(_("Fichas anónimas de caracterización: %(title)s", title=event.title))
    c.setAuthor(_entity())
    st = _styles()
    questions = _slip_questions(event)
    margin, gap = 1.1 * cm, 0.5 * cm
    slip_h = (height - 2 * margin) / SLIPS_PER_PAGE
    inner_w = width - 2 * margin
    for _page in range(pages):
        for n in range(SLIPS_PER_PAGE):
            top = height - margin - n * slip_h
            column_w = (inner_w - gap) / 2
            heading, left, right = _slip_story(event, questions, st, column_w)
            body = Table(
                [
                    [
                        KeepInFrame(column_w, slip_h, left, mode="shrink"),
                        KeepInFrame(column_w, slip_h, right, mode="shrink"),
                    ]
                ],
                colWidths=[column_w + gap / 2, column_w + gap / 2],
                hAlign="LEFT",
            )
            body.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), gap / 2),
                    ]
                )
            )
            frame = Frame(
                margin,
                top - slip_h + 0.35 * cm,
                inner_w,
                slip_h - 0.6 * cm,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )
            frame.addFromList([KeepInFrame(inner_w, slip_h - 0.6 * cm, [*heading, body], mode="shrink")], c)
            if n < SLIPS_PER_PAGE - 1:
                _cut_line(c, margin, width - margin, top - slip_h)
        c.showPage()
    _codes_pages(c, event, st, margin)
    c.save()
    return out.getvalue()


def _cut_line(c, x0: float, x1: float, y: float) -> None:
    c.saveState()
    c.setDash(4, 3)
    c.setLineWidth(0.6)
    c.line(x0, y, x1, y)
    c.restoreState()
    c.setFont(FONT, 6.5)
    c.drawRightString(x1, y + 2.5, _("Corta por la línea"))


def _codes_pages(c, event: Event, st, margin: float) -> None:
    """The codes to write on a slip's territory: every comuna and corregimiento with its barrios or
    veredas, the event's own first (the sheet to leave on the tables next to the slips)."""
    from reportlab.platypus import Frame

    width, height = A4
    story = [
        Paragraph(_esc(_entity()), st["text"]),
        Paragraph(_esc(_("Hoja de códigos para las fichas")), st["title"]),
        Paragraph(_esc(f"{event.title} · {_when(event)}"), st["text"]),
        Spacer(1, 6),
    ]
    territories = "; ".join(f"{code} = {text}" for code, text in catalogs.territory_choices())
    story += [
        Paragraph(f"<b>{_esc(_('Comuna o corregimiento'))}:</b> {_esc(territories)}", st["text"]),
        Spacer(1, 4),
    ]
    tree = catalogs.subterritory_tree()
    for code in sorted(tree, key=lambda c_: c_ != event.territory):
        name, kids = tree[code]
        if kids:
            heading = _("Barrios o veredas de %(code)s – %(name)s", code=code, name=name)
            listed = "; ".join(f"{k} = {text}" for k, text in kids)
            story += [Paragraph(f"<b>{_esc(heading)}:</b> {_esc(listed)}", st["text"]), Spacer(1, 4)]
    while story:
        frame = Frame(margin, margin, width - 2 * margin, height - 2 * margin)
        frame.addFromList(story, c)
        c.showPage()


def official_list(event: Event, rows, *, identities: bool) -> bytes:
    """The official attendance list: every signature in order (documents only for stewards)."""
    out = io.BytesIO()
    page = landscape(A4)
    st = _styles()
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=1.2 * cm,
        rightMargin=1.2 * cm,
        topMargin=1 * cm,
        bottomMargin=1.2 * cm,
        title=_("Listado oficial de asistencia: %(title)s", title=event.title),
        author=_entity(),
    )
    doc_types = catalogs.labels("document_type")
    channels = channel_labels()
    head = [
        _("N.º"),
        _("Nombre"),
        _("Tipo de documento"),
        _("Número de documento"),
        _("Contacto"),
        _("Canal"),
        _("Firmó"),
        _("Estado"),
    ]
    if not identities:
        head = [h for i, h in enumerate(head) if i not in (2, 3, 4)]
    data = [[Paragraph(_esc(h), st["head"]) for h in head]]
    n = valid = 0
    for n, row in enumerate(rows, start=1):
        name = row.name or (
            _("(datos personales borrados: solo se cuenta)")
            if row.identity_erased
            else _("(sin autorización de datos: solo se cuenta)")
        )
        valid += row.voided_at is None
        state = _("Anulada: %(reason)s", reason=row.void_reason) if row.voided_at else _("Válida")
        cells = [
            str(n),
            name,
            doc_types.get(row.doc_type, row.doc_type),
            row.doc_number,
            row.contact,
            channels.get(row.channel, row.channel),
            f"{time.to_local(row.signed_at):%Y-%m-%d %H:%M}",
            state,
        ]
        if not identities:
            cells = [v for i, v in enumerate(cells) if i not in (2, 3, 4)]
        data.append([Paragraph(_esc(v), st["cell"]) for v in cells])
    rel = [0.6, 4.2, 2.0, 2.2, 2.8, 1.6, 2.0, 2.4] if identities else [0.6, 6.0, 2, 2.4, 3.0]
    usable = page[0] - 2.4 * cm
    table = Table(data, colWidths=[usable * w / sum(rel) for w in rel], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ecf2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = _header(event, _("Listado oficial de asistencia"), st)
    story.append(
        Paragraph(
            _esc(
                _(
                    "Firmas registradas: %(n)s. Generado el %(at)s.",
                    n=valid,
                    at=f"{time.local_now():%Y-%m-%d %H:%M}",
                )
            ),
            st["text"],
        )
    )
    if valid != n:
        story.append(
            Paragraph(
                _esc(
                    ngettext(
                        "%(num)d fila anulada sigue en el listado, marcada como anulada.",
                        "%(num)d filas anuladas siguen en el listado, marcadas como anuladas.",
                        n - valid,
                    )
                ),
                st["text"],
            )
        )
    story += [Spacer(1, 6), table]

    def footer(canvas, doc_):
        canvas.setFont(FONT, 8)
        canvas.drawRightString(page[0] - 1.2 * cm, 0.6 * cm, _("Página %(n)s", n=doc_.page))
        canvas.drawString(
            1.2 * cm, 0.6 * cm, _("Contiene datos personales: trátalos según la Ley 1581 de 2012.")
        )

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def channel_labels() -> dict[str, str]:
    return {"web": _("Celular (QR)"), "code": _("Celular (código)"), "paper": _("Planilla en papel")}
