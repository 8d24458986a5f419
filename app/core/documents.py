"""QR codes (PNG, SVG) and the shared bits of printable PDFs (reportlab)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _qr(data: str, border: int = 2) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border, box_size=10)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_png(data: str, *, box_size: int = 10, border: int = 2) -> bytes:
    """A black-on-white PNG QR code for `data`."""
    qr = _qr(data, border)
    qr.box_size = box_size
    image = qr.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_svg(data: str, *, border: int = 2) -> bytes:
    """An SVG QR code (a single path; scales to any size for print or projection)."""
    image = _qr(data, border).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_matrix(data: str, border: int = 2) -> list[list[bool]]:
    """The module matrix, for drawing the QR straight into a PDF (reportlab) at any size."""
    return _qr(data, border).get_matrix()


def draw_qr(canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw a QR code on a reportlab canvas as vector squares (sharp when printed)."""
    matrix = qr_matrix(data)
    n = len(matrix)
    cell = size / n
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        for col_index, on in enumerate(row):
            if on:
                canvas.rect(
                    x + col_index * cell, y + size - (row_index + 1) * cell, cell, cell, stroke=0, fill=1
                )
    canvas.restoreState()
