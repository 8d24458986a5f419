"""Territory in two moves: the comuna or corregimiento first, then only its barrios or veredas,
without JavaScript (the "Ver solo los barrios…" button sends the form back narrowed, stores
nothing and keeps what was typed), with a "No sé" way out and a check that the pair matches."""

import re

from sqlalchemy import func, select

from app.catalogs import queries as catalog_services
from app.characterization.models import Profile
from app.consultations.models import ConsultationResponse
from tests.characterization.test_section import _form
from tests.consultations.conftest import answer


def _two_comunas(app):
    with app.test_request_context():
        tree = catalog_services.subterritory_tree()
    with_kids = [(code, kids) for code, (_name, kids) in tree.items() if len(kids) >= 2]
    return with_kids[0], with_kids[1]


def _options(html: str) -> list[str]:
    select_html = re.search(r'<select id="profile-subterritory".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select_html)


def test_the_list_narrows_to_the_chosen_comuna_without_javascript(app, client, make_consultation, db):
    (comuna, kids), (other, other_kids) = _two_comunas(app)
    c = make_consultation()
    first = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    every = _options(first)
    assert every[0] == "" and "No sé o no está en la lista" in first  # the way out comes first
    assert {k for k, _n in kids} | {k for k, _n in other_kids} <= set(every)
    assert 'name="profile-refine"' in first
    assert 'src="/static/js/territory.js?v=' in first  # content-hashed static URL

    # Second move: the button sends the form back; nothing is stored, nothing typed is lost.
    again = answer(
        client,
        c,
        [1],
        profile={"territory": comuna, "sex": "2", "refine": "y"},
        extra={"proposal_title": "Parques para el barrio"},
    )
    html = again.get_data(as_text=True)
    assert _options(html) == [""] + [k for k, _n in kids]
    assert "<title>Error:" not in html and 'id="error-summary"' not in html
    assert 'value="Parques para el barrio"' in html
    assert re.search(rf'<option (selected )?value="{comuna}"( selected)?>', html)
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 0
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 0

    # The pair is sent: stored as chosen.
    done = answer(client, c, [1], profile={"territory": comuna, "subterritory": kids[0][0]})
    assert done.status_code == 302
    assert db.session.scalar(select(Profile.subterritory)) == kids[0][0]


def test_a_barrio_of_another_comuna_is_refused_with_a_specific_message(app, catalogs):
    (comuna, _kids), (_other, other_kids) = _two_comunas(app)
    with app.test_request_context():
        form = _form(app, {"territory": comuna, "subterritory": other_kids[0][0], "consent": "y"})
        assert not form.validate()
        assert "no es de la comuna o corregimiento que elegiste" in " ".join(
            map(str, form.profile.subterritory.errors)
        )
        # "No sé": a comuna without a barrio is a complete answer.
        assert _form(app, {"territory": comuna, "consent": "y"}).validate()
