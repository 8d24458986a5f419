"""Every page, PDF and export that shows a time reads it in Bogotá, converted once, for a record
made at 00:30 and at 23:30 Bogotá (05:30 UTC the same day, 04:30 UTC the next day). A second
conversion, or none, moves the time five hours and, near midnight, the day: the same Bogotá date
and time must appear on the page, in the PDF text and in the export.

The urna's receipt and the attendance list are in tests/core/test_time_display.py; this module
covers consultations, surveys, the audit log and its export, plans' follow-up, events' pages and
posters, staff accounts, downloads, personal-data requests, retention and monitoring pages, and
the accountability report. `test_no_stored_time_is_formatted_outside_app_core_time` guards the
class: a template or module that formats a stored time itself."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import DateTime

from app.core import audit, time
from app.extensions import db as _db
from tests.consultations import conftest as consultation_fixtures
from tests.events import conftest as events_fixtures
from tests.plans import conftest as plans_fixtures
from tests.surveys import conftest as survey_fixtures

make_event = events_fixtures.make_event
make_consultation = consultation_fixtures.make_consultation
make_survey = survey_fixtures.make_survey
medellin_plan = plans_fixtures.medellin_plan

ROOT = Path(__file__).resolve().parents[2]


class Case:
    """A moment stored in UTC and what a person in Bogotá reads of it."""

    def __init__(self, utc: datetime, day: str, clock: str, local: datetime):
        self.utc, self.day, self.clock, self.local = utc, day, clock, local
        self.long = f"{day}, {clock}"  # 10 de marzo de 2026, 12:30 a. m.
        self.short = f"{local:%d/%m/%y}, {clock}"  # 10/03/26, 12:30 a. m.
        self.stamp = f"{local:%Y-%m-%d %H:%M}"  # exports: 2026-03-10 00:30

    def __repr__(self):
        return self.stamp


CASES = [
    Case(datetime(2026, 3, 10, 5, 30), "10 de marzo de 2026", "12:30 a. m.", datetime(2026, 3, 10, 0, 30)),
    Case(datetime(2026, 3, 11, 4, 30), "10 de marzo de 2026", "11:30 p. m.", datetime(2026, 3, 10, 23, 30)),
]
cases = pytest.mark.parametrize("case", CASES, ids=["00h30", "23h30"])


def plain(html: str) -> str:
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return plain(response.get_data(as_text=True))


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, check=True, capture_output=True).stdout.decode()
    return plain(out)


@cases
def test_a_consultation_opening_and_closing_near_midnight_shows_bogota_times_on_every_page(
    client, db, make_consultation, login_as, case
):
    c = make_consultation()
    c.opens_at, c.closes_at = case.utc - timedelta(days=1), case.utc
    db.session.commit()
    with time.freeze(case.utc - timedelta(hours=1)):
        public = page(client, f"/consultas/{c.slug}")
        listing = page(client, "/consultas/")
    assert f"Abierta hasta el {case.long}" in public and f"Abierta hasta el {case.long}" in listing
    with time.freeze(case.utc + timedelta(minutes=1)):
        assert f"Esta consulta cerró el {case.long}" in page(client, f"/consultas/{c.slug}")
    login_as("admin")
    staff = page(client, f"/gestion/consultas/{c.id}")
    assert f"Cierra {case.long}" in staff


@cases
def test_a_survey_closing_or_opening_near_midnight_shows_bogota_times(client, db, make_survey, case):
    survey = make_survey(opens_at=case.utc - timedelta(days=3), closes_at=case.utc)
    with time.freeze(case.utc - timedelta(hours=1)):
        assert f"Abierta hasta el {case.long}" in page(client, "/encuestas/")
    later = make_survey(title="Encuesta que abre luego", opens_at=case.utc)
    with time.freeze(case.utc - timedelta(hours=1)):
        assert f"Abre el {case.long}" in page(client, f"/encuestas/{later.slug}")
    assert survey.closes_at == case.utc  # stored in UTC


@cases
def test_an_audit_entry_near_midnight_shows_the_same_bogota_time_on_the_log_and_its_csv(
    client, db, login_as, case
):
    login_as("admin")
    with time.freeze(case.utc):
        audit.record("plan_published", target="plan:1", details={"name": "Plan"}, actor="prueba")
    html = page(client, "/gestion/auditoria?accion=plan_published")
    assert case.short in html
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/gestion/auditoria.csv?accion=plan_published")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    assert rows[1][0].startswith(case.stamp)


@cases
def test_a_follow_up_report_near_midnight_shows_bogota_time_and_the_plan_pdf_and_xlsx_show_bogota_day(
    client, db, medellin_plan, login_as, case
):
    from app.plans import commands

    task = plans_fixtures.task_by(medellin_plan, "Convocatoria en el 1er trimestre")  # DAP, Jan-Mar
    login_as("admin")
    with time.freeze(case.utc):
        commands.report(task, 1, "DAP", value=100, progress_text="Equipo conformado.")
        form = page(client, f"/gestion/planes/{medellin_plan.id}/tareas/{task.id}/reportar")
        pdf = client.get(f"/gestion/planes/{medellin_plan.id}/informe.pdf")
        xlsx = client.get(f"/gestion/planes/{medellin_plan.id}/plan.xlsx")
    assert case.short in form
    assert f"Fecha de corte: {case.local:%Y-%m-%d}" in pdf_text(pdf.data)
    # The files are named with the Bogotá date and time they were made.
    for response in (pdf, xlsx):
        assert response.status_code == 200
        assert f"{case.local:%Y%m%d-%H%M}" in response.headers["Content-Disposition"]


@cases
def test_an_event_starting_near_midnight_shows_bogota_time_on_pages_poster_sheet_and_calendar(
    client, db, make_event, login_as, case
):
    with time.freeze(case.utc):
        event = make_event(starts_in=timedelta(0))
    span = f"{case.day}, de {case.clock}"
    assert span in page(client, f"/eventos/{event.id}")
    ics = client.get(f"/eventos/{event.id}.ics").get_data(as_text=True)
    assert f"DTSTART:{case.utc:%Y%m%dT%H%M%S}Z" in ics  # iCalendar carries UTC, marked as such
    admin = login_as("admin")
    assert case.short in page(client, "/gestion/eventos/")
    for document in ("cartel.pdf", "planilla.pdf"):
        assert span in pdf_text(client.get(f"/gestion/eventos/{event.id}/{document}").data), document
    from app.events import commands

    with time.freeze(case.utc):
        commands.close(event, 0, "Sin asistentes.", "", admin)
    assert f"Cerrado {case.short}" in page(client, f"/gestion/eventos/{event.id}")


@cases
def test_a_staff_sign_in_near_midnight_shows_bogota_time_on_the_users_page(client, db, make_user, case):
    admin = make_user("admin")
    with time.freeze(case.utc):
        client.login(admin)
    assert case.short in page(client, "/gestion/usuarios")


@cases
def test_bursts_near_midnight_show_bogota_times_to_staff(client, db, make_consultation, login_as, case):
    from app.consultations.models import ConsultationBurst

    c = make_consultation()
    db.session.add(
        ConsultationBurst(consultation_id=c.id, kind="address", window_start=case.utc, window_minutes=1, n=12)
    )
    db.session.commit()
    login_as("steward")
    assert f"entre {case.short}" in page(client, f"/gestion/consultas/{c.id}/resultados")


# ------------------------------------------------------------------------------ the class


def _datetime_columns() -> set[str]:
    return {
        col.name
        for table in _db.metadata.tables.values()
        for col in table.columns
        if isinstance(col.type, DateTime)
    }


FORMATS_ITSELF = re.compile(r"\.(\w+)\.(strftime|isoformat)\(")


def test_no_stored_time_is_formatted_outside_app_core_time(app):
    """A stored time (a DateTime column) is never formatted with strftime/isoformat in a template
    or a module: that shows UTC. It goes through the filters or `time.wall_clock` (the one
    conversion). Dates (Date columns) may be formatted as they are."""
    columns = _datetime_columns()
    offenders = []
    for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("app").rglob("*.py")]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name, _method in FORMATS_ITSELF.findall(line):
                if name in columns:
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)


@cases
def test_a_personal_data_request_filed_and_acted_on_near_midnight_shows_the_bogota_day(
    client, db, catalogs, login_as, case
):
    """The staff page of a habeas data request showed the day of erasure in UTC: an erasure at
    23:30 Bogotá read as the next day."""
    from app.ballot.habeas.models import BallotDataRequest

    with time.freeze(case.utc):
        assert (
            client.submit(
                "/urna/datos-personales",
                {
                    "kind": "data_claim",
                    "name": "Luz Marina Gómez",
                    "doc_type": "CC",
                    "doc_number": "1036222333",
                    "email": "luz@example.co",
                    "rights": ["delete"],
                },
            ).status_code
            == 302
        )
    request = db.session.query(BallotDataRequest).one()
    request.acted_at = case.utc  # what the erasure stores (naive UTC)
    db.session.commit()
    login_as("steward")
    html = page(client, f"/gestion/urna/datos-personales/{request.question_id}")
    assert f"Recibida {case.long}" in html
    assert f"Ya se borraron datos de esta persona el {case.day}." in html


@cases
def test_the_last_purge_and_unusual_querying_show_bogota_times(
    client, db, catalogs, make_user, login_as, case
):
    from app.core.audit import AuditEntry

    analyst = make_user("analyst", email="curiosa@prueba.gov.co")
    with time.freeze(case.utc):
        audit.record("retention_purge", target="retention", details={"total": 3}, actor="sistema")
    for i in range(25):
        db.session.add(
            AuditEntry(
                action="view",
                user_id=analyst.id,
                actor=analyst.email,
                at=case.utc + timedelta(seconds=i),
                target="characterization.dashboard",
                details={"filters": {"where": {"sex": "1", "zone": "1"}}, "refused": False},
            )
        )
    db.session.commit()
    login_as("steward")
    with time.freeze(case.utc + timedelta(hours=1)):
        retention = page(client, "/gestion/datos-personales/conservacion")
        assert f"Última depuración: {case.long} (hora de Colombia)" in retention
        assert f"{case.short} – {case.clock}" in page(client, "/gestion/caracterizacion/consultas-inusuales")


@cases
def test_an_answer_sent_near_midnight_reads_the_bogota_time_on_the_status_page(client, db, catalogs, case):
    """The report's "Recibida 3:18 / Respondida 8:19": both times of an answered request are read
    in Bogotá, once."""
    from sqlalchemy import select

    from app.ballot.models import BallotQuestion
    from tests.ballot.conftest import form_data

    with time.freeze(case.utc - timedelta(hours=2)):
        assert client.submit("/urna/", form_data()).status_code == 302
    q = db.session.scalar(select(BallotQuestion))
    q.status, q.answered_at = "answered", case.utc
    db.session.commit()
    status = page(client, f"/urna/seguimiento/{q.radicado}")
    assert f"Respondida {case.long}" in status
