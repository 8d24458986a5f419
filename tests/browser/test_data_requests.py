"""Browser: the rights page and request form on a phone, the steward's lookup and the retention
settings page on a desktop, axe-core on every page."""

import secrets
from datetime import datetime, timedelta

import pytest

pytestmark = pytest.mark.browser


def test_rights_page_and_request_on_a_phone(phone, catalogs):
    phone.visit("/privacidad")
    phone.click("a[href='/urna/datos-personales']")
    phone.wait_for_url("**/urna/datos-personales")
    phone.check()
    phone.click("button[type=submit]:has-text('Radicar mi solicitud')")
    phone.wait_for_load_state()
    phone.check()
    assert phone.is_visible("#error-summary")
    phone.click("label[for=kind-1]")
    phone.click("label[for=rights-2]")  # delete
    phone.fill("#name", "Luz Marina Gómez")
    phone.select_option("#doc_type", "CC")
    phone.fill("#doc_number", "1036222333")
    phone.fill("#email", "luz@example.co")
    phone.click("button[type=submit]:has-text('Radicar mi solicitud')")
    phone.wait_for_url("**/urna/radicado")
    phone.check()
    body = phone.inner_text("main")
    assert "Reclamo sobre tus datos personales" in body and "15 días hábiles" in body
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_steward_lookup_and_settings_pass_axe(desktop, make_user, catalogs, db):
    from app.ballot.habeas import commands
    from app.core.hashing import document_hash
    from app.events.models import Attendance, Event
    from tests.browser.conftest import staff_login
    from tests.conftest import PASSWORD

    start = datetime(2026, 2, 10, 14)
    event = Event(
        kind="AUD",
        title="Audiencia de rendición de cuentas",
        status="closed",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        token=secrets.token_urlsafe(12),
        secret=secrets.token_urlsafe(24),
        short_code=secrets.token_hex(4),
    )
    db.session.add(event)
    db.session.flush()
    db.session.add(
        Attendance(
            event_id=event.id,
            nonce="n1",
            name="Luz Marina Gómez",
            doc_type="CC",
            doc_number="1036222333",
            doc_hash=document_hash(f"event:{event.id}", "CC", "1036222333"),
            signed_at=start,
        )
    )
    db.session.commit()
    from flask import current_app

    with current_app.test_request_context():
        q = commands.file_request(
            commands.Filing(
                kind="data_claim",
                rights=("delete",),
                name="Luz Marina Gómez",
                doc_type="CC",
                doc_number="1036222333",
                email="luz@example.co",
                phone="",
                details="",
            )
        ).question
    steward = make_user("steward")
    staff_login(desktop, steward.email, PASSWORD)
    desktop.visit("/gestion/urna/datos-personales/")
    desktop.visit(f"/gestion/urna/datos-personales/{q.id}")
    desktop.select_option("#doc_type", "CC")
    desktop.fill("#doc_number", "1036222333")
    desktop.click("button:has-text('Buscar los datos de la persona')")
    desktop.wait_for_load_state()
    desktop.check()
    assert "Audiencia de rendición de cuentas" in desktop.inner_text("main")
    desktop.click("label[for=records-0]")
    desktop.fill("#reason", "Reclamo de supresión de la titular.")
    desktop.click("button:has-text('Borrar los registros elegidos')")
    desktop.wait_for_load_state()
    desktop.check()
    assert "Borramos 1 registro de la persona" in desktop.inner_text("main")
    desktop.visit("/gestion/datos-personales/conservacion")
    desktop.fill("#ballot_contact", "5")
    desktop.click("button:has-text('Guardar plazos')")
    desktop.wait_for_load_state()
    desktop.check()
    assert desktop.is_visible("#error-summary")
