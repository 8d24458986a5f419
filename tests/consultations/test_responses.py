"""Answering a consultation: the limit on choices, the one-response rules, opening and closing,
consent, proposals and hostile input."""

from sqlalchemy import func, inspect, select

from app.characterization.models import ConsentRecord, Profile
from app.consultations import tally
from app.consultations.models import (
    ConsultationChoice,
    ConsultationProposal,
    ConsultationResponse,
    ConsultationRoll,
    ConsultationTally,
)
from tests.consultations.conftest import answer


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_more_choices_than_allowed_is_explained_and_choices_kept(client, make_consultation, db):
    c = make_consultation(max_choices=2)
    response = answer(client, c, [0, 1, 3], extra={"proposal_title": "Alumbrado en la vereda"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Marcaste 3 temas y puedes elegir hasta 2" in html
    assert 'id="topics-error"' in html and 'aria-describedby="topics-hint topics-error"' in html
    for index in (0, 1, 3):
        assert f'id="topic-{c.topics[index].id}" value="{c.topics[index].id}" checked' in html
    assert 'value="Alumbrado en la vereda"' in html
    assert _count(db, ConsultationResponse) == 0 and _count(db, ConsultationProposal) == 0


def test_nothing_chosen_is_refused(client, make_consultation, db):
    c = make_consultation(allow_proposals=False)
    response = answer(client, c, [])
    assert response.status_code == 422
    assert "Elige al menos un tema." in response.get_data(as_text=True)
    assert _count(db, ConsultationResponse) == 0


def test_topic_not_in_the_list_is_refused(client, make_consultation, db):
    c = make_consultation()
    response = client.submit(f"/consultas/{c.slug}", {"topics": ["99999"], "profile-consent": "y"})
    assert response.status_code == 422 and "Elige temas de la lista." in response.get_data(as_text=True)
    assert _count(db, ConsultationResponse) == 0


def test_response_with_consent_stores_choices_and_unlinked_profile(client, make_consultation, db):
    c = make_consultation()
    response = answer(client, c, [0, 2], profile={"territory": "05", "sex": "2"})
    assert response.status_code == 302 and "/gracias" in response.headers["Location"]
    stored = db.session.scalar(select(ConsultationResponse))
    profile = db.session.get(Profile, stored.profile_id)
    assert profile.territory == "05" and profile.capability == "consultations"
    assert {ch.topic_id for ch in db.session.scalars(select(ConsultationChoice))} == {
        c.topics[0].id,
        c.topics[2].id,
    }
    columns = {col["name"] for col in inspect(db.engine).get_columns("consultation_response")}
    assert columns == {"id", "consultation_id", "profile_id", "on_date", "rule"}  # no time, no identity


def test_without_consent_the_vote_counts_and_nothing_personal_is_kept(client, make_consultation, db):
    c = make_consultation()
    form = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    assert "Si no marcas la autorización, igual contamos los temas" in form
    # Answers given without consent are not dropped silently: the form asks first, input kept...
    asked = answer(client, c, [1], consent=False, profile={"territory": "05", "ethnicity": "1"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 422 and "<title>Error:" in page
    assert "sin marcar la autorización" in page and 'name="profile-discard"' in page
    assert '<option selected value="05">' in page or '<option value="05" selected>' in page
    assert _count(db, ConsultationResponse) == 0
    # ...and "send without them" counts the vote and keeps nothing personal.
    response = answer(
        client, c, [1], consent=False, profile={"territory": "05", "ethnicity": "1", "discard": "y"}
    )
    assert response.status_code == 302
    assert _count(db, Profile) == 0 and _count(db, ConsentRecord) == 0
    assert db.session.scalar(select(ConsultationResponse)).profile_id is None
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no guardamos ninguna respuesta de caracterización" in thanks


def test_device_rule_one_response_per_browser_not_per_ip(app, client, make_consultation, db):
    c = make_consultation(rule="device")
    page = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    assert "Contamos una respuesta por navegador" in page
    token = client.csrf(f"/consultas/{c.slug}")
    assert answer(client, c, [0]).status_code == 302
    again = answer(client, c, [1], extra={"csrf_token": token})
    assert again.status_code == 409 and "ya se respondió esta consulta" in again.get_data(as_text=True)
    assert "Ya respondiste esta consulta desde este navegador" in client.get(f"/consultas/{c.slug}").get_data(
        as_text=True
    )
    # Ten other people behind the same IP address (a school's Wi-Fi) each answer once.
    from tests.conftest import Client

    for _ in range(10):
        assert answer(Client(app.test_client()), c, [2]).status_code == 302
    assert _count(db, ConsultationResponse) == 11


def test_forged_answered_cookie_is_ignored(app, make_consultation, db):
    from tests.conftest import Client

    c = make_consultation(rule="device")
    other = Client(app.test_client())
    other.set_cookie("participa_consultas", f"[{c.id}].forged", domain="localhost")
    assert answer(other, c, [0]).status_code == 302


def test_document_rule_one_response_per_document(app, client, make_consultation, db, drain):
    from tests.conftest import Client

    c = make_consultation(rule="document")
    page = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    assert "te pedimos tu número de documento" in page and 'name="doc_number"' in page
    first = answer(client, c, [0], extra={"doc_type": "CC", "doc_number": "1.036.222.333"})
    assert first.status_code == 302
    # Same document, written differently, from another browser: refused.
    again = answer(Client(app.test_client()), c, [1], extra={"doc_type": "CC", "doc_number": "1036222333"})
    assert again.status_code == 409 and "Ya hay una respuesta con ese documento" in again.get_data(
        as_text=True
    )
    # Another person on the same phone answers with their own document.
    assert answer(client, c, [1], extra={"doc_type": "CC", "doc_number": "43111222"}).status_code == 302
    # With a profile, the ballot waits in the profile buffer (the roll holds an identity): it is
    # written in a shuffled batch, not in the roll's transaction.
    assert _count(db, ConsultationRoll) == 2 and _count(db, ConsultationResponse) == 0
    assert drain() == 2
    assert _count(db, ConsultationResponse) == 2 and _count(db, ConsultationRoll) == 2
    roll_columns = {col["name"] for col in inspect(db.engine).get_columns("consultation_roll")}
    assert roll_columns == {"consultation_id", "doc_hash"}  # no time, no link to the ballot
    assert all("1036222333" not in r.doc_hash for r in db.session.scalars(select(ConsultationRoll)))


def test_document_is_required_under_document_rule(client, make_consultation, db):
    c = make_consultation(rule="document")
    response = answer(client, c, [0], extra={"doc_type": "CC", "doc_number": "<script>"})
    assert response.status_code == 422 and "La cédula de ciudadanía lleva solo números" in response.get_data(
        as_text=True
    )
    assert _count(db, ConsultationResponse) == 0 and _count(db, ConsultationRoll) == 0


def test_before_opening_and_after_closing(client, make_consultation, db):
    upcoming = make_consultation(slug="pronto", state="upcoming")
    page = client.get("/consultas/pronto").get_data(as_text=True)
    assert "todavía no está abierta" in page and 'name="topics"' not in page
    token = client.csrf("/gestion/ingresar")
    assert (
        answer(client, upcoming, [0], url="/consultas/pronto", extra={"csrf_token": token}).status_code == 409
    )

    closed = make_consultation(slug="cerrada", state="closed")
    page = client.get("/consultas/cerrada").get_data(as_text=True)
    assert "ya no recibe respuestas" in page and "Los resultados se publicarán" in page
    assert (
        answer(client, closed, [0], url="/consultas/cerrada", extra={"csrf_token": token}).status_code == 409
    )
    assert _count(db, ConsultationResponse) == 0

    make_consultation(slug="publicada", state="closed", published=True)
    page = client.get("/consultas/publicada").get_data(as_text=True)
    assert "Temas más elegidos" in page and "/consultas/publicada/resultados" in page


def test_draft_consultation_is_not_public(client, make_consultation):
    make_consultation(slug="borrador", is_public=False)
    assert client.get("/consultas/borrador").status_code == 404
    assert "borrador" not in client.get("/consultas/").get_data(as_text=True)


def test_proposal_waits_for_moderation(client, make_consultation, db):
    c = make_consultation()
    response = answer(
        client,
        c,
        [],
        extra={"proposal_title": "Ruido de los bares", "proposal_description": "No dejan dormir."},
    )
    assert response.status_code == 302
    proposal = db.session.scalar(select(ConsultationProposal))
    assert proposal.status == "pending"
    assert "Ruido de los bares" not in client.get(f"/consultas/{c.slug}").get_data(as_text=True)


def test_hostile_input_is_refused_cleanly(client, make_consultation, db):
    c = make_consultation()
    response = answer(client, c, [0], extra={"proposal_title": "<img src=x onerror=alert(1)>"})
    assert response.status_code == 422 and "sin etiquetas HTML" in response.get_data(as_text=True)
    response = answer(client, c, [0], extra={"proposal_description": "x" * 1200, "proposal_title": "Tema"})
    assert response.status_code == 422
    huge = client.submit(f"/consultas/{c.slug}", {"proposal_description": "x" * (3 * 1024 * 1024)})
    assert huge.status_code == 413
    assert client.post(f"/consultas/{c.slug}", data={"topics": "1"}).status_code == 400  # no CSRF token
    assert _count(db, ConsultationResponse) == 0


def test_tallies_match_a_recount_of_the_ballots(app, client, make_consultation, db):
    from tests.conftest import Client

    c = make_consultation()
    answer(client, c, [0, 1], profile={"territory": "05", "sex": "2", "life_course": "JU"})
    answer(Client(app.test_client()), c, [1], profile={"territory": "14"})
    answer(Client(app.test_client()), c, [2], consent=False)
    live = {(t.dimension, t.code, t.topic_id): t.n for t in db.session.scalars(select(ConsultationTally))}
    assert (
        live[("all", "", 0)] == 3
        and live[("profiled", "", 0)] == 2
        and live[("territory", "05", c.topics[0].id)] == 1
    )
    assert tally.retally(c.id) == 3
    rebuilt = {(t.dimension, t.code, t.topic_id): t.n for t in db.session.scalars(select(ConsultationTally))}
    assert rebuilt == live


def test_document_rule_ballots_with_a_profile_count_in_the_tallies_once_drained(
    app, make_consultation, db, drain
):
    """Under the document rule the roll holds an identity: a ballot with a profile is written
    with its profile by the profile buffer (never in the roll's transaction), and its tallies
    match a full recount; a ballot without a profile counts at once."""
    from app.consultations import tally
    from tests.conftest import Client

    c = make_consultation(rule="document")
    for i in range(6):
        response = answer(
            Client(app.test_client()),
            c,
            [0],
            profile={"sex": str(1 + i % 2)},
            extra={"doc_type": "CC", "doc_number": str(43_111_000 + i)},
        )
        assert response.status_code == 302
    assert (
        answer(
            Client(app.test_client()),
            c,
            [1],
            consent=False,
            extra={"doc_type": "CC", "doc_number": "43111999"},
        ).status_code
        == 302
    )
    assert tally.read(c.id, "sex").get(("all", "", 0)) == 1  # only the ballot without a profile so far
    assert drain() == 6
    counts = tally.read(c.id, "sex")
    assert counts[("all", "", 0)] == 7 and counts[("profiled", "", 0)] == 6
    assert counts[("sex", "1", 0)] == 3 and counts[("sex", "2", 0)] == 3
    before = dict(counts)
    assert (
        tally.retally(c.id) == 7 and tally.read(c.id, "sex") == before
    )  # the same as a recount from ballots
    assert _count(db, ConsultationResponse) == 7
