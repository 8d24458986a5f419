"""One response per person, as far as each rule goes: every response records the rule it passed
(document or device), the results say how many passed each, staff can rank verified responses
alone, and a burst of answers from one device or one address is flagged to staff, without keeping
the address or the device id in the clear."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, inspect, select

from app.consultations.models import ConsultationBurst, ConsultationResponse, ConsultationSource
from app.consultations.rules import ANSWERED_COOKIE
from app.core import time
from tests.conftest import Client
from tests.consultations.conftest import answer, fresh_g
from tests.consultations.test_results import _tables

# A fixed moment a few seconds into a minute: the address window is one minute long.
MOMENT = time.now().replace(second=5, microsecond=0) + timedelta(minutes=1)


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _staff_page(client, c, **args) -> str:
    fresh_g()
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return client.get(f"/gestion/consultas/{c.id}/resultados?{query}").get_data(as_text=True)


def test_a_script_voting_twelve_times_from_one_address_is_flagged_to_staff(
    app, client, db, make_consultation, make_user
):
    """The attack of the report: a script that drops its cookies votes 12 times in seconds. The
    device rule cannot tell these votes apart, so they count, but staff see the burst."""
    c = make_consultation()
    with time.freeze(MOMENT):
        for _ in range(12):
            script = Client(app.test_client())  # no cookies kept between votes
            assert answer(script, c, [3], consent=False).status_code == 302
    assert _count(db, ConsultationResponse) == 12
    [burst] = db.session.scalars(select(ConsultationBurst)).all()
    assert (burst.kind, burst.n, burst.window_minutes) == ("address", 12, 1)
    # No address, no device id, no hash in the flag; the source rows hold a 16-character keyed hash.
    assert {col["name"] for col in inspect(db.engine).get_columns("consultation_burst")} == {
        "id",
        "consultation_id",
        "kind",
        "window_start",
        "window_minutes",
        "n",
    }
    sources = db.session.scalars(select(ConsultationSource)).all()
    assert sources and all(len(s.source) == 16 and "127.0.0.1" not in s.source for s in sources)

    client.login(make_user("steward"))
    html = _staff_page(client, c)
    assert "Ráfagas de respuestas para revisar" in html
    assert "12 respuestas desde una misma dirección de internet" in html
    # Shown in Bogotá time (UTC-5).
    local = MOMENT.replace(second=0) - timedelta(hours=5)
    assert local.strftime("%-I:%M") in html


def test_one_device_answering_again_after_clearing_its_marker_is_flagged(app, client, db, make_consultation):
    c = make_consultation()
    with time.freeze(MOMENT):
        client.get("/")  # the browser gets its signed device cookie
        for _ in range(3):
            client.delete_cookie(ANSWERED_COOKIE)
            assert answer(client, c, [0]).status_code == 302
    kinds = {b.kind: b.n for b in db.session.scalars(select(ConsultationBurst))}
    assert kinds == {"device": 3}  # three from one address is no address burst


def test_a_few_people_on_one_wifi_are_not_flagged(app, db, make_consultation):
    c = make_consultation()
    with time.freeze(MOMENT):
        for _ in range(9):
            person = Client(app.test_client())
            fresh_g()
            person.get("/")
            assert answer(person, c, [1]).status_code == 302
    assert _count(db, ConsultationResponse) == 9 and _count(db, ConsultationBurst) == 0


def test_source_hashes_are_kept_only_about_an_hour(app, client, db, make_consultation, make_user):
    c = make_consultation()
    with time.freeze(MOMENT):
        for _ in range(10):
            assert answer(Client(app.test_client()), c, [2], consent=False).status_code == 302
    assert _count(db, ConsultationSource) >= 1
    client.login(make_user("steward"))
    with time.freeze(MOMENT + timedelta(hours=2)):
        html = _staff_page(client, c)
    assert _count(db, ConsultationSource) == 0
    assert "10 respuestas desde una misma dirección" in html  # the flag stays


def test_each_response_records_its_rule_and_results_count_per_rule(
    app, client, db, make_consultation, make_user, drain
):
    c = make_consultation(rule="device")
    for _ in range(3):
        assert answer(Client(app.test_client()), c, [0]).status_code == 302  # device rule
    c.rule = "document"  # the editor switched to checking documents
    db.session.commit()
    for i in range(2):
        assert (
            answer(
                Client(app.test_client()), c, [4], extra={"doc_type": "CC", "doc_number": str(71_000_000 + i)}
            ).status_code
            == 302
        )
    drain()  # document-checked ballots with a profile are written by the profile buffer
    rules = dict(
        db.session.execute(
            select(ConsultationResponse.rule, func.count()).group_by(ConsultationResponse.rule)
        ).all()
    )
    assert rules == {"device": 3, "document": 2}

    client.login(make_user("steward"))
    rows = _tables(_staff_page(client, c))
    assert ["Con documento de identidad: una por persona (verificadas)", "2"] in rows
    assert ["Desde un navegador: una por navegador (sin verificar identidad)", "3"] in rows
    assert ["Movilidad y andenes", "3"] in rows and ["Seguridad en los barrios", "2"] in rows

    verified = _staff_page(client, c, verificadas=1)
    assert "Respuestas verificadas: 2." in verified and "Mostrando solo respuestas verificadas." in verified
    rows = _tables(verified)
    assert ["Seguridad en los barrios", "2"] in rows and ["Movilidad y andenes", "0"] in rows
    fresh_g()
    export = client.get(f"/gestion/consultas/{c.id}/resultados.csv?verificadas=1").get_data(as_text=True)
    flat = export.replace(",", ";").replace('"', "")  # CSV cells are quoted (QUOTE_NONNUMERIC)
    assert "Solo respuestas verificadas" in flat and "Movilidad y andenes;0" in flat


def test_retally_keeps_the_counts_per_rule(app, client, db, make_consultation):
    from app.consultations import tally

    c = make_consultation()
    for _ in range(2):
        answer(Client(app.test_client()), c, [0])
    before = tally.read(c.id, "territory")
    tally.retally(c.id)
    assert tally.read(c.id, "territory") == before and before[("rule", "device", 0)] == 2
