"""Uploaded files: read within a size limit and, for ZIP-based formats (XLSX, DOCX, ZIP), check
what the archive would expand to before any parser opens it.

A "zip bomb" of under 2 MB can expand to gigabytes: opening it kept a worker busy until gunicorn
killed it. `check_archive` reads only the archive's directory (`zipfile.ZipFile.infolist`, no
decompression) and refuses archives whose members add up to more than `max_uncompressed`
bytes, with more than `max_members` members, or with a member compressed more than `max_ratio`
times. Python's zipfile never inflates a member beyond the size its directory entry declares, so
checking the declared sizes bounds the work of the parser that follows.
"""

from __future__ import annotations

import io
import zipfile

from flask_babel import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED = 30 * 1024 * 1024  # an office document of a few thousand rows is a few MB
MAX_RATIO = 100  # spreadsheets compress 5-20 times; 100 leaves room, a bomb is 1,000+
RATIO_FROM = 1024 * 1024  # small members may compress very well (empty styles) and harm nothing
MAX_MEMBERS = 2000


class UploadError(ValueError):
    """A refused upload; the message (in the visitor's language) says why and what to do."""


def is_archive(data: bytes) -> bool:
    return data[:4] == ZIP_MAGIC


def check_archive(
    data: bytes,
    *,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_ratio: int = MAX_RATIO,
    max_members: int = MAX_MEMBERS,
) -> None:
    """Refuse a ZIP-based file (XLSX, DOCX, ZIP) that would expand too much. Raises UploadError."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UploadError(
            _(
                "El archivo está dañado o no es un documento válido; ábrelo y guárdalo de nuevo "
                "antes de subirlo."
            )
        ) from exc
    if len(members) > max_members:
        raise UploadError(
            _("El archivo comprimido tiene demasiadas partes (más de %(n)s); no lo abrimos.", n=max_members)
        )
    total = sum(m.file_size for m in members)
    if total > max_uncompressed:
        raise UploadError(
            _(
                "El archivo se expande a más de %(mb)s MB al abrirlo; no lo abrimos. Sube un "
                "archivo más pequeño o divídelo en partes.",
                mb=max_uncompressed // (1024 * 1024),
            )
        )
    for member in members:
        if member.file_size >= RATIO_FROM and member.file_size > max_ratio * max(member.compress_size, 1):
            raise UploadError(
                _(
                    "El archivo está comprimido de forma anormal (%(ratio)s a 1), como los archivos "
                    "hechos para bloquear servidores; no lo abrimos. Guárdalo de nuevo desde tu "
                    "hoja de cálculo y vuelve a subirlo.",
                    ratio=member.file_size // max(member.compress_size, 1),
                )
            )


def read_upload(storage, *, max_bytes: int) -> bytes:
    """The bytes of an uploaded file (a Werkzeug FileStorage, or None), at most `max_bytes`; a
    ZIP-based file is checked with `check_archive` before anyone parses it. Raises UploadError."""
    data = storage.read(max_bytes + 1) if storage else b""
    if len(data) > max_bytes:
        raise UploadError(
            _(
                "El archivo supera %(mb)s MB; sube uno más pequeño.",
                mb=round(max_bytes / (1024 * 1024), 1)
                if max_bytes % (1024 * 1024)
                else max_bytes // (1024 * 1024),
            )
        )
    if is_archive(data):
        check_archive(data)
    return data
