"""Signing in on the attendee's phone: once per form, once per document, consent, window,
rotating tokens, typed code, the after_sign_in hook and the rate limits."""

import re
from datetime import timedelta

from flask import g
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app.characterization import buffer
from app.characterization.models import ConsentRecord, Profile
from app.core import registry, time
from app.events import queries, tokens
from app.events.models import CANCELLED, CLOSED, DRAFT, Attendance, Event
from tests.events.conftest import STEP, answers, attendee, hidden_fields


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_sign_in_records_identity_apart_from_profile_and_thanks(
    client, db, make_event, sign, second_step, drain
):
    event = make_event()
    page, response, _fields = sign(f"/asistencia/{event.token}", attendee(doc="1.036.222.333"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Firma la asistencia" in html
    assert "profile-" not in html and "Etnia" not in html  # the first step asks identity and consent only
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/asistencia/gracias/{event.id}"
    )
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tu asistencia quedó registrada" in thanks and event.title in thanks
    assert "Ayúdanos a saber quién participa — 1 minuto" in thanks
    row = db.session.scalar(select(Attendance))
    assert row.name == "María Restrepo Gómez" and row.doc_number == "1036222333" and row.channel == "web"
    assert row.doc_hash and "1036222333" not in row.doc_hash
    assert db.session.get(ConsentRecord, row.consent_id).capability == "events"
    assert _count(db, Profile) == 0  # nothing about the person but the signature
    step = second_step(event.id)
    assert step.status_code == 303 and step.headers["Location"].endswith(f"/asistencia/gracias/{event.id}")
    assert "Gracias también" in client.get(step.headers["Location"]).get_data(as_text=True)
    assert _count(db, Profile) == 0 and buffer.waiting() == 1  # waits for its batch: not counted yet
    assert drain() == 1 and buffer.waiting() == 0
    profile = db.session.scalar(select(Profile))
    assert (profile.capability, profile.object_id, profile.value_group, profile.territory) == (
        "events",
        str(event.id),
        "JAC",
        "01",
    )
    assert not any(c.name.startswith("profile") for c in Attendance.__table__.columns)
    assert not any("consent" in c.name for c in Profile.__table__.columns)  # a profile holds no consent id


def test_the_second_step_is_optional_and_asked_once(client, db, make_event, sign, second_step, drain):
    event = make_event()
    sign(f"/asistencia/{event.token}", attendee())
    skipped = second_step(event.id, skip=True)
    assert skipped.status_code == 303
    thanks = client.get(skipped.headers["Location"]).get_data(as_text=True)
    assert "quedó registrada" in thanks and "Ayúdanos a saber" not in thanks  # skipped: not offered again
    again = client.get(f"/asistencia/gracias/{event.id}/quien-participa")
    assert again.status_code == 303  # the one-time step is closed
    assert drain() == 0 and _count(db, Profile) == 0
    # Another browser never reaches the step of someone else's signature.
    from tests.conftest import Client

    stranger = Client(client.application.test_client())
    assert stranger.get(f"/asistencia/gracias/{event.id}/quien-participa").status_code == 404


def test_the_second_step_sent_twice_stores_one_profile(client, db, make_event, sign, drain):
    event = make_event()
    sign(f"/asistencia/{event.token}", attendee())
    path = f"/asistencia/gracias/{event.id}/quien-participa"
    html = client.get(path).get_data(as_text=True)
    fields, match = hidden_fields(html), STEP.search(html)
    token = match.group(1) or match.group(2)
    data = {"csrf_token": fields["csrf_token"], "step": token, **answers()}
    assert client.post(path, data=data).status_code == 303
    assert client.post(path, data=data).status_code == 303  # back button and send again
    assert buffer.waiting() == 1 and drain() == 1 and _count(db, Profile) == 1


def test_second_step_errors_are_shown_with_answers_kept(client, db, make_event, sign, second_step):
    event = make_event()
    sign(f"/asistencia/{event.token}", attendee())
    response = second_step(
        event.id,
        {**answers(), "profile-subterritory": "no-existe", "profile-organisation": "JAC Santo Domingo"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<title>Error:" in html.replace("\n", "")
    assert "Elige un barrio o vereda de la lista." in html and 'value="JAC Santo Domingo"' in html
    assert buffer.waiting() == 0


def test_a_minor_without_guardian_keeps_no_sensitive_answers(
    client, db, make_event, sign, second_step, drain
):
    """The legal-representative rule lives in characterisation: the second step of someone who
    signed with a minor's document (tarjeta de identidad) keeps only non-sensitive answers."""
    event = make_event()
    sign(f"/asistencia/{event.token}", attendee(doc_type="TI", doc="1000123456"))
    consent = db.session.scalar(select(ConsentRecord))
    assert consent.minor is True
    response = second_step(
        event.id,
        {"profile-life_course": "AT", "profile-ethnicity": "6", "profile-victim": "1", "profile-sex": "2"},
    )
    assert response.status_code == 303
    assert "representante legal" in client.get(response.headers["Location"]).get_data(as_text=True)
    drain()
    profile = db.session.scalar(select(Profile))
    assert (profile.sex, profile.ethnicity, profile.victim) == ("2", None, None)


def test_a_minor_with_the_guardians_authorisation_keeps_them_with_its_proof(
    client, db, make_event, sign, second_step, drain
):
    event = make_event()
    sign(f"/asistencia/{event.token}", attendee(doc_type="TI", doc="1000123457"))
    response = second_step(
        event.id,
        {
            "profile-life_course": "AD",
            "profile-ethnicity": "6",
            "profile-guardian_name": "Marta Gómez",
            "profile-guardian_consent": "y",
        },
    )
    assert response.status_code == 303
    drain()
    assert db.session.scalar(select(Profile)).ethnicity == "6"
    proof = db.session.scalar(select(ConsentRecord).where(ConsentRecord.guardian_consent.is_(True)))
    assert proof.minor and proof.guardian_name == "Marta Gómez" and proof.capability == "events"


def test_every_answer_of_the_section_reaches_the_profile(client, db, make_event, sign, second_step, drain):
    """The buffer stores profiles with plain INSERTs: multi-choice answers and defaults included."""
    event = make_event()
    _p, response, _f = sign(f"/asistencia/{event.token}", attendee())
    assert response.status_code == 303
    step = second_step(
        event.id,
        {**answers(), "profile-disability": ["02", "01"], "profile-ethnicity": "6", "profile-victim": "1"},
    )
    assert step.status_code == 303 and drain() == 1
    profile = db.session.scalar(select(Profile))
    assert sorted(d.code for d in profile.disabilities) == ["01", "02"] and profile.has_disability is True
    assert (profile.ethnicity, profile.victim, profile.on_date) == (
        "6",
        "1",
        time.to_local(event.starts_at).date(),
    )
    consent = db.session.scalar(select(ConsentRecord))
    assert consent.given_at and consent.minor is False and consent.channel == "web"


def test_double_tap_and_back_button_record_once(client, db, make_event, sign):
    event = make_event()
    path = f"/asistencia/{event.token}"
    _page, first, fields = sign(path, attendee())
    second = client.post(path, data={**fields, **attendee()})  # same form, sent again
    assert first.status_code == second.status_code == 303
    assert "quedó registrada" in client.get(second.headers["Location"]).get_data(as_text=True)
    assert _count(db, Attendance) == 1 and _count(db, Profile) == 0 and _count(db, ConsentRecord) == 1


def test_same_document_again_gets_friendly_refusal(client, db, make_event, sign):
    event = make_event()
    sign(f"/asistencia/{event.token}", attendee(doc="1036222333"))
    _page, again, _f = sign(f"/asistencia/{event.token}", attendee(doc="1 036 222-333", name="Otra Persona"))
    assert again.status_code == 200 and "Ya firmaste" in again.get_data(as_text=True)
    assert _count(db, Attendance) == 1
    # The same document may sign another event.
    other = make_event(title="Escuchadero")
    _page, response, _f = sign(f"/asistencia/{other.token}", attendee(doc="1036222333"))
    assert response.status_code == 303 and _count(db, Attendance) == 2


def test_a_refused_post_answers_the_same_whether_or_not_the_document_signed(client, db, make_event, sign):
    """No membership oracle: without consent (or with any refused input) the answer for a document
    already on the list is the very same as for one that is not; "Ya firmaste" only after a valid,
    consented post."""
    import re

    event = make_event()
    sign(f"/asistencia/{event.token}", attendee(doc="1036222333"))
    variable = re.compile(r'(name="(csrf_token|nonce|ticket)"[^>]*value=")[^"]*')

    def answer(doc, **extra):
        _page, response, _f = sign(
            f"/asistencia/{event.token}", attendee(doc=doc, name="Otra Persona", **extra)
        )
        html = variable.sub(r"\1", response.get_data(as_text=True)).replace(f'value="{doc}"', 'value="DOC"')
        return response.status_code, html

    for extra in ({"consent": None}, {"consent": None, "contact": "x" * 500}, {"doc_type": "XX"}):
        on_list, off_list = answer("1036222333", **extra), answer("79555444", **extra)
        assert on_list == off_list and on_list[0] == 422 and "Ya firmaste" not in on_list[1], extra
    assert _count(db, Attendance) == 1


def test_without_consent_nothing_is_stored_and_paper_is_offered(client, db, make_event, sign):
    event = make_event()
    _page, response, _f = sign(f"/asistencia/{event.token}", attendee(consent=None))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "firma la planilla en papel" in html and 'value="María Restrepo Gómez"' in html
    assert _count(db, Attendance) == _count(db, Profile) == _count(db, ConsentRecord) == 0


def test_bad_and_hostile_input_is_refused_next_to_the_field(client, db, make_event, sign):
    event = make_event()
    _page, response, _f = sign(
        f"/asistencia/{event.token}",
        attendee(
            name="<script>alert(1)</script>",
            doc="12",
            doc_type="XX",
            contact="x" * 500,
            consent="'; DROP TABLE event;--",
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "sin etiquetas HTML" in html and "de 3 a 20 letras o números" in html and "<script>alert" not in html
    )
    assert _count(db, Attendance) == 0


def test_sign_in_without_document_number_only_for_no_id(client, db, make_event, sign):
    event = make_event()
    _p, refused, _f = sign(f"/asistencia/{event.token}", attendee(doc=""))
    assert refused.status_code == 422 and "número de tu documento" in refused.get_data(as_text=True)
    _p, ok, _f = sign(f"/asistencia/{event.token}", attendee(doc="", doc_type="SI"))
    assert ok.status_code == 303 and db.session.scalar(select(Attendance)).doc_hash is None


def test_window_opens_before_start_and_closes_after_end(client, db, make_event, sign):
    event = make_event(starts_in=timedelta(hours=3))  # opens 60 min before start
    path = f"/asistencia/{event.token}"
    html = client.get(path).get_data(as_text=True)
    assert "todavía no abre" in html and "Abre el" in html
    with time.freeze(event.starts_at - timedelta(minutes=59)):
        assert "Firma la asistencia" in client.get(path).get_data(as_text=True)
        _p, ok, fields = sign(path, attendee())
        assert ok.status_code == 303
    with time.freeze(event.ends_at + timedelta(minutes=61)):
        page = client.get(path).get_data(as_text=True)
        assert "ya cerró" in page
        late = client.post(path, data={**fields, "nonce": "otro-envio", **attendee(doc="98765432")})
        assert "ya cerró" in late.get_data(as_text=True)
    assert _count(db, Attendance) == 1


def test_form_opened_in_time_but_sent_after_close_is_not_stored(client, db, make_event):
    event = make_event(starts_in=timedelta(minutes=-120), hours=1)  # ended an hour ago; closes after 60 min
    path = f"/asistencia/{event.token}"
    with time.freeze(event.ends_at + timedelta(minutes=59)):
        fields = hidden_fields(client.get(path).get_data(as_text=True))
    response = client.post(path, data={**fields, **attendee()})
    assert "ya cerró" in response.get_data(as_text=True) and _count(db, Attendance) == 0


def test_cancelled_closed_and_draft_events_take_no_signatures(client, db, make_event):
    assert "fue cancelado" in client.get(
        f"/asistencia/{make_event(status=CANCELLED, cancel_reason='Lluvia').token}"
    ).get_data(as_text=True)
    assert "ya está cerrado" in client.get(f"/asistencia/{make_event(status=CLOSED).token}").get_data(
        as_text=True
    )
    assert client.get(f"/asistencia/{make_event(status=DRAFT).token}").status_code == 404
    assert client.get("/asistencia/no-existe-este-token").status_code == 404


def test_rotating_token_lives_one_minute_plus_grace(client, db, make_event, sign):
    event = make_event()
    t0 = time.now().replace(second=5, microsecond=0)
    with time.freeze(t0):
        token = tokens.rotating_token(event)
        assert queries.resolve_token(token).rotating
    with time.freeze(t0 + timedelta(seconds=60)):  # next minute: the previous token still works
        assert queries.resolve_token(token) is not None
        assert tokens.rotating_token(event) != token
    with time.freeze(t0 + timedelta(seconds=120)):  # two windows later: expired
        assert queries.resolve_token(token) is None
        response = client.get(f"/asistencia/{token}")
        assert response.status_code == 404 and "ya venció" in response.get_data(as_text=True)
    assert queries.resolve_token(f"{event.id}.000000000000") is None


def test_form_opened_from_projected_qr_can_be_sent_minutes_later(client, db, make_event):
    event = make_event()
    t0 = time.now().replace(second=5, microsecond=0)
    with time.freeze(t0):
        path = f"/asistencia/{tokens.rotating_token(event)}"
        fields = hidden_fields(client.get(path).get_data(as_text=True))
    with time.freeze(t0 + timedelta(minutes=6)):
        forged = client.post(path, data={**fields, "ticket": "0" * 32, **attendee(doc="55555555")})
        assert forged.status_code == 404
        ok = client.post(path, data={**fields, **attendee()})
        assert ok.status_code == 303
    assert _count(db, Attendance) == 1


def test_disabling_the_fixed_link_leaves_only_the_projected_qr(client, db, make_event):
    event = make_event(fixed_link_enabled=False)
    assert client.get(f"/asistencia/{event.token}").status_code == 404
    assert client.get(f"/asistencia/codigo?codigo={event.short_code}").status_code == 422
    assert client.get(f"/asistencia/{tokens.rotating_token(event)}").status_code == 200


def test_typed_code_leads_to_the_form_and_is_recorded_as_such(client, db, make_event, sign):
    event = make_event()
    typed = tokens.display_code(event.short_code).lower()
    response = client.get(f"/asistencia/codigo?codigo={typed}")
    assert (
        response.status_code == 302
        and f"/asistencia/{event.token}?via=codigo" in response.headers["Location"]
    )
    _p, signed, _f = sign(f"/asistencia/{event.token}?via=codigo", attendee())
    assert signed.status_code == 303 and db.session.scalar(select(Attendance)).channel == "code"
    wrong = client.get("/asistencia/codigo?codigo=ZZZZ-999")
    assert wrong.status_code == 422 and "No encontramos un evento con ese código" in wrong.get_data(
        as_text=True
    )


def test_after_sign_in_links_reach_the_confirmation_only(client, db, make_event, sign, app):
    event = make_event()
    calls = []

    def hook(event_id, _batch):
        calls.append(event_id)
        return [{"text": "Evalúa el evento en 2 minutos", "url": "/encuestas/responder/abc123"}]

    reg = registry.get(app)
    reg.add_hook("after_sign_in", hook)
    try:
        _p, response, fields = sign(f"/asistencia/{event.token}", attendee())
        thanks = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Evalúa el evento en 2 minutos" in thanks and "/encuestas/responder/abc123" in thanks
        again = client.post(
            f"/asistencia/{event.token}", data={**fields, **attendee()}
        )  # resent: stored once
        assert calls[0] == event.id and _count(db, Attendance) == 1
        assert "/encuestas/responder/abc123" in client.get(again.headers["Location"]).get_data(as_text=True)
    finally:
        reg.hooks["after_sign_in"].remove(hook)


def test_a_failing_hook_leaves_nothing_half_written(client, db, make_event, sign, app):
    event = make_event()

    def broken(_event_id, _batch):
        raise RuntimeError("survey service down")

    reg = registry.get(app)
    reg.add_hook("after_sign_in", broken)
    try:
        _p, response, _f = sign(f"/asistencia/{event.token}", attendee())
    finally:
        reg.hooks["after_sign_in"].remove(broken)
    assert response.status_code == 500
    assert _count(db, Attendance) == _count(db, Profile) == _count(db, ConsentRecord) == 0


def _fresh_g():
    """Tests share one app context (and so `g`) across requests; a server gives each request its own."""
    g.pop("csrf_token", None)
    g.pop("participa_device", None)


def test_three_hundred_people_behind_one_ip_can_all_sign_in(app, db, make_event):
    from tests.conftest import Client

    event = make_event()
    path = f"/asistencia/{event.token}"
    refused = 0
    for i in range(300):
        person = Client(app.test_client())  # one phone each, all from 127.0.0.1
        _fresh_g()
        fields = hidden_fields(person.get(path).get_data(as_text=True))
        _fresh_g()
        response = person.post(
            path, data={**fields, **attendee(doc=str(10_000_000 + i), name=f"Persona {i}")}
        )
        refused += response.status_code != 303
    assert refused == 0 and _count(db, Attendance) == 300


def test_one_device_hammering_one_form_is_limited(client, db, make_event):
    event = make_event()
    path = f"/asistencia/{event.token}"
    fields = hidden_fields(client.get(path).get_data(as_text=True))
    statuses = [
        client.post(path, data={**fields, **attendee(doc=str(20_000_000 + i))}).status_code for i in range(25)
    ]
    assert 429 in statuses and _count(db, Attendance) <= 20


def test_hostile_tokens_nonces_and_queries_are_refused_cleanly(client, db, make_event, sign):
    event = make_event()
    for path in (
        "/asistencia/%00abc",
        "/asistencia/1.%00",
        "/asistencia/" + "a" * 500,
        "/asistencia/1.ñandú",
        "/asistencia/codigo?codigo=%00%27OR",
        "/buscar?q=%00%27%20OR%201=1--",
        "/eventos/?tipo=%00",
    ):
        assert client.get(path).status_code in (200, 404, 422), path
    _p, response, fields = sign(f"/asistencia/{event.token}", attendee(nonce="bad\x00nonce", ticket="\x00ñ"))
    assert response.status_code == 303 and _count(db, Attendance) == 1


def test_shared_blank_form_gives_each_phone_its_own_tokens(app, db, make_event):
    from tests.conftest import Client

    event = make_event()
    path = f"/asistencia/{event.token}"
    seen = []
    for _ in range(2):
        _fresh_g()
        seen.append(hidden_fields(Client(app.test_client()).get(path).get_data(as_text=True)))
    for name in ("csrf_token", "nonce", "ticket"):
        assert seen[0][name] and seen[0][name] != seen[1][name], name
    event.title = "Audiencia con título corregido"
    db.session.commit()
    assert "Audiencia con título corregido" in Client(app.test_client()).get(path).get_data(as_text=True)


def test_a_second_signature_of_the_same_document_is_refused_by_the_database(client, db, make_event, sign):
    """No query looks for an earlier signature first (two phones may send the same document at
    once anyway): the unique constraint refuses the second row, its consent and profile are rolled
    back with it, and the person gets the friendly "already signed" page."""
    event = make_event()
    sign(f"/asistencia/{event.token}", attendee(doc="1036222333"))
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listen)
    try:
        _page, again, _f = sign(f"/asistencia/{event.token}", attendee(doc="1036222333", name="Otra Persona"))
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listen)
    assert again.status_code == 200 and "Ya firmaste" in again.get_data(as_text=True)
    assert _count(db, Attendance) == 1 and _count(db, ConsentRecord) == 1 and _count(db, Profile) == 0
    tried = next(i for i, s in enumerate(statements) if "INSERT INTO event_attendance" in s)
    assert not any(
        "FROM event_attendance" in s for s in statements[:tried]
    )  # no look for an earlier row first


def test_staff_changes_reach_an_open_sign_in_form_at_once(client, db, make_event):
    """The sign-in reads its event from a per-process cache: a change staff commit (here: the
    fixed link disabled, then the event cancelled) applies to the very next submission."""
    event = make_event()
    path = f"/asistencia/{event.token}"
    fields = hidden_fields(client.get(path).get_data(as_text=True))
    event_id = event.id
    event.fixed_link_enabled = False
    db.session.commit()
    db.session.remove()  # the next request starts with its own session, as in production
    assert client.post(path, data={**fields, **attendee()}).status_code == 404
    event = db.session.get(Event, event_id)
    event.fixed_link_enabled, event.status = True, CANCELLED
    db.session.commit()
    db.session.remove()
    refused = client.post(path, data={**fields, **attendee()})
    assert "fue cancelado" in refused.get_data(as_text=True) and _count(db, Attendance) == 0


def test_an_attendee_who_answered_at_sign_in_is_not_asked_again_by_the_event_survey(
    client, db, make_event, sign, second_step
):
    """The event's survey asks the characterisation only of browsers that did not answer it in
    the sign-in's second step; its one-time link is signed, not stored with the signature."""
    from app.surveys import commands as surveys
    from app.surveys.models import SurveyToken

    event = make_event()
    survey = surveys.create_survey(
        surveys.SurveySettings(
            title="Evaluación",
            opens_at=time.now() - timedelta(days=1),
            event_id=event.id,
            profile_variables=["life_course", "sex"],
        ),
        actor="test",
    )
    surveys.add_question(survey, surveys.QuestionData(survey.sections[0].id, "rating", "¿Qué tan clara fue?"))
    surveys.set_published(survey, True, actor="test")
    _p, signed, _f = sign(f"/asistencia/{event.token}", attendee())
    thanks = client.get(signed.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="/encuestas/([^"]+\?t=[^"]+)"', thanks).group(1).replace("&amp;", "&")
    assert _count(db, SurveyToken) == 0  # nothing of the right to answer is written with the signature
    assert "¿Quién participa?" in client.get(f"/encuestas/{link}").get_data(as_text=True)
    second_step(event.id)
    page = client.get(f"/encuestas/{link}").get_data(as_text=True)
    assert "¿Qué tan clara fue?" in page and "¿Quién participa?" not in page
    from tests.conftest import Client

    other = Client(client.application.test_client())  # another browser with the same link is asked
    assert "¿Quién participa?" in other.get(f"/encuestas/{link}").get_data(as_text=True)
