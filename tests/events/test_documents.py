"""What staff print and download: QR codes (decoded back with zxing-cpp), the poster PDF, the
paper sheet with the first step's columns, the official list exports, and iCalendar. (The
anonymous slips and their barrio codes per comuna: tests/events/test_slips.py.)"""

import csv
import io
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import zxingcpp
from PIL import Image
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.events import tokens
from app.events.documents import sheet_column_labels
from app.events.forms import SHEET_COLUMNS, ProfileStepForm, SignInForm
from app.events.models import CANCELLED, DRAFT
from tests.events.conftest import attendee


def _decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def _pdf_page_image(pdf: bytes, page: int = 1) -> Image.Image:
    """Rasterise one PDF page with poppler's pdftoppm (apt-get install poppler-utils)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "110",
                "-f",
                str(page),
                "-l",
                str(page),
                "-png",
                str(source),
                str(Path(tmp) / "p"),
            ],
            check=True,
            capture_output=True,
        )
        return Image.open(next(Path(tmp).glob("p*.png"))).convert("L").copy()


def _pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True)
    return result.stdout.decode("utf-8")


def test_qr_png_and_svg_carry_the_sign_in_link(client, login_as, make_event):
    event = make_event()
    login_as("editor")
    png = client.get(f"/gestion/eventos/{event.id}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    link = f"http://participa.test/asistencia/{event.token}"
    assert _decode(Image.open(io.BytesIO(png.data))) == [link]
    svg = client.get(f"/gestion/eventos/{event.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_poster_pdf_qr_decodes_to_the_sign_in_link_and_shows_the_typed_code(client, login_as, make_event):
    event = make_event(title="Audiencia pública, comuna 1")
    login_as("editor")
    response = client.get(f"/gestion/eventos/{event.id}/cartel.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert _decode(_pdf_page_image(response.data)) == [f"http://participa.test/asistencia/{event.token}"]
    text = _pdf_text(response.data)
    assert "Alcaldía de Medellín" in text and "Audiencia pública, comuna 1" in text
    assert tokens.display_code(event.short_code) in text and "http://participa.test/asistencia/codigo" in text


def test_the_link_from_the_poster_opens_the_form(client, login_as, make_event):
    event = make_event()
    login_as("editor")
    link = _decode(_pdf_page_image(client.get(f"/gestion/eventos/{event.id}/cartel.pdf").data))[0]
    client.post("/gestion/salir", data={"csrf_token": client.csrf("/gestion/")})
    page = client.get(link.replace("http://participa.test", ""))
    assert page.status_code == 200 and 'name="doc_number"' in page.get_data(as_text=True)


def test_paper_sheet_has_the_same_columns_as_the_forms_first_step(app, client, login_as, make_event):
    """The printed list asks what the sign-in's first step asks (identity and consent) plus a
    signature; the second step's questions go on the anonymous slips (tests/events/test_slips.py)."""
    event = make_event()
    login_as("editor")
    response = client.get(f"/gestion/eventos/{event.id}/planilla.pdf")
    assert response.status_code == 200
    raw = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=response.data, check=True, capture_output=True
    ).stdout.decode()
    headers = raw.split("Hoja N.º ____", 1)[1]
    squeezed = "".join(headers.split())
    for label in sheet_column_labels():  # every column header, in the form's order
        position = squeezed.find("".join(label.split()))
        assert position >= 0, label
        squeezed = squeezed[position:]
    header_lines = headers.split("Firma", 1)[0].split()
    words = {"N.º"} | {w for label in sheet_column_labels() for w in label.split()}
    assert set(header_lines) <= words, set(header_lines) - words  # no header word broken across lines
    assert "CC = Cédula de ciudadanía" in raw and "JAC = Organización comunal" not in raw
    with app.test_request_context():
        form = SignInForm(meta={"csrf": False})
        asked = {n for n in form._fields if n not in ("csrf_token", "nonce", "ticket")}
        step = ProfileStepForm(meta={"csrf": False})  # the optional second step: on the slips, not here
        second = {
            n
            for n in step.profile.form._fields
            if n not in ("guardian_name", "guardian_consent", "consent", "discard", "refine")
        }  # buttons
    assert asked == {key for key, _label in SHEET_COLUMNS if key != "signature"}
    assert not second & {key for key, _label in SHEET_COLUMNS}


def test_exported_list_matches_what_was_signed(client, db, make_event, sign, login_as):
    event = make_event()
    people = [("Ana Mejía", "43111222"), ("Luis Palacios", "71222333"), ("Marta Ríos", "1001002003")]
    for name, doc in people:
        sign(f"/asistencia/{event.token}", attendee(name=name, doc=doc))
    login_as("steward")
    response = client.get(f"/gestion/eventos/{event.id}/asistencia.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["N.º", "Nombre", "Tipo de documento", "Número de documento"]
    assert [(r[1], r[3]) for r in rows[1:]] == people
    assert {r[2] for r in rows[1:]} == {"Cédula de ciudadanía"}

    xlsx = client.get(f"/gestion/eventos/{event.id}/asistencia.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert [(r[1], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)] == people

    pdf = client.get(f"/gestion/eventos/{event.id}/asistencia.pdf")
    text = _pdf_text(pdf.data)
    assert all(name in text and doc in text for name, doc in people) and "Firmas registradas: 3" in text

    entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")))
    assert sorted(e.details["format"] for e in entries) == ["csv", "pdf", "xlsx"]
    assert all(
        e.details["personal"] and e.details["rows"] == 3 and e.target == "events.attendance" for e in entries
    )


def test_only_stewards_export_personal_data(client, make_event, login_as):
    event = make_event()
    for role in ("editor", "analyst", "admin"):
        login_as(role, email=f"{role}@export.gov.co")
        for fmt in ("csv", "xlsx", "pdf"):
            assert client.get(f"/gestion/eventos/{event.id}/asistencia.{fmt}").status_code == 403
        client.post("/gestion/salir", data={"csrf_token": client.csrf("/gestion/")})


def test_icalendar_event_and_feed(client, make_event):
    event = make_event(title="Diálogo; presupuesto, 2026", description="Línea uno\nLínea dos " + "x" * 120)
    make_event(status=DRAFT, title="Borrador secreto")
    make_event(status=CANCELLED, title="Evento cancelado")
    one = client.get(f"/eventos/{event.id}.ics")
    body = one.get_data(as_text=True)
    assert one.mimetype == "text/calendar"
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert (
        f"DTSTART:{event.starts_at:%Y%m%dT%H%M%S}Z" in body
        and "SUMMARY:Diálogo\\; presupuesto\\, 2026" in body
    )
    assert "Línea uno\\nLínea dos" in body.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    feed = client.get("/eventos/calendario.ics").get_data(as_text=True)
    assert feed.count("BEGIN:VEVENT") == 2 and "Borrador secreto" not in feed and "STATUS:CANCELLED" in feed
    assert client.get(f"/eventos/{event.id + 1}.ics").status_code == 404  # the draft
