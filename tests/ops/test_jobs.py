"""Background jobs without Redis (the development fallback runs them in the requesting process):
large exports go to "Mis descargas", only their owner downloads them (audited), files expire,
and a job interrupted by a crash is retried once, then marked failed with its reason."""

from __future__ import annotations

import io
import os
from datetime import timedelta

from sqlalchemy import select

from app.core import jobs, time
from app.core.audit import AuditEntry


def _only_job(db):
    return db.session.scalars(select(jobs.Job)).one()


def test_large_profile_export_is_prepared_in_background_for_its_owner(
    client, app, db, login_as, profiles, small_threshold
):
    profiles(25)
    steward = login_as("steward")
    response = client.get("/gestion/caracterizacion/exportar/perfiles.csv")
    assert response.status_code == 302 and response.headers["Location"].endswith("/gestion/descargas/")
    job = _only_job(db)
    assert (job.owner_id, job.status, job.rows, job.personal) == (steward.id, "done", 25, True)
    assert job.expires_at - job.finished_at == timedelta(days=7)
    page = client.get("/gestion/descargas/").get_data(as_text=True)
    assert "Descargar" in page and 'http-equiv="refresh"' not in page  # nothing running: no refresh
    download = client.get(f"/gestion/descargas/{job.token}/archivo")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    body = download.get_data(as_text=True)
    assert body.count("\n") == 26 and "JAC Santo Domingo" in body  # the steward's file has the organisation
    app.config["PARTICIPA_EXPORT_QUEUE_ROWS"] = 1000
    streamed = client.get("/gestion/caracterizacion/exportar/perfiles.csv")
    assert (
        streamed.status_code == 200 and streamed.get_data(as_text=True) == body
    )  # the same file, byte for byte
    actions = [(a.action, a.user_id) for a in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert ("export", steward.id) in actions and ("download", steward.id) in actions


def test_small_export_still_streams_at_once(client, db, login_as, profiles, small_threshold):
    profiles(5)
    login_as("steward")
    response = client.get("/gestion/caracterizacion/exportar/perfiles.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert db.session.scalars(select(jobs.Job)).first() is None


def test_analyst_gets_no_row_level_file_in_the_background_either(
    client, db, login_as, profiles, small_threshold
):
    """Row-level profiles are the steward's alone (disclosure control): a large request by an
    analyst is refused before any job is queued."""
    profiles(12)
    login_as("analyst")
    assert client.get("/gestion/caracterizacion/exportar/perfiles.xlsx").status_code == 403
    assert db.session.scalars(select(jobs.Job)).first() is None


def test_nobody_else_downloads_or_sees_the_file(
    client, app, db, login_as, make_user, profiles, small_threshold
):
    profiles(15)
    login_as("steward")
    client.get("/gestion/caracterizacion/exportar/perfiles.csv")
    job = _only_job(db)
    other = app.test_client()
    from tests.conftest import Client

    other = Client(other)
    other.login(make_user("steward", email="otra@prueba.gov.co"))
    assert other.get(f"/gestion/descargas/{job.token}/archivo").status_code == 404
    assert job.token not in other.get("/gestion/descargas/").get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get(f"/gestion/descargas/{job.token}/archivo").status_code == 302  # to the login page
    assert [
        a.action for a in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "download"))
    ] == []


def test_demoted_steward_cannot_download_personal_file(client, db, login_as, profiles, small_threshold):
    profiles(15)
    steward = login_as("steward")
    client.get("/gestion/caracterizacion/exportar/perfiles.csv")
    job = _only_job(db)
    steward.role = "analyst"
    db.session.commit()
    assert client.get(f"/gestion/descargas/{job.token}/archivo").status_code == 403


def test_attendance_list_export_goes_to_downloads(client, db, login_as, small_threshold, catalogs):
    import secrets
    from datetime import timedelta as td

    from app.events import commands
    from app.events.models import Attendance, Event

    start = time.now().replace(microsecond=0) - td(minutes=10)
    event = Event(
        kind="AUD",
        title="Audiencia",
        status="published",
        starts_at=start,
        ends_at=start + td(hours=2),
        place="Casa",
        territory="01",
        token=secrets.token_urlsafe(16),
        secret=secrets.token_urlsafe(32),
        short_code=commands.new_short_code(),
        opens_before_min=60,
        closes_after_min=60,
    )
    db.session.add(event)
    db.session.commit()
    for i in range(12):
        db.session.add(
            Attendance(
                event_id=event.id,
                nonce=f"n{i}",
                name=f"Persona {i}",
                doc_type="CC",
                doc_number=str(1000 + i),
                doc_hash=f"h{i}",
                contact="",
                channel="web",
                signed_at=time.now(),
            )
        )
    db.session.commit()
    login_as("steward")
    response = client.get(f"/gestion/eventos/{event.id}/asistencia.csv")
    assert response.status_code == 302
    job = _only_job(db)
    assert (
        job.status == "done"
        and job.rows == 12
        and job.personal
        and job.filename == f"asistencia-evento-{event.id}.csv"
    )
    body = client.get(f"/gestion/descargas/{job.token}/archivo").get_data(as_text=True)
    assert "Persona 11" in body


def test_running_job_page_shows_progress_and_refreshes_without_javascript(client, db, login_as):
    user = login_as("steward")
    job = jobs.Job(
        token="tok-running",
        owner_id=user.id,
        kind="characterization.profiles.csv",
        label="Perfiles",
        status="running",
        total=200,
        done=50,
        heartbeat_at=time.now(),
    )
    db.session.add(job)
    db.session.commit()
    html = client.get("/gestion/descargas/").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="5">' in html
    assert '<progress max="100" value="25"' in html and "25 %" in html
    paused = client.get("/gestion/descargas/?pausa=1").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in paused and "Actualizar ahora" in paused


def test_expired_files_are_deleted_and_no_longer_served(client, db, login_as, profiles, small_threshold):
    profiles(15)
    login_as("steward")
    client.get("/gestion/caracterizacion/exportar/perfiles.csv")
    job = _only_job(db)
    path = job.file_path
    assert os.path.exists(path)
    with time.freeze(time.now() + timedelta(days=7, minutes=1)):
        assert client.get(f"/gestion/descargas/{job.token}/archivo").status_code == 410
        assert jobs.expire() == 1
    assert not os.path.exists(path)
    db.session.expire_all()
    assert db.session.get(jobs.Job, job.id).status == "expired"
    assert "Vencido" in client.get("/gestion/descargas/").get_data(as_text=True)


def test_interrupted_job_is_retried_once_then_failed_with_reason(
    client, db, login_as, profiles, small_threshold
):
    profiles(15)
    user = login_as("steward")
    stale = time.now() - timedelta(seconds=jobs.STALE_SECONDS + 5)
    job = jobs.Job(
        token="tok-crash",
        owner_id=user.id,
        kind="characterization.profiles.csv",
        label="Perfiles",
        params={"filters": {}, "full": False, "lang": "es"},
        status="running",
        attempts=1,
        total=15,
        heartbeat_at=stale,
        started_at=stale,
    )
    db.session.add(job)
    db.session.commit()
    assert jobs.reap() == {"retried": 1, "failed": 0}  # back on the queue: here it runs at once
    db.session.expire_all()
    job = db.session.get(jobs.Job, job.id)
    assert (job.status, job.rows, job.attempts) == ("done", 15, 2)

    job.status, job.heartbeat_at = "running", stale  # crashes again on its last attempt
    db.session.commit()
    assert jobs.reap() == {"retried": 0, "failed": 1}
    db.session.expire_all()
    job = db.session.get(jobs.Job, job.id)
    assert (job.status, job.error) == ("failed", "interrupted")
    assert "se detuvo" in client.get("/gestion/descargas/").get_data(as_text=True)


def test_a_failing_job_is_marked_failed_and_leaves_no_file(client, db, login_as, small_threshold, app):
    calls = []

    def broken(job, path, progress):
        open(path, "w").write("half")
        calls.append(path)
        raise RuntimeError("boom")

    jobs.register_kind("test.broken", broken, filename="x.csv", mimetype="text/csv")
    user = login_as("steward")
    job = jobs.enqueue("test.broken", owner=user, label="Roto")
    assert (job.status, job.error) == ("failed", "error")
    assert not os.path.exists(calls[0])
    assert "error interno" in client.get("/gestion/descargas/").get_data(as_text=True)


def test_scheduled_table_is_data_driven(app):
    from app.core import registry

    names = [e.name for e in jobs.schedule()]
    assert names[:2] == ["jobs.reap", "jobs.expire"] and "ballot.notices" in names
    reg = registry.get(app)
    reg.add_hook("scheduled_jobs", lambda: {"name": "privacy.purge", "run": lambda: 3, "every": 86400})
    try:
        table = {e.name: e.every for e in jobs.schedule()}
        assert table["privacy.purge"] == 86400
        app.config["PARTICIPA_SCHEDULE"] = "privacy.purge=3600,jobs.expire=0"
        table = {e.name: e.every for e in jobs.schedule()}
        assert table["privacy.purge"] == 3600 and "jobs.expire" not in table
        assert jobs.run_scheduled("privacy.purge") == "3"
    finally:
        reg.hooks["scheduled_jobs"].pop()
        app.config.pop("PARTICIPA_SCHEDULE", None)


def test_xlsx_job_neutralises_formulas_like_the_streamed_export(
    client, db, login_as, profiles, small_threshold
):
    profiles(11, organisation='=HYPERLINK("http://malo.example","clic")')
    login_as("steward")
    client.get("/gestion/caracterizacion/exportar/perfiles.xlsx")
    job = _only_job(db)
    from openpyxl import load_workbook

    book = load_workbook(
        io.BytesIO(client.get(f"/gestion/descargas/{job.token}/archivo").data), read_only=True
    )
    sheet = book["perfiles"]
    rows = list(sheet.iter_rows(values_only=True))
    organisation = rows[0].index("organisation")
    assert len(rows) == 12 and all(r[organisation].startswith("'=HYPERLINK") for r in rows[1:])
    assert book.sheetnames == ["perfiles", "diccionario"]
    assert ["columna", "descripcion", "codigo", "etiqueta"] == list(
        next(book["diccionario"].iter_rows(values_only=True))
    )
