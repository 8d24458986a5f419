"""Depositing a question on the web: radicado, receipt, consent rules and bad input."""

import re
from datetime import timedelta

from sqlalchemy import func, inspect, select

from app.ballot import commands, queries, rules
from app.ballot.models import BallotCounter, BallotNotice, BallotQuestion
from app.characterization.models import ConsentRecord, Profile
from app.core import time

from .conftest import TEXT, form_data

RADICADO = re.compile(r"UV-\d{4}-\d{6}")


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_anonymous_deposit_without_consent_gives_radicado_and_code_and_keeps_no_profile(client, db, catalogs):
    asked = client.submit("/urna/", form_data(**{"profile-life_course": "AT", "profile-sex": "2"}))
    assert asked.status_code == 422 and "sin marcar la autorización" in asked.get_data(as_text=True)
    assert _count(db, BallotQuestion) == 0  # asked first, nothing dropped silently
    response = client.submit(
        "/urna/", form_data(**{"profile-life_course": "AT", "profile-sex": "2", "profile-discard": "y"})
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/urna/radicado")
    page = client.get("/urna/radicado").get_data(as_text=True)
    year = time.local_now().year
    assert f"UV-{year}-000001" in page
    assert "Guarda este código ahora" in page
    assert "No guardamos tus respuestas de caracterización" in page
    q = db.session.scalar(select(BallotQuestion))
    assert q.anonymous and q.name is None and q.email is None and q.consent_id is None
    assert q.due_on == time.add_business_days(q.filed_on, 15) and q.status == "received"
    assert _count(db, Profile) == 0 and _count(db, ConsentRecord) == 0
    code = re.search(r'<p class="code">([A-Z0-9\-]+)</p>', page).group(1)
    assert q.code_hash != code and code.replace("-", "") not in q.code_hash
    assert queries.lookup(q.radicado, code) is not None


def test_an_anonymous_depositor_who_reloads_the_receipt_still_sees_the_code_until_saved_or_30_minutes(
    client, catalogs
):
    client.submit("/urna/", form_data())
    first = client.get("/urna/radicado")
    code = re.search(r'<p class="code">([A-Z0-9\-]+)</p>', first.get_data(as_text=True)).group(1)
    assert first.headers["Cache-Control"] == "no-store"
    again = client.get("/urna/radicado")  # reload: the code is still there
    assert again.status_code == 200 and code in again.get_data(as_text=True)
    with time.freeze(time.now() + timedelta(minutes=31)):
        gone = client.get("/urna/radicado")
    assert gone.status_code == 302 and gone.headers["Location"].endswith("/urna/seguimiento")
    client.submit("/urna/", form_data())
    assert client.get("/urna/radicado").status_code == 200
    forget = client.post("/urna/radicado/olvidar", data={"csrf_token": client.csrf("/urna/radicado")})
    assert forget.status_code == 302 and client.get("/urna/radicado").status_code == 302


def test_the_same_form_posted_twice_files_one_radicado_with_the_same_code(client, db, catalogs):
    page = client.get("/urna/").get_data(as_text=True)
    nonce = re.search(r'name="nonce"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="nonce"', page
    )
    data = {**form_data(), "nonce": nonce.group(1), "csrf_token": client.csrf("/urna/")}
    first = client.post("/urna/", data=data)
    code = re.search(
        r'<p class="code">([A-Z0-9\-]+)</p>', client.get("/urna/radicado").get_data(as_text=True)
    ).group(1)
    from tests.conftest import Client

    other = Client(client.application.test_client())  # a retry whose first response never arrived
    second = other.post("/urna/", data={**data, "csrf_token": other.csrf("/urna/")})
    assert first.status_code == second.status_code == 302
    assert _count(db, BallotQuestion) == 1 and _count(db, BallotCounter) == 1
    assert code in other.get("/urna/radicado").get_data(as_text=True)
    q = db.session.scalar(select(BallotQuestion))
    assert (
        queries.lookup(q.radicado, code) is not None and q.nonce_hash and nonce.group(1) not in q.nonce_hash
    )
    client.submit("/urna/", form_data())  # a new form: a new radicado
    assert _count(db, BallotQuestion) == 2


def test_the_receipt_can_be_saved_as_pdf_and_printed_with_a_warning_before_leaving(client, db, catalogs):
    import subprocess

    client.submit("/urna/", form_data())
    html = client.get("/urna/radicado").get_data(as_text=True)
    code = re.search(r'<p class="code">([A-Z0-9\-]+)</p>', html).group(1)
    assert "data-keep-warning" in html and "js/ballot.js" in html and "data-print" in html
    pdf = client.get("/urna/radicado.pdf")
    assert (
        pdf.status_code == 200
        and pdf.mimetype == "application/pdf"
        and pdf.headers["Cache-Control"] == "no-store"
    )
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.data, check=True, capture_output=True
    ).stdout.decode()
    q = db.session.scalar(select(BallotQuestion))
    assert q.radicado in text and code in text and "hora de Colombia" in text


def test_named_deposit_needs_consent_and_stores_nothing_without_it(client, db, catalogs):
    response = client.submit("/urna/", form_data(identity="named", name="Ana Pérez", email="ana@example.org"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "necesitamos tu autorización" in html
    assert 'value="Ana Pérez"' in html  # the person's input is kept
    assert _count(db, BallotQuestion) == 0 and _count(db, BallotCounter) == 0


def test_named_deposit_with_consent_links_consent_not_profile_and_queues_notice(client, db, catalogs, drain):
    response = client.submit(
        "/urna/",
        form_data(
            identity="named",
            name="Ana Pérez",
            email="Ana@Example.org",
            **{"profile-consent": "y", "profile-ethnicity": "5"},
        ),
    )
    assert response.status_code == 302
    q = db.session.scalar(select(BallotQuestion))
    assert q.name == "Ana Pérez" and q.email == "ana@example.org" and q.consent_id is not None
    assert _count(db, Profile) == 0  # never in the question's transaction: it waits in the profile buffer
    assert drain() == 1 and _count(db, Profile) == 1
    columns = {c["name"] for c in inspect(db.engine).get_columns("ballot_question")}
    assert not any("profile" in c for c in columns)
    notice = db.session.scalar(select(BallotNotice))
    assert (
        notice.kind == "received" and notice.to_address == "ana@example.org" and q.radicado in notice.subject
    )


def test_named_needs_a_contact(client, catalogs):
    response = client.submit(
        "/urna/", form_data(identity="named", name="Ana Pérez", **{"profile-consent": "y"})
    )
    assert response.status_code == 422
    assert "Escribe un correo o un teléfono" in response.get_data(as_text=True)


def test_anonymous_deposit_discards_contact_fields(client, db, catalogs):
    client.submit(
        "/urna/",
        form_data(name="Ana", email="ana@example.org", phone="3001234567", **{"profile-consent": "y"}),
    )
    q = db.session.scalar(select(BallotQuestion))
    assert q.anonymous and q.name is None and q.email is None and q.phone is None


def test_text_limits_and_hostile_input(client, db, catalogs, login_as):
    short = client.submit("/urna/", form_data(text="muy corto"))
    assert short.status_code == 422 and "Escribe entre 20 y 4000 caracteres" in short.get_data(as_text=True)
    long = client.submit("/urna/", form_data(text="a" * 4001))
    assert long.status_code == 422
    bad_kind = client.submit("/urna/", form_data(kind="'; DROP TABLE ballot_question;--"))
    assert bad_kind.status_code == 422
    bad_phone = client.submit(
        "/urna/", form_data(identity="named", name="Ana", phone="llámame", **{"profile-consent": "y"})
    )
    assert bad_phone.status_code == 422 and "7 a 15 dígitos" in bad_phone.get_data(as_text=True)
    assert _count(db, BallotQuestion) == 0
    huge = client.submit("/urna/", form_data(text="x" * (3 * 1024 * 1024)))
    assert huge.status_code == 413
    ok = client.submit(
        "/urna/", form_data(text="<script>alert(1)</script>\x00\u202e pregunta válida y larga")
    )
    assert ok.status_code == 302
    q = db.session.scalar(select(BallotQuestion))
    assert "\x00" not in q.text and "\u202e" not in q.text
    login_as("admin")
    page = client.get(f"/gestion/urna/{q.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_failed_deposit_gives_its_number_back(app, db, catalogs, file_question):
    with app.test_request_context():
        try:
            commands.deposit(
                commands.Deposit(
                    kind="question", text=TEXT, anonymous=False, name="X", email="x@example.org"
                ),
                None,
            )
        except commands.DepositError:
            pass
        else:
            raise AssertionError("a named deposit without consent must be refused")
    assert _count(db, BallotQuestion) == 0
    assert file_question().question.number == 1


def test_kinds_map_to_legal_terms_from_catalog(file_question):
    days = {kind: file_question(kind=kind).question for kind in rules.KINDS}
    assert {k: q.term_days for k, q in days.items()} == {
        "question": 15,
        "proposal": 15,
        "complaint": 15,
        "information": 10,
        "consultation": 30,
        "data_consultation": 10,
        "data_claim": 15,
    }  # Ley 1581, arts. 14 y 15
    assert (
        days["information"].term_code == "DOCUMENTOS_INFORMACION"
        and days["consultation"].term_code == "CONSULTA"
    )


def test_deposit_form_links_event_when_events_exist(app, client, catalogs):
    from app.core import registry

    reg = registry.get(app)
    reg.add_hook("event_options", lambda: [(7, "Audiencia pública 2026")])
    try:
        html = client.get("/urna/?evento=7").get_data(as_text=True)
        assert 'value="7" selected' in html or 'selected value="7"' in html
        client.submit("/urna/", form_data(event="7"), form_url="/urna/")
    finally:
        reg.hooks["event_options"].pop()
    from app.extensions import db

    assert db.session.scalar(select(BallotQuestion)).event_id == 7
