"""Paper follows the storage rule: the printed attendance list carries identity and consent only,
the characterisation goes on separate anonymous slips (several per page, nothing that ties a slip
to a list row), and staff type the slips in on their own screen. Typed in, slips reach the
database only through the profile buffer (channel "paper", no identity), so a whole database
pairs no paper identity with a paper profile better than chance."""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from app.characterization import buffer, dashboard, queries
from app.characterization.disclosure import Viewer
from app.characterization.forms import QUESTIONS
from app.characterization.models import ConsentRecord, Profile
from app.core.audit import AuditEntry
from app.events import queries as events
from app.events.forms import SHEET_COLUMNS, SLIP_QUESTIONS, ProfileStepForm, SignInForm
from app.events.models import CLOSED, Attendance
from tests.characterization.test_unlinkable import K, _attacks, _bound, _identities, _profiles, _tag
from tests.conftest import Client
from tests.events.conftest import hidden_fields

SENSITIVE_WORDS = (
    "etnia",
    "étnic",
    "discapacidad",
    "víctima",
    "indígena",
    "afro",
    "rango de edad",
    "sexo",
    "barrio",
    "vereda",
    "comuna",
    "grupo de valor",
    "organización",
    "juventud",
)


def _pdf_text(pdf: bytes, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode()


def _slips_page(client, event, rows: int = 5):
    path = f"/gestion/eventos/{event.id}/fichas?filas={rows}"
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return path, hidden_fields(page.get_data(as_text=True))


def _slip_data(slips: list[dict]) -> dict:
    data = {}
    for n, slip in enumerate(slips):
        data.update({f"slips-{n}-{key}": value for key, value in slip.items() if value is not None})
    return data


def _enter(client, event, slips: list[dict], rows: int | None = None):
    path, fields = _slips_page(client, event, rows or max(len(slips), 1))
    return client.post(path, data={**fields, **_slip_data(slips)}), fields


def _slip(**answers) -> dict:
    data = {
        "life_course": "AT",
        "sex": "2",
        "territory": "01",
        "zone": "1",
        "value_group": "JAC",
        "consent": "y",
    }
    data.update(answers)
    return data


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# ---------------------------------------------------------------------------- what is printed


def test_the_printed_list_carries_identity_and_consent_only(app, client, login_as, make_event):
    event = make_event()
    login_as("editor")
    response = client.get(f"/gestion/eventos/{event.id}/planilla.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.data, "-raw")
    squeezed = "".join(text.split())
    for _key, label in SHEET_COLUMNS:
        assert "".join(str(label).split()) in squeezed, label
    lowered = text.lower()
    found = [word for word in SENSITIVE_WORDS if word in lowered]
    assert not found, found
    with app.test_request_context():
        questions = [str(QUESTIONS[key]) for key, _label in SLIP_QUESTIONS]
        section = ProfileStepForm(meta={"csrf": False}).profile.form
        options = [
            str(label)
            for key, _l in SLIP_QUESTIONS
            if key in section._fields and hasattr(section[key], "choices")
            for code, label in (section[key].choices or [])
            if code and len(str(label)) > 4
        ]
    assert not [q for q in questions if "".join(q.split()) in squeezed]  # no characterisation question
    assert not [o for o in options if "".join(o.split()) in squeezed]  # and none of its answers
    assert "CC = Cédula de ciudadanía" in text and "ficha anónima aparte" in text


def test_the_list_asks_what_the_first_step_asks_and_the_slip_what_the_second_step_asks(app):
    with app.test_request_context():
        first = {
            n for n in SignInForm(meta={"csrf": False})._fields if n not in ("csrf_token", "nonce", "ticket")
        }
        step = ProfileStepForm(meta={"csrf": False}).profile.form
        second = {
            n
            for n in step._fields
            if n not in ("guardian_name", "guardian_consent", "consent", "discard", "refine")
        }
    assert first == {key for key, _label in SHEET_COLUMNS if key != "signature"}
    assert second == {key for key, _label in SLIP_QUESTIONS}


def test_the_slips_print_the_forms_questions_and_codes_and_nothing_that_ties_them_to_a_list_row(
    app, client, login_as, make_event
):
    event = make_event(title="Escuchadero del barrio Popular")
    login_as("editor")
    response = client.get(f"/gestion/eventos/{event.id}/fichas.pdf?hojas=3")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    raw = _pdf_text(response.data, "-raw")
    pages = raw.split("\f")
    slip_pages = [p for p in pages if "Ficha anónima" in p]
    assert (
        len(slip_pages) == 3 and len(set(slip_pages)) == 1
    )  # every page the same: no serial, no page number
    assert slip_pages[0].count("Ficha anónima: ¿quién participa?") == 2  # two to a page
    assert slip_pages[0].count("Corta por la línea") == 1
    slip = slip_pages[0]
    squeezed = "".join(slip.split())
    with app.test_request_context():
        section = ProfileStepForm(meta={"csrf": False}).profile.form
        for key, _label in SLIP_QUESTIONS:
            question = str(QUESTIONS[key]).split("?")[0]
            assert "".join(question.split()) in squeezed, key
        for code, label in section.life_course.choices:  # the citizen form's labels, with the ages
            if code:
                assert "".join(f"{code} {label}".split()) in squeezed, label
    assert "Escuchadero del barrio Popular" in slip and "JACOrganizacióncomunal" in squeezed
    for field_of_a_list in (
        "Nombre completo",
        "Número de documento",
        "Tipo de documento",
        "Firma",
        "N.º",
        "Hoja N",
        "Página",
        "Fila",
    ):
        assert field_of_a_list not in slip, field_of_a_list
    assert not re.search(r"(?m)^\s*\d{1,3}\s*$", slip)  # no bare number on a line of its own (a row number)
    assert "No escribas tu nombre, tu documento ni tu firma" in slip and "Autorizo" in slip


def test_the_slips_pdf_prints_barrio_codes_per_comuna_the_events_first(app, client, login_as, make_event):
    from app.catalogs import queries as catalog_services

    event = make_event(territory="03")
    login_as("editor")
    raw = _pdf_text(client.get(f"/gestion/eventos/{event.id}/fichas.pdf?hojas=1").data, "-raw")
    squeezed = "".join(raw.split())
    with app.test_request_context():
        tree = catalog_services.subterritory_tree()
    groups = [(code, name, kids) for code, (name, kids) in tree.items() if kids]
    assert len(groups) > 1
    positions = {}
    for code, name, kids in groups:
        positions[code] = squeezed.find("".join(f"Barrios o veredas de {code} – {name}".split()))
        assert positions[code] >= 0, name
        assert (
            squeezed.find("".join(f"{kids[0][0]} = {kids[0][1]}".split()), positions[code]) > positions[code]
        )
    assert positions["03"] == min(positions.values())


# ---------------------------------------------------------------------------- typing them in


def test_paper_entry_of_the_list_stores_identity_and_consent_and_no_answers(
    client, db, login_as, make_event, drain
):
    event = make_event()
    login_as("editor")
    path = f"/gestion/eventos/{event.id}/papel"
    page = client.get(path).get_data(as_text=True)
    assert (
        'name="ethnicity"' not in page and 'name="life_course"' not in page and "Digitalizar fichas" in page
    )
    fields = hidden_fields(page)
    # even a hand-made post with characterisation fields stores none of them
    response = client.post(
        path,
        data={
            **fields,
            "name": "Rosa Palacios",
            "doc_type": "CC",
            "doc_number": "32555666",
            "consent": "y",
            "ethnicity": "1",
            "victim": "1",
            "life_course": "VE",
        },
    )
    assert response.status_code == 303
    row = db.session.scalar(select(Attendance))
    assert row.name == "Rosa Palacios" and db.session.get(ConsentRecord, row.consent_id).channel == "paper"
    assert buffer.waiting() == 0 and drain() == 0 and _count(db, Profile) == 0


def test_slips_one_at_a_time_and_several_per_page_reach_the_dashboard_once_the_buffer_drains(
    client, db, login_as, make_event, make_user, drain
):
    event = make_event()
    login_as("editor")
    one, _f = _enter(
        client, event, [_slip(ethnicity="5", disability="1 03", victim="1", subterritory="0101")], rows=1
    )
    assert one.status_code == 303 and "filas=1" in one.headers["Location"]
    several, _f = _enter(
        client,
        event,
        [_slip(sex="1"), {}, _slip(life_course="ju", zone="2"), _slip(), _slip(), _slip(), {}],
        rows=10,
    )
    assert several.status_code == 303
    assert _count(db, Profile) == 0  # waiting in the buffer, not in the transaction of the page
    viewer = Viewer(exact=True, k=5)
    filters = queries.Filters(capability="events", object_id=str(event.id))
    with client.application.test_request_context():
        before = next(t for t in dashboard.summary(filters, viewer) if t.variable == "channel")
    assert before.total == 0
    assert drain() == 6
    profiles = list(db.session.scalars(select(Profile)))
    assert {(p.capability, p.object_id, p.channel) for p in profiles} == {("events", str(event.id), "paper")}
    first = next(p for p in profiles if p.ethnicity == "5")
    assert (
        first.victim == "1"
        and sorted(d.code for d in first.disabilities) == ["01", "03"]
        and first.has_disability
    )
    assert (first.territory, first.subterritory) == ("01", "0101")
    assert sorted(p.life_course for p in profiles) == ["AT"] * 5 + ["JU"]
    with client.application.test_request_context():
        after = next(t for t in dashboard.summary(filters, viewer) if t.variable == "channel")
    assert after.total == 6 and {r["code"]: r["value"] for r in after.rows}["paper"] == 6
    steward = Client(client.application.test_client())
    steward.login(make_user("steward", email="custodia@fichas.gov.co"))
    page = steward.get(f"/gestion/caracterizacion/?objeto=events:{event.id}")
    assert page.status_code == 200 and "Formato en papel" in page.get_data(as_text=True)
    entries = list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "event_slips_entered").order_by(AuditEntry.id)
        )
    )
    assert [e.details["slips"] for e in entries] == [1, 5] and all(
        e.target == f"event:{event.id}" for e in entries
    )
    assert all(set(e.details) == {"slips", "page"} for e in entries)  # how many, not what
    assert not {"JAC", "0101", "01 03", "AT"} & {str(v) for e in entries for v in e.details.values()}
    assert "Fichas digitadas para este evento: 6." in client.get(
        f"/gestion/eventos/{event.id}/fichas"
    ).get_data(as_text=True)


def test_a_page_of_slips_sent_twice_is_stored_once(client, db, login_as, make_event, drain):
    event = make_event()
    login_as("editor")
    first, fields = _enter(client, event, [_slip(), _slip(sex="1")])
    again = client.post(
        f"/gestion/eventos/{event.id}/fichas?filas=2", data={**fields, **_slip_data([_slip(), _slip()])}
    )
    assert first.status_code == again.status_code == 303
    assert "ya estaba guardada" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert drain() == 2 and events.slips_entered(event.id) == 2


def test_errors_are_specific_next_to_their_slip_and_keep_what_was_typed(
    client, db, login_as, make_event, drain
):
    event = make_event()
    login_as("editor")
    response, _f = _enter(
        client,
        event,
        [
            _slip(ethnicity="7", organisation="Junta del barrio"),
            _slip(territory="02", subterritory="0101"),
            _slip(consent=None),
            _slip(disability="01 77"),
            _slip(subterritory="9999"),
        ],
        rows=5,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ficha 1, Etnia: Escribe uno de los códigos impresos en la ficha: 1, 2, 3, 4, 5, 6, 9." in html
    assert "El barrio o vereda 0101 no es de la comuna o corregimiento 02 escrito en la ficha" in html
    assert "Esta ficha no tiene marcada la autorización" in html
    assert "Escribe uno o varios códigos de la ficha, separados por espacios" in html
    assert "Ese código no está en la hoja de códigos de barrios y veredas" in html
    assert 'value="Junta del barrio"' in html and 'value="01 77"' in html and 'value="9999"' in html
    assert 'aria-invalid="true"' in html and html.count('id="slips-0-ethnicity-error"') == 1
    empty, _f = _enter(client, event, [{}, {}], rows=5)
    assert empty.status_code == 422 and "No digitaste ninguna ficha" in empty.get_data(as_text=True)
    hostile, _f = _enter(client, event, [_slip(sex="\x00<script>", organisation="<b>x</b>")])
    assert hostile.status_code == 422
    assert drain() == 0 and events.slips_entered(event.id) == 0


def test_a_minors_slip_keeps_no_sensitive_answers(client, db, login_as, make_event, drain):
    event = make_event()
    login_as("editor")
    response, _f = _enter(
        client, event, [_slip(life_course="AD", ethnicity="1", victim="1", disability="01")]
    )
    assert response.status_code == 303
    assert "no se guardaron etnia, discapacidad ni víctima" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    drain()
    profile = db.session.scalar(select(Profile))
    assert profile.life_course == "AD" and profile.ethnicity is None and profile.victim is None
    assert not profile.disabilities


def test_only_those_who_may_digitise_the_event_type_or_print_slips(
    client, db, login_as, make_event, make_user, drain
):
    event = make_event(offices=("DAP",))
    paths = (f"/gestion/eventos/{event.id}/fichas", f"/gestion/eventos/{event.id}/fichas.pdf")
    for role, kwargs in (("analyst", {}), ("steward", {}), ("editor", {"offices": ("SGEN",)})):
        other = Client(client.application.test_client())
        other.login(make_user(role, email=f"{role}@fichas.gov.co", **kwargs))
        for path in paths:
            assert other.get(path).status_code == 403, (role, path)
        posted = other.post(paths[0], data={"csrf_token": other.csrf("/gestion/"), **_slip_data([_slip()])})
        assert posted.status_code in (400, 403), role
    for role in ("admin", "editor"):
        allowed = Client(client.application.test_client())
        allowed.login(
            make_user(
                role, email=f"{role}2@fichas.gov.co", **({"offices": ("DAP",)} if role == "editor" else {})
            )
        )
        assert all(allowed.get(path).status_code == 200 for path in paths), role
    login_as("editor", email="editor3@fichas.gov.co")
    event.status = CLOSED
    db.session.commit()
    response, _f = _enter(client, event, [_slip()])
    assert response.status_code == 302
    assert "solo se digitan mientras el evento está publicado" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert drain() == 0 and events.slips_entered(event.id) == 0


# ---------------------------------------------------------------------------- the attack


def _served(response):
    response.close()  # as a server does once the response is sent: runs the after-request buffer check
    return response


@pytest.mark.physical_order
def test_a_list_then_its_slips_cannot_be_paired_better_than_chance(
    app, db, catalogs, make_event, make_user, drain
):
    """The worst case for the paper route: staff type the list and the slips interleaved, each
    slip right after its own list row, in the list's order, and the buffer checks after every
    request. Every join the database offers (xmin, ctid, ids, scan order, shared columns, day)
    pairs no identity with its profile better than chance among k."""
    people = 60
    event = make_event()
    staff = Client(app.test_client())
    staff.login(make_user("editor", email="digitador@fichas.gov.co"))
    list_path, slips_path = (
        f"/gestion/eventos/{event.id}/papel",
        f"/gestion/eventos/{event.id}/fichas?filas=1",
    )
    for i in range(people):
        fields = hidden_fields(_served(staff.get(list_path)).get_data(as_text=True))
        buffer.reset_check_clock()
        row = _served(
            staff.post(
                list_path,
                data={
                    **fields,
                    "name": f"Persona {i}",
                    "doc_type": "CC",
                    "doc_number": str(70_000_000 + i),
                    "consent": "y",
                },
            )
        )
        assert row.status_code == 303
        fields = hidden_fields(_served(staff.get(slips_path)).get_data(as_text=True))
        buffer.reset_check_clock()
        slip = _slip(
            ethnicity=str(1 + i % 6),
            victim=str(1 + i % 3),
            zone=str(1 + i % 2),
            life_course=("JU", "AT", "VE")[i % 3],
            organisation=_tag("e", i),
        )
        assert _served(staff.post(slips_path, data={**fields, **_slip_data([slip])})).status_code == 303
    drain()
    assert buffer.waiting() == 0
    assert _count(db, Attendance) == people and _count(db, Profile) == people  # nothing lost or doubled

    profiles = _profiles(db)
    attendance = _identities(db, lambda value: value if not hasattr(value, "date") else value.date())
    for a in attendance:
        a["day"] = profiles[0]["on_date"]  # the event's day, what a profile carries: the strongest guess
    if db.engine.dialect.name == "postgresql":
        sizes = defaultdict(int)
        for p in profiles:
            sizes[p["xmin"]] += 1
        assert min(sizes.values()) >= K and len(sizes) > 1, sorted(sizes.values())
    scores = _attacks(db, attendance, profiles, "event_attendance")
    best = max(scores, key=scores.get)
    assert scores[best] <= _bound(people), (best, scores)
