"""Times on records are stored in UTC and read in Bogotá time exactly once, on every page, PDF and
export that shows one. Bogotá is UTC-5: 00:30 there is 05:30 UTC the same day, and 23:30 there is
04:30 UTC the next day, so a second conversion (or none) moves the record to another hour and,
near midnight, to another day."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import select

from app.ballot.models import BallotQuestion
from app.core import time
from tests.ballot.conftest import form_data
from tests.events import conftest as events_fixtures
from tests.events.conftest import attendee

make_event, sign = events_fixtures.make_event, events_fixtures.sign  # the events tests' fixtures

# (UTC stored, what a person in Bogotá reads)
CASES = [
    (datetime(2026, 3, 10, 5, 30), "10 de marzo de 2026", "12:30 a. m.", "2026-03-10 00:30"),
    (datetime(2026, 3, 11, 4, 30), "10 de marzo de 2026", "11:30 p. m.", "2026-03-10 23:30"),
]


def _plain(html: str) -> str:
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def test_local_time_helpers_convert_once():
    utc = datetime(2026, 3, 10, 5, 30)
    local = time.to_local(utc)
    assert (local.hour, local.minute, local.day) == (0, 30, 10)
    assert time.to_local(local) == local  # a local time is never shifted again
    assert time.wall_clock(local) == time.wall_clock(utc) == datetime(2026, 3, 10, 0, 30)
    assert time.from_local(datetime(2026, 3, 10, 0, 30)) == utc and time.from_local(local) == utc


@pytest.mark.parametrize(("utc", "day", "clock", "_stamp"), CASES)
def test_a_question_filed_near_midnight_shows_the_bogota_time_and_day_on_receipt_status_and_staff_page(
    client, db, catalogs, login_as, utc, day, clock, _stamp
):
    with time.freeze(utc):
        assert client.submit("/urna/", form_data()).status_code == 302
        receipt = _plain(client.get("/urna/radicado").get_data(as_text=True))
        pdf = client.get("/urna/radicado.pdf").data  # the receipt the depositor keeps
    q = db.session.scalar(select(BallotQuestion))
    assert q.received_at == utc  # stored in UTC
    assert q.filed_on.isoformat() == _stamp[:10]  # the legal filing day is Bogotá's
    assert f"Recibida {day}, {clock}" in receipt
    text = _plain(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True).stdout.decode()
    )
    assert f"{day}, {clock}" in text
    status = _plain(client.get(f"/urna/seguimiento/{q.radicado}").get_data(as_text=True))
    assert f"Recibida {day}, {clock}" in status
    login_as("admin")
    staff = _plain(client.get(f"/gestion/urna/{q.id}").get_data(as_text=True))
    assert f"Recibida {day}, {clock}" in staff


@pytest.mark.parametrize(("utc", "_day", "_clock", "stamp"), CASES)
def test_a_signature_near_midnight_shows_the_bogota_time_on_the_staff_list_csv_xlsx_and_pdf(
    client, db, make_event, sign, login_as, utc, _day, _clock, stamp
):
    with time.freeze(utc):
        event = make_event()
        _page, response, _fields = sign(f"/asistencia/{event.token}", attendee())
        assert response.status_code == 303
    login_as("steward")
    page = _plain(client.get(f"/gestion/eventos/{event.id}/asistencia").get_data(as_text=True))
    assert f"{stamp[8:10]}/{stamp[5:7]}/{stamp[2:4]}, {_clock}" in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/gestion/eventos/{event.id}/asistencia.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    assert rows[1][6].startswith(stamp)
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/gestion/eventos/{event.id}/asistencia.xlsx").data)
    ).active
    cell = next(sheet.iter_rows(min_row=2, values_only=True))[6]
    assert f"{cell:%Y-%m-%d %H:%M}" == stamp
    pdf = client.get(f"/gestion/eventos/{event.id}/asistencia.pdf").data
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode()
    assert stamp in text
