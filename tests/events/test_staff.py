"""Staff: creating and managing events by office, the life cycle, role rules on the attendance
list, the live count, paper entry and projection."""

from datetime import timedelta

from sqlalchemy import func, select

from app.characterization.models import ConsentRecord, Profile
from app.core import time
from app.events import commands, queries, tokens
from app.events.models import CLOSED, DRAFT, PUBLISHED, Attendance, Event
from tests.events.conftest import attendee, hidden_fields


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _event_form(**overrides):
    day = (time.local_now() + timedelta(days=5)).date()
    data = {
        "title": "Escuchadero de la comuna 3",
        "kind": "ESC",
        "description": "Escuchamos a la comunidad.",
        "day": day.isoformat(),
        "start": "17:00",
        "end": "19:00",
        "place": "Sede comunal Manrique",
        "territory": "03",
        "offices": ["DAP"],
        "targets": ["CIU", "JAC"],
        "objective": "Escuchar",
        "methodology": "Mesas",
        "agenda": "17:00 Saludo\n17:15 Mesas",
        "topics": "Movilidad",
        "expected_attendance": "80",
        "logistics": "Sonido",
        "channels": ["web", "leaders"],
        "channels_other": "Perifoneo",
        "opens_before_min": "45",
        "closes_after_min": "30",
        "fixed_link_enabled": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_editor_creates_a_draft_with_every_planning_field(client, db, login_as):
    login_as("editor", offices=("DAP",))
    response = client.submit("/gestion/eventos/nuevo", _event_form())
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.status == DRAFT and event.office_codes == ["DAP"] and event.target_codes == ["CIU", "JAC"]
    assert (event.objective, event.methodology, event.topics, event.expected_attendance) == (
        "Escuchar",
        "Mesas",
        "Movilidad",
        80,
    )
    assert event.channels == ["web", "leaders"] and event.channels_other == "Perifoneo"
    assert time.to_local(event.starts_at).hour == 17 and event.ends_at - event.starts_at == timedelta(hours=2)
    assert (event.opens_before_min, event.closes_after_min) == (45, 30)
    assert len(event.token) >= 20 and len(event.short_code) == tokens.CODE_LENGTH
    assert client.get(f"/eventos/{event.id}").status_code == 404  # drafts are not public


def test_event_form_errors_keep_the_input(client, db, login_as):
    login_as("editor")
    response = client.submit(
        "/gestion/eventos/nuevo",
        _event_form(title="<b>x</b>", end="16:00", kind="", expected_attendance="-3"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "posterior a la de inicio" in html
        and "Elige el tipo de evento" in html
        and "sin etiquetas HTML" in html
    )
    assert "Sede comunal Manrique" in html and _count(db, Event) == 0


def test_editors_only_manage_events_of_their_offices(client, db, login_as, make_event):
    mine, theirs = make_event(offices=("DAP",)), make_event(offices=("SGEN",))
    login_as("editor", offices=("DAP",))
    assert client.get(f"/gestion/eventos/{mine.id}/editar").status_code == 200
    for path in ("editar", "cartel.pdf", "qr.png", "papel", "proyeccion", "cerrar"):
        assert client.get(f"/gestion/eventos/{theirs.id}/{path}").status_code == 403, path
    refused = client.submit("/gestion/eventos/nuevo", _event_form(offices=["SGEN"]))
    assert refused.status_code == 422 and _count(db, Event) == 2
    assert "SGEN" not in client.get("/gestion/eventos/nuevo").get_data(
        as_text=True
    )  # only their offices offered


def test_analysts_see_events_but_cannot_change_them(client, login_as, make_event):
    event = make_event()
    login_as("analyst")
    assert client.get(f"/gestion/eventos/{event.id}").status_code == 200
    assert client.get("/gestion/eventos/nuevo").status_code == 403
    assert client.get(f"/gestion/eventos/{event.id}/cartel.pdf").status_code == 403


def test_publish_cancel_and_close_life_cycle(client, db, login_as, make_event, sign):
    draft = make_event(status=DRAFT)
    login_as("editor")
    client.submit(f"/gestion/eventos/{draft.id}/publicar", {}, form_url=f"/gestion/eventos/{draft.id}")
    assert db.session.get(Event, draft.id).status == PUBLISHED
    assert client.get(f"/eventos/{draft.id}").status_code == 200
    response = client.submit(f"/gestion/eventos/{draft.id}/cancelar", {"reason": "Alerta por lluvias"})
    assert response.status_code == 302 and db.session.get(Event, draft.id).status == "cancelled"
    assert "Alerta por lluvias" in client.get(f"/eventos/{draft.id}").get_data(as_text=True)

    held = make_event(starts_in=timedelta(minutes=-30))
    client.post("/gestion/salir", data={"csrf_token": client.csrf("/gestion/")})
    sign(f"/asistencia/{held.token}", attendee())
    login_as("editor", email="otro.editor@prueba.gov.co")
    form = client.get(f"/gestion/eventos/{held.id}/cerrar").get_data(as_text=True)
    assert 'value="1"' in form  # the total starts at the signatures recorded
    client.submit(
        f"/gestion/eventos/{held.id}/cerrar",
        {
            "attendance_total": "34",
            "summary": "Se presentaron avances.",
            "commitments": "Publicar la memoria",
        },
    )
    held = db.session.get(Event, held.id)
    assert (held.status, held.attendance_total, held.commitments) == (CLOSED, 34, "Publicar la memoria")
    page = client.get(f"/eventos/{held.id}").get_data(as_text=True)
    assert "Asistieron 34 personas" in page and "Publicar la memoria" in page
    assert "ya está cerrado" in client.get(f"/asistencia/{held.token}").get_data(as_text=True)


def test_closing_without_the_commitments_field_closes_with_none(client, db, login_as, make_event):
    """A scripted post that leaves the optional field out entirely is not a 500."""
    event = make_event(starts_in=timedelta(minutes=-30))
    login_as("editor")
    response = client.submit(
        f"/gestion/eventos/{event.id}/cerrar",
        {"attendance_total": "12", "summary": "Avances."},
        form_url=f"/gestion/eventos/{event.id}/cerrar",
    )
    assert response.status_code in (302, 303)
    event = db.session.get(Event, event.id)
    assert (event.status, event.commitments) == (CLOSED, "")


def test_an_event_cannot_close_before_it_starts(client, db, login_as, make_event):
    event = make_event(starts_in=timedelta(days=2))
    login_as("editor")
    client.submit(f"/gestion/eventos/{event.id}/cerrar", {"attendance_total": "0", "summary": "x"})
    assert db.session.get(Event, event.id).status == PUBLISHED


def test_attendance_list_by_role(client, db, make_event, sign, login_as):
    event = make_event()
    sign(f"/asistencia/{event.token}", attendee(name="Ana Mejía", doc="43111222"))
    login_as("steward")
    html = client.get(f"/gestion/eventos/{event.id}/asistencia").get_data(as_text=True)
    assert "Ana Mejía" in html and "43111222" in html
    client.post("/gestion/salir", data={"csrf_token": client.csrf("/gestion/")})
    login_as("editor")
    html = client.get(f"/gestion/eventos/{event.id}/asistencia").get_data(as_text=True)
    assert "Ana Mejía" in html and "43111222" not in html
    client.post("/gestion/salir", data={"csrf_token": client.csrf("/gestion/")})
    login_as("analyst")
    html = client.get(f"/gestion/eventos/{event.id}/asistencia").get_data(as_text=True)
    assert "Ana Mejía" not in html and "43111222" not in html and "solo las cifras" in html


def test_live_count_refreshes_with_and_without_javascript(client, make_event, sign, login_as):
    event = make_event()
    login_as("analyst")
    empty = client.get(f"/gestion/eventos/{event.id}/conteo.json").get_json()
    assert empty["total"] == 0 and empty["total_word"] == "firmas"
    page = client.get(f"/gestion/eventos/{event.id}/en-vivo").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "Actualizar ahora" in page and "js/events.js" in page
    client.post("/gestion/salir", data={"csrf_token": client.csrf("/gestion/")})
    sign(f"/asistencia/{event.token}", attendee())
    login_as("analyst", email="analista2@prueba.gov.co")
    data = client.get(f"/gestion/eventos/{event.id}/conteo.json").get_json()
    assert data["total"] == 1 and data["channels"] == {"web": 1} and data["state"] == "open"
    assert data["total_word"] == "firma"  # the script writes "1 firma", not "1 firmas"


def _paper(client, event, **row):
    path = f"/gestion/eventos/{event.id}/papel"
    fields = hidden_fields(client.get(path).get_data(as_text=True))
    data = {"name": "Rosa Palacios", "doc_type": "CC", "doc_number": "32555666", "consent": "y"}
    data.update(row)
    return client.post(path, data={**fields, **{k: v for k, v in data.items() if v is not None}}), fields


def test_paper_entry_records_rows_flags_duplicates_and_counts_unconsented(
    client, db, login_as, make_event, sign, second_step, drain
):
    event = make_event()
    sign(f"/asistencia/{event.token}", attendee(doc="43111222"))
    second_step(event.id)
    login_as("editor")
    first, fields = _paper(client, event)
    assert first.status_code == 303
    row = db.session.scalar(select(Attendance).where(Attendance.channel == "paper"))
    assert row.name == "Rosa Palacios" and db.session.get(ConsentRecord, row.consent_id).channel == "paper"
    drain()
    assert db.session.scalar(select(Profile).where(Profile.channel == "paper")) is None  # none on the list
    again = client.post(
        f"/gestion/eventos/{event.id}/papel",
        data={**fields, "name": "Rosa Palacios", "doc_type": "CC", "doc_number": "32555666", "consent": "y"},
    )
    assert again.status_code == 303  # Enter pressed twice: still one row
    duplicate, _f = _paper(client, event, name="Alguien más", doc_number="43.111.222")
    assert duplicate.status_code == 409 and "ya está en el listado" in duplicate.get_data(as_text=True)
    anonymous, _f = _paper(client, event, name="Sin autorizar", consent=None, doc_number="99887766")
    assert anonymous.status_code == 303
    rows = list(
        db.session.scalars(select(Attendance).where(Attendance.channel == "paper").order_by(Attendance.id))
    )
    assert len(rows) == 2 and rows[1].name == "" and rows[1].doc_number == "" and rows[1].consent_id is None
    assert (
        rows[1].doc_hash and "99887766" not in rows[1].doc_hash
    )  # only the keyed hash, to refuse a second count
    drain()
    assert _count(db, Profile) == 1  # the web second step only: paper answers come on the anonymous slips
    assert queries.count(event.id) == 3


def test_paper_entry_of_a_minors_document_records_the_consent_as_a_minors(
    client, db, login_as, make_event, drain
):
    """A minor's sensitive answers on paper: tests/events/test_slips.py (the slips carry them)."""
    event = make_event()
    login_as("editor")
    _paper(client, event, doc_type="TI", doc_number="1001002003")
    row = db.session.scalar(select(Attendance))
    assert db.session.get(ConsentRecord, row.consent_id).minor is True
    assert drain() == 0 and _count(db, Profile) == 0


def test_projection_shows_a_rotating_qr_that_resolves(client, login_as, make_event):
    event = make_event(fixed_link_enabled=False)
    login_as("editor")
    page = client.get(f"/gestion/eventos/{event.id}/proyeccion").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "proyeccion.svg" in page and "js/events.js" in page
    data = client.get(f"/gestion/eventos/{event.id}/proyeccion.json").get_json()
    token = data["url"].rsplit("/", 1)[1]
    assert data["count"] == 0 and data["count_word"] == "firmas"
    assert queries.resolve_token(token).event.id == event.id
    assert client.get(data["qr"]).mimetype == "image/svg+xml"


def test_fixed_link_toggle_and_renewal(client, db, login_as, make_event):
    event = make_event()
    old_token = event.token
    login_as("editor")
    client.submit(
        f"/gestion/eventos/{event.id}/enlace", {"activar": "0"}, form_url=f"/gestion/eventos/{event.id}"
    )
    assert client.get(f"/asistencia/{old_token}").status_code == 404
    client.submit(
        f"/gestion/eventos/{event.id}/enlace", {"activar": "1"}, form_url=f"/gestion/eventos/{event.id}"
    )
    assert client.get(f"/asistencia/{old_token}").status_code == 200
    client.submit(f"/gestion/eventos/{event.id}/renovar-enlace", {}, form_url=f"/gestion/eventos/{event.id}")
    new_token = db.session.get(Event, event.id).token
    assert new_token != old_token and client.get(f"/asistencia/{old_token}").status_code == 404
    assert client.get(f"/asistencia/{new_token}").status_code == 200


def test_event_page_links_the_characterisation_dashboard_filtered_to_it(client, app, login_as, make_event):
    event = make_event()
    login_as("analyst")
    html = client.get(f"/gestion/eventos/{event.id}").get_data(as_text=True)
    if "characterization.dashboard_view" in app.view_functions:
        assert (
            f"capacidad=events&amp;objeto=events:{event.id}" in html or f"objeto=events%3A{event.id}" in html
        )
    else:  # the dashboard is not installed: no dead link
        assert "Caracterización de los asistentes" not in html


def test_paper_row_typed_twice_at_once_is_stored_once(client, db, login_as, make_event, monkeypatch, drain):
    """The same sheet row sent twice at once (same nonce): the unique constraint keeps one row."""
    event = make_event()
    login_as("editor")
    first, fields = _paper(client, event)
    real, calls = commands._existing, []

    def first_check_misses(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(commands, "_existing", first_check_misses)
    again = client.post(
        f"/gestion/eventos/{event.id}/papel",
        data={**fields, "name": "Rosa Palacios", "doc_type": "CC", "doc_number": "32555666", "consent": "y"},
    )
    assert first.status_code == again.status_code == 303 and len(calls) == 2
    drain()
    assert _count(db, Attendance) == 1 and _count(db, ConsentRecord) == 1 and _count(db, Profile) == 0


def test_english_title_and_description_written_by_staff_show_on_the_english_site(client, db, login_as):
    login_as("editor", offices=("DAP",))
    response = client.submit(
        "/gestion/eventos/nuevo",
        _event_form(title_en="Listening session, comuna 3", description_en="We listen to the community."),
    )
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert (event.title_en, event.description_en) == (
        "Listening session, comuna 3",
        "We listen to the community.",
    )
    event.status = "published"  # publishing is another test's business
    db.session.commit()
    client.get("/?lang=en")
    page = client.get(f"/eventos/{event.id}").get_data(as_text=True)
    assert "<h1>Listening session, comuna 3</h1>" in page and "We listen to the community." in page
    assert "Escuchadero de la comuna 3" not in page.split("<main", 1)[1]
    client.get("/?lang=es")
    page = client.get(f"/eventos/{event.id}").get_data(as_text=True)
    assert "<h1>Escuchadero de la comuna 3</h1>" in page and "Listening session" not in page
