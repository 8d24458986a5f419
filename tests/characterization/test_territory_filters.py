"""Dashboard territory filters that cannot mislead: a barrio filter that counts the people of the
barrio, whichever citizen flow stored them, and a comuna filter that offers comunas only, then
only the chosen comuna's barrios.

Profiles are stored through the real flows (the attendee's two steps on the phone, anonymous paper
slips typed by staff) and reach the database through the profile buffer (`drain`)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.characterization.models import Profile
from app.core.audit import AuditEntry
from tests.conftest import Client
from tests.events.conftest import answers, attendee, hidden_fields
from tests.events.test_slips import _enter, _slip

URL = "/gestion/caracterizacion/"
BARRIO = "0103"  # Popular, in comuna 01 Popular
OTHER_BARRIO = "0801"  # in comuna 08 Villa Hermosa


def _web_attendee(app, event, n: int, **profile):
    """Attendee n signs on their own phone, then answers the optional second step."""
    phone = Client(app.test_client())
    path = f"/asistencia/{event.token}"
    fields = hidden_fields(phone.get(path).get_data(as_text=True))
    signed = phone.post(path, data={**fields, **attendee(doc=str(71_000_000 + n), name=f"Persona Web {n}")})
    assert signed.status_code == 303, signed.status_code
    step = f"/asistencia/gracias/{event.id}/quien-participa"
    html = phone.get(step).get_data(as_text=True)
    token = re.search(r'name="step"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="step"', html)
    data = {
        "csrf_token": hidden_fields(html)["csrf_token"],
        "step": token.group(1) or token.group(2),
        **answers(**profile),
        "profile-consent": "y",
    }
    sent = phone.post(step, data=data)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:400]


def _options(html: str, name: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select_html)


def test_the_barrio_filter_counts_the_people_every_flow_stored(
    app, client, db, login_as, make_event, drain, make_user
):
    event = make_event()
    # 8 on their phones with comuna and barrio, 3 with the barrio only (no comuna chosen)
    for n in range(8):
        _web_attendee(app, event, n, **{"profile-territory": "01", "profile-subterritory": BARRIO})
    for n in range(8, 11):
        _web_attendee(app, event, n, **{"profile-territory": None, "profile-subterritory": BARRIO})
    # 2 elsewhere, so the barrio is not the whole event
    for n in range(11, 13):
        _web_attendee(app, event, n, **{"profile-territory": "08", "profile-subterritory": OTHER_BARRIO})
    login_as("editor")
    # 5 paper slips with comuna and barrio, 3 with the barrio written but the comuna left blank
    slips = [_slip(territory="01", subterritory=BARRIO) for _ in range(5)]
    slips += [_slip(territory=None, subterritory=BARRIO) for _ in range(3)]
    response, _fields = _enter(client, event, slips, rows=10)
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    drain()
    stored = db.session.scalar(
        select(func.count()).select_from(Profile).where(Profile.subterritory == BARRIO)
    )
    assert stored == 19
    # Both levels agree in every stored profile, whichever flow wrote it.
    assert db.session.scalars(
        select(Profile.territory).where(Profile.subterritory == BARRIO).distinct()
    ).all() == ["01"]

    steward = Client(app.test_client())
    steward.login(make_user("steward"))
    page = steward.get(URL + f"?f_subterritory={BARRIO}").get_data(as_text=True)
    assert "Total: 19 participaciones" in page
    page = steward.get(URL + f"?f_territory=01&f_subterritory={BARRIO}").get_data(as_text=True)
    assert "Total: 19 participaciones" in page
    page = steward.get(URL + "?f_territory=01").get_data(as_text=True)
    assert "Total: 19 participaciones" in page  # nobody of the barrio is lost under its comuna


def test_a_paper_slip_whose_barrio_is_of_another_comuna_is_refused(client, db, login_as, make_event, drain):
    event = make_event()
    login_as("editor")
    response, _fields = _enter(
        client, event, [_slip(territory="01", subterritory=OTHER_BARRIO, organisation="Junta Villa Hermosa")]
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert (
        f"El barrio o vereda {OTHER_BARRIO} no es de la comuna o corregimiento 01 escrito en la ficha" in text
    )
    assert 'value="Junta Villa Hermosa"' in text  # what was typed is kept
    drain()
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 0


def test_the_comuna_filter_offers_comunas_and_then_only_their_barrios(client, login_as, catalogs):
    login_as("analyst")
    html = client.get(URL).get_data(as_text=True)
    comunas = _options(html, "f_territory")
    tops = {t.code for t in catalogs.top_territories(include_inactive=True)}
    assert set(comunas) == tops | {"", "-"}  # no barrio or vereda among the comunas
    barrios = [c for c in _options(html, "f_subterritory") if c not in ("", "-")]
    parents = catalogs.territory_parents()
    assert len(barrios) > 250 and all(c in parents for c in barrios)
    # Without JavaScript: choosing a comuna and sending the filters narrows the barrio list.
    html = client.get(URL + "?f_territory=01").get_data(as_text=True)
    narrowed = [c for c in _options(html, "f_subterritory") if c not in ("", "-")]
    assert narrowed and all(parents[c] == "01" for c in narrowed)
    assert narrowed == [c for c, p in parents.items() if p == "01" and c in narrowed]
    assert 'data-parent="01"' in html and 'data-parent="08"' not in html
    assert "js/territory.js" in html and 'class="territory-moves' in html  # narrowed at once with JavaScript


def test_a_barrio_of_another_comuna_is_explained_not_counted_as_zero(client, login_as, catalogs):
    login_as("analyst")
    response = client.get(URL + f"?f_territory=01&f_subterritory={OTHER_BARRIO}")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ese barrio o vereda no es de la comuna o corregimiento que elegiste" in text
    assert client.get(URL + "?f_territory=0103").status_code == 400  # a barrio is not a comuna


def test_stored_profiles_are_aligned_with_their_barrio_with_a_reason(app, db, catalogs):
    from sqlalchemy import insert

    from app.characterization import commands
    from app.core.db import random_id

    rows = [
        {
            "id": random_id(),
            "capability": "events",
            "object_id": "1",
            "on_date": "2026-03-10",
            "channel": "paper",
            "territory": territory,
            "subterritory": BARRIO,
        }
        for territory in (None, None, "08", "01")
    ]
    from datetime import date

    for row in rows:
        row["on_date"] = date(2026, 3, 10)
    db.session.execute(insert(Profile.__table__), rows)
    db.session.commit()
    assert commands.align_territories("Perfiles de papel sin comuna (issue 15)") == 3
    assert db.session.scalars(select(Profile.territory).distinct()).all() == ["01"]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "characterization_territories_aligned")
    )
    assert entry.details == {"profiles": 3, "reason": "Perfiles de papel sin comuna (issue 15)"}
    assert commands.align_territories("otra vez") == 0
