"""Upload bombs: a ZIP-based file (XLSX, DOCX, ZIP) that would expand to gigabytes is refused,
quickly and in Spanish, before any parser opens it; the generic error page stays translated."""

from __future__ import annotations

import functools
import io
import time as wall
import zipfile

import pytest
import xlsxwriter
from sqlalchemy import func, select

from app.core import uploads

MB = 1024 * 1024


def _zip(members: dict[str, int]) -> bytes:
    """A ZIP whose members are `size` bytes of zeros each (deflated: about 1,000 to 1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        for name, size in members.items():
            with archive.open(name, "w") as member:
                chunk = b"0" * MB
                for _ in range(size // MB):
                    member.write(chunk)
    return out.getvalue()


@functools.cache
def _bomb() -> bytes:
    """An "XLSX" under 2 MB whose first sheet expands to 300 MB (built once)."""
    return _zip({"xl/worksheets/sheet1.xml": 300 * MB})


def _workbook() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for row in range(2000):
        sheet.write_row(row, 0, [f"Acción {row}", "Dependencia", "Indicador de avance", row])
    book.close()
    return out.getvalue()


def test_a_bomb_is_under_two_megabytes_and_refused_for_its_size(app):
    bomb = _bomb()
    assert len(bomb) < 2 * MB
    with pytest.raises(uploads.UploadError, match="se expande a más de 30 MB"):
        uploads.check_archive(bomb)


def test_a_member_compressed_abnormally_is_refused_even_when_small(app):
    with pytest.raises(uploads.UploadError, match="comprimido de forma anormal"):
        uploads.check_archive(_zip({"word/document.xml": 8 * MB}))


def test_real_office_files_pass(app):
    uploads.check_archive(_workbook())


def test_a_broken_archive_is_refused_clearly(app):
    with pytest.raises(uploads.UploadError, match="dañado"):
        uploads.check_archive(uploads.ZIP_MAGIC + b"\x00" * 200)


def test_plan_import_refuses_a_bomb_quickly_in_spanish(client, login_as, db):
    from app.plans.models import Plan

    login_as("admin")
    bomb = _bomb()
    began = wall.perf_counter()
    response = client.submit(
        "/gestion/planes/importar",
        {"file": (io.BytesIO(bomb), "plan.xlsx"), "year": "2026"},
        content_type="multipart/form-data",
    )
    assert wall.perf_counter() - began < 5
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "se expande a más de 30 MB al abrirlo" in html.split('id="file-error"')[1].split("</p>")[0]
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_plan_import_refusal_in_english(client, login_as):
    login_as("admin")
    client.get("/gestion/?lang=en")
    response = client.submit(
        "/gestion/planes/importar",
        {"file": (io.BytesIO(_bomb()), "plan.xlsx"), "year": "2026"},
        content_type="multipart/form-data",
    )
    assert "expands to more than 30 MB" in response.get_data(as_text=True)


def test_the_importer_itself_refuses_a_bomb(app):
    """The confirmation step parses the stored file again: the check sits in the parser too."""
    from app.plans.importer import ImportFileError, read_rows

    with pytest.raises(ImportFileError, match="se expande"):
        read_rows(_bomb())


def test_population_baseline_upload_refuses_a_bomb(client, login_as):
    login_as("admin")
    response = client.submit(
        "/gestion/caracterizacion/linea-base",
        {"archivo": (io.BytesIO(_bomb()), "poblacion.csv"), "fuente": "DANE"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "se expande a más de 30 MB" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_the_translated_page(app, client, monkeypatch):
    def boom():
        raise RuntimeError("fallo de prueba")

    monkeypatch.setitem(app.view_functions, "public.terms", boom)
    response = client.get("/terminos")
    assert response.status_code == 500
    assert "Algo falló de nuestro lado" in response.get_data(as_text=True)
    assert "Something went wrong on our side" in client.get("/terminos?lang=en").get_data(as_text=True)


def test_the_error_page_stays_spanish_when_templates_fail(app, client, monkeypatch):
    from app.core import errors

    def boom():
        raise RuntimeError("fallo de prueba")

    def broken_template(*_args, **_kwargs):
        raise RuntimeError("template failure")

    monkeypatch.setitem(app.view_functions, "public.terms", boom)
    monkeypatch.setattr(errors, "render_template", broken_template)
    response = client.get("/terminos")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Algo falló de nuestro lado" in html and "Internal Server Error" not in html
