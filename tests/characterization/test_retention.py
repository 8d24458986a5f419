"""Retention periods and the purge (app/core/retention.py and each capability's retention.py).

At a frozen clock the purge deletes or anonymises exactly the records whose period ended, and
nothing else; it writes one audit entry per run with the counts per kind; it is all or nothing
(a failure in the middle leaves every table as it was); the entity's periods are stored and used.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.ballot.habeas.models import BallotDataRequest
from app.ballot.models import BallotNotice, BallotQuestion
from app.characterization.models import ConsentRecord
from app.consultations.models import Consultation, ConsultationRoll
from app.core import registry, retention, time
from app.core.audit import AuditEntry
from app.core.hashing import document_hash
from app.events.models import Attendance, Event
from app.surveys.models import Survey, SurveyToken

NOW = datetime(2026, 6, 15, 15, 0)  # naive UTC: 10:00 in Bogotá


def _event(db, title: str, ends: datetime) -> Event:
    event = Event(
        kind="AUD",
        title=title,
        status="closed",
        starts_at=ends - timedelta(hours=2),
        ends_at=ends,
        token=secrets.token_urlsafe(12),
        secret=secrets.token_urlsafe(24),
        short_code=secrets.token_hex(4),
        territory="01",
    )
    db.session.add(event)
    db.session.flush()
    return event


def _consent(db, given: datetime) -> ConsentRecord:
    consent = ConsentRecord(policy_version="2026-01", channel="web", capability="events", given_at=given)
    db.session.add(consent)
    db.session.flush()
    return consent


def _attend(db, event: Event, name: str, number: str, consent=None, contact="300 111 2233") -> Attendance:
    row = Attendance(
        event_id=event.id,
        nonce=secrets.token_hex(8),
        name=name,
        doc_type="CC" if number else "",
        doc_number=number,
        doc_hash=document_hash(f"event:{event.id}", "CC", number) if number else None,
        contact=contact if number else "",
        consent_id=consent.id if consent else None,
        signed_at=event.starts_at,
    )
    db.session.add(row)
    db.session.flush()
    return row


_numbers = iter(range(1, 10_000))


def _question(
    db,
    *,
    name="Ana Pérez",
    email="ana@example.co",
    status="answered",
    answered=None,
    filed=date(2025, 3, 3),
    kind="question",
) -> BallotQuestion:
    n = next(_numbers)
    q = BallotQuestion(
        year=filed.year,
        number=n,
        radicado=f"UV-{filed.year}-{n:06d}",
        filed_on=filed,
        received_at=datetime.combine(filed, datetime.min.time()) + timedelta(hours=15),
        code_hash="x" * 64,
        kind=kind,
        term_code="PETICION_GENERAL",
        term_days=15,
        initial_due_on=filed + timedelta(days=21),
        due_on=filed + timedelta(days=21),
        text="¿Cuándo arreglan el alumbrado del parque?",
        anonymous=name is None,
        name=name,
        email=email,
        phone="3001234567" if name else None,
        status=status,
        answered_at=answered,
    )
    db.session.add(q)
    db.session.flush()
    db.session.add(
        BallotNotice(
            question_id=q.id,
            kind="received",
            to_address=email or "",
            subject="s",
            body="b",
            sent_at=q.received_at,
        )
    )
    return q


def _user(db, email, role, last_login, created=datetime(2020, 1, 1)):
    user = User(
        email=email,
        name=email,
        password_hash="x",
        role=role,
        active=True,
        created_at=created,
        last_login_at=last_login,
    )
    db.session.add(user)
    db.session.flush()
    return user


@pytest.fixture
def world(db, catalogs):
    """One record on each side of every cutoff (default periods, clock at NOW)."""
    w = {}
    old_event = _event(db, "Audiencia 2024", datetime(2024, 6, 1, 22))  # ended > 2 years before NOW
    edge_event = _event(db, "Audiencia junio 2024", datetime(2024, 6, 16, 22))  # 729 days: still kept
    recent_event = _event(db, "Audiencia 2025", datetime(2025, 6, 1, 22))
    old_consent = _consent(db, datetime(2023, 1, 10))  # > 3 years, but points from an old attendance
    kept_consent = _consent(db, datetime(2024, 5, 1))  # < 3 years: kept even once unreferenced
    orphan_consent = _consent(db, datetime(2022, 5, 1))  # > 3 years, nothing points to it
    recent_consent = _consent(db, datetime(2025, 6, 1))
    w["old_rows"] = [
        _attend(db, old_event, "Luz Marina Gómez", "43111222", old_consent),
        _attend(db, old_event, "Carlos Ruiz", "71222333", kept_consent),
        _attend(db, old_event, "", ""),
    ]  # a paper row without identity: only counts
    w["edge_row"] = _attend(db, edge_event, "Pedro Edge", "98555666")
    w["recent_row"] = _attend(db, recent_event, "Rosa Reciente", "43999888", recent_consent)
    w["events"] = (old_event, edge_event, recent_event)
    w["consents"] = (old_consent, kept_consent, orphan_consent, recent_consent)

    w["q_old"] = _question(db, answered=datetime(2025, 5, 1, 15))  # answered > 1 year ago
    w["q_recent"] = _question(db, name="Beto", email="beto@example.co", answered=datetime(2026, 1, 5, 15))
    w["q_open"] = _question(
        db, name="Carla", email="carla@example.co", status="in_progress", filed=date(2024, 1, 10)
    )  # never answered: keeps the contact
    db.session.add(
        BallotDataRequest(question_id=w["q_old"].id, rights=["know"], doc_type="CC", doc_hash="h" * 64)
    )

    closed = Survey(slug="cerrada", title="Encuesta cerrada", closes_at=datetime(2026, 3, 1))
    still_open = Survey(slug="abierta", title="Encuesta abierta")
    db.session.add_all([closed, still_open])
    db.session.flush()
    db.session.add_all(
        [
            SurveyToken(token_hash="a" * 64, survey_id=closed.id),
            SurveyToken(token_hash="b" * 64, survey_id=closed.id, used_on=date(2026, 2, 1)),
            SurveyToken(token_hash="c" * 64, survey_id=still_open.id),
            SurveyToken(token_hash="d" * 64, survey_id=still_open.id, used_on=date(2026, 6, 1)),
            SurveyToken(token_hash="e" * 64, survey_id=still_open.id, used_on=date(2026, 1, 2)),
        ]
    )
    w["surveys"] = (closed, still_open)

    old_c = Consultation(
        slug="c2025",
        title="Consulta 2025",
        opens_at=datetime(2025, 1, 1),
        closes_at=datetime(2025, 3, 1),
        rule="document",
    )
    open_c = Consultation(
        slug="c2026",
        title="Consulta 2026",
        opens_at=datetime(2026, 6, 1),
        closes_at=datetime(2026, 7, 1),
        rule="document",
    )
    db.session.add_all([old_c, open_c])
    db.session.flush()
    db.session.add_all(
        [
            ConsultationRoll(consultation_id=old_c.id, doc_hash="1" * 64),
            ConsultationRoll(consultation_id=open_c.id, doc_hash="2" * 64),
        ]
    )

    w["idle"] = _user(db, "idle@entidad.gov.co", "editor", datetime(2025, 1, 2))
    w["never"] = _user(db, "never@entidad.gov.co", "analyst", None, created=datetime(2025, 2, 1))
    w["active"] = _user(db, "active@entidad.gov.co", "editor", datetime(2026, 6, 1))
    w["admin"] = _user(db, "admin@entidad.gov.co", "admin", datetime(2024, 1, 1))  # the only admin, idle

    db.session.add_all(
        [
            AuditEntry(action="login", at=datetime(2021, 6, 1), actor="a"),  # > 5 years
            AuditEntry(action="login", at=datetime(2021, 7, 1), actor="b"),
        ]
    )
    db.session.commit()
    return w


def _snapshot(db) -> dict:
    """Everything the purge may touch, as plain values."""
    return {
        "attendance": sorted(
            db.session.execute(
                select(
                    Attendance.id,
                    Attendance.name,
                    Attendance.doc_type,
                    Attendance.doc_number,
                    Attendance.doc_hash,
                    Attendance.contact,
                    Attendance.consent_id,
                )
            )
            .tuples()
            .all()
        ),
        "questions": sorted(
            db.session.execute(
                select(
                    BallotQuestion.id,
                    BallotQuestion.name,
                    BallotQuestion.email,
                    BallotQuestion.phone,
                    BallotQuestion.anonymous,
                )
            )
            .tuples()
            .all()
        ),
        "notices": db.session.scalar(select(func.count()).select_from(BallotNotice)),
        "requests": sorted(
            db.session.execute(select(BallotDataRequest.question_id, BallotDataRequest.doc_hash))
            .tuples()
            .all()
        ),
        "tokens": sorted(db.session.scalars(select(SurveyToken.token_hash)).all()),
        "roll": sorted(db.session.scalars(select(ConsultationRoll.doc_hash)).all()),
        "consents": sorted(db.session.scalars(select(ConsentRecord.id)).all()),
        "users": sorted(db.session.execute(select(User.email, User.active)).tuples().all()),
        "audit": sorted(db.session.execute(select(AuditEntry.action, AuditEntry.at)).tuples().all()),
    }


def _purges(db) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "retention_purge")))


def test_purge_removes_exactly_what_is_due_and_writes_one_audit_entry(db, world):
    with time.freeze(NOW):
        summary = retention.run_purge()
    db.session.expire_all()

    # Attendance: the old event's list keeps its three rows (the count is exact) without identity.
    old_event, edge_event, recent_event = world["events"]
    rows = db.session.scalars(select(Attendance).where(Attendance.event_id == old_event.id)).all()
    assert len(rows) == 3
    assert all(
        (r.name, r.doc_type, r.doc_number, r.doc_hash, r.contact, r.consent_id)
        == ("", "", "", None, "", None)
        for r in rows
    )
    # The two erased rows say so; the paper row that never had an authorisation still says that.
    assert sorted(r.identity_erased for r in rows) == [False, True, True]
    for kept in (world["edge_row"], world["recent_row"]):
        row = db.session.get(Attendance, kept.id)
        assert row.name and row.doc_number and row.doc_hash and row.contact

    # Ballot: the question answered more than a year ago loses its contact and notices, keeps its text.
    q_old = db.session.get(BallotQuestion, world["q_old"].id)
    assert (q_old.name, q_old.email, q_old.phone, q_old.anonymous) == (None, None, None, True)
    assert q_old.text and q_old.radicado
    assert (
        db.session.scalar(
            select(func.count()).select_from(BallotNotice).where(BallotNotice.question_id == q_old.id)
        )
        == 0
    )
    assert db.session.get(BallotDataRequest, q_old.id).doc_hash is None
    assert db.session.get(BallotQuestion, world["q_recent"].id).email == "beto@example.co"
    assert db.session.get(BallotQuestion, world["q_open"].id).email == "carla@example.co"

    # Survey tokens: the closed survey's and the long-used one go; a usable one stays.
    assert sorted(db.session.scalars(select(SurveyToken.token_hash)).all()) == ["c" * 64, "d" * 64]
    # Consultation register: only the closed consultation's.
    assert db.session.scalars(select(ConsultationRoll.doc_hash)).all() == ["2" * 64]
    # Consent proofs: the orphan and the old one freed by the anonymised attendance go.
    old_consent, kept_consent, orphan_consent, recent_consent = world["consents"]
    assert sorted(db.session.scalars(select(ConsentRecord.id)).all()) == sorted(
        [kept_consent.id, recent_consent.id]
    )
    # Staff: idle accounts deactivated, the only admin kept active.
    active = dict(db.session.execute(select(User.email, User.active)).tuples().all())
    assert active == {
        "idle@entidad.gov.co": False,
        "never@entidad.gov.co": False,
        "active@entidad.gov.co": True,
        "admin@entidad.gov.co": True,
    }
    # Audit log: the entry older than 5 years goes.
    assert db.session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "login")).all() == ["b"]

    assert summary.counts == {
        "attendance_identity": 2,
        "ballot_contact": 1,
        "consultation_roll": 1,
        "survey_token": 3,
        "consent_proof": 2,
        "staff_account": 2,
        "audit_log": 1,
    }
    entries = _purges(db)
    assert len(entries) == 1
    assert entries[0].details["counts"] == summary.counts
    assert entries[0].details["days"]["attendance_identity"] == 730
    assert entries[0].at == NOW

    # A second run finds nothing more and says so in its own single entry.
    with time.freeze(NOW + timedelta(minutes=5)):
        again = retention.run_purge()
    assert again.total == 0
    assert len(_purges(db)) == 2


@pytest.mark.parametrize("order", [15, 99])
def test_a_purge_that_fails_midway_leaves_nothing_half_done(db, world, app, order):
    before = _snapshot(db)

    def boom(cutoff, now):
        raise RuntimeError("disk full")

    reg = registry.get(app)
    rule = retention.RetentionRule(
        kind="boom", label=lambda: "boom", description=lambda: "", default_days=30, purge=boom, order=order
    )
    reg.retention.append(rule)
    try:
        with time.freeze(NOW), pytest.raises(RuntimeError):
            retention.run_purge()
    finally:
        reg.retention.remove(rule)
    db.session.expire_all()
    assert _snapshot(db) == before
    assert _purges(db) == []


def test_dry_run_counts_and_changes_nothing(db, world):
    before = _snapshot(db)
    with time.freeze(NOW):
        summary = retention.run_purge(dry_run=True)
    db.session.expire_all()
    assert summary.counts["attendance_identity"] == 2 and summary.dry_run
    assert _snapshot(db) == before


def test_the_entitys_periods_are_stored_checked_and_applied(db, world, make_user):
    steward = make_user("steward")
    with pytest.raises(retention.SettingsError) as error:
        retention.set_periods({"attendance_identity": 10, "ballot_contact": 400}, steward)
    assert set(error.value.errors) == {"attendance_identity"}
    assert db.session.scalar(select(func.count()).select_from(retention.RetentionSetting)) == 0

    changes = retention.set_periods({"attendance_identity": 3650, "ballot_contact": 365}, steward)
    assert changes == {"attendance_identity": (730, 3650)}
    assert retention.periods()["attendance_identity"] == 3650
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retention_changed"))
    assert (
        entry.details == {"attendance_identity": {"from": 730, "to": 3650}} and entry.actor == steward.email
    )

    with time.freeze(NOW):
        summary = retention.run_purge()
    assert summary.counts["attendance_identity"] == 0
    assert db.session.get(Attendance, world["old_rows"][0].id).name == "Luz Marina Gómez"


def test_purge_command(app, db, world):
    with time.freeze(NOW):
        result = app.test_cli_runner().invoke(args=["participa", "purge"])
    assert result.exit_code == 0, result.output
    assert "attendance_identity: 2 (period 730 days)" in result.output
    assert "purged: 12 records" in result.output
    assert len(_purges(db)) == 1


@pytest.mark.parametrize("role", ["editor", "analyst"])
def test_settings_page_is_refused_to_other_roles(client, login_as, role):
    login_as(role)
    assert client.get("/gestion/datos-personales/conservacion").status_code == 403


def test_settings_page_for_the_steward(client, login_as, db):
    login_as("steward")
    page = client.get("/gestion/datos-personales/conservacion")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Identidad en los listados de asistencia" in html and 'value="730"' in html
    data = {rule.kind: str(rule.default_days) for rule in retention.rules()}
    bad = client.submit("/gestion/datos-personales/conservacion", {**data, "ballot_contact": "5"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Escribe un número de días entre 30 y 36500." in text and 'value="5"' in text
    assert retention.periods()["ballot_contact"] == 365
    ok = client.submit("/gestion/datos-personales/conservacion", {**data, "ballot_contact": "400"})
    assert ok.status_code == 302
    assert retention.periods()["ballot_contact"] == 400


def test_the_attendance_list_tells_erased_identities_from_unauthorised_ones(client, login_as, db, world):
    with time.freeze(NOW):
        retention.run_purge()
    login_as("steward")
    old_event = world["events"][0]
    html = client.get(f"/gestion/eventos/{old_event.id}/asistencia").get_data(as_text=True)
    assert html.count("(datos personales borrados: solo se cuenta)") == 2
    assert html.count("(sin autorización de datos: solo se cuenta)") == 1
    assert "Luz Marina" not in html and "43111222" not in html
