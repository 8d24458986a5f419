"""Results: indicators, charts with tables, free text, filters with protected figures, exports equal to
results, public results, comparison, and the hooks that list surveys elsewhere."""

from __future__ import annotations

import csv
import io
import random

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.characterization import commands as characterization
from app.core import registry
from app.extensions import db as _db
from app.surveys import commands, results, rules
from app.surveys.models import LONG, MULTIPLE, NPS, RATING, SHORT, SINGLE, YESNO, SurveyResponse
from tests.surveys.conftest import browser, q


def _answer(survey, values: dict, profile: dict | None = None):
    """Store one response through the same service the public page uses."""
    kept, errors = rules.evaluate(survey, values)
    assert not errors, errors
    response = commands.submit(survey, kept)
    if profile:
        p = characterization.build_profile(profile, characterization.Context("surveys", survey.id))
        _db.session.add(p)
        _db.session.flush()
        response.profile_id = p.id
        _db.session.commit()
    return response


def _base(survey, rating, nps, extra=None):
    return {
        q(survey, RATING).id: rating,
        q(survey, SINGLE).id: 1,
        q(survey, YESNO).id: 0,
        q(survey, NPS).id: nps,
        **(extra or {}),
    }


def test_indicators_are_computed_from_the_answers(app, db, make_survey, login_as, client):
    survey = make_survey()
    # ratings 5,4,2,1 -> satisfaction 50 %, average 3.0; nps 10,9,5,7 -> (2-1)/4 = +25
    for rating, nps in ((5, 10), (4, 9), (2, 5), (1, 7)):
        _answer(survey, _base(survey, rating, nps))
    r = results.compute(survey)
    assert r.responses == 4 and r.satisfaction == 50.0 and r.average == 3.0 and r.nps == 25.0
    login_as("analyst")
    page = client.get(f"/gestion/encuestas/{survey.id}/resultados").get_data(as_text=True)
    assert "50\u00a0%" in page and "3,0" in page and "+25" in page  # Colombian format: decimal comma
    assert (
        page.count("<svg") >= 5 and page.count('class="data-table"') >= 5
    )  # chart + table per closed question
    assert "5 · Muy bueno" in page


def test_free_text_answers_are_listed_page_by_page(app, db, make_survey, login_as, client):
    survey = make_survey()
    for i in range(25):
        _answer(survey, _base(survey, 4, 8, {q(survey, SHORT).id: f"Barrio número {i:02d}"}))
    login_as("analyst")
    url = f"/gestion/encuestas/{survey.id}/resultados/{q(survey, SHORT).id}/textos"
    first, second = (
        client.get(url).get_data(as_text=True),
        client.get(url + "?pagina=2").get_data(as_text=True),
    )
    shown = {f"Barrio número {i:02d}" for i in range(25) if f"Barrio número {i:02d}" in first + second}
    assert len(shown) == 25 and "página 1 de 2" in first
    assert first.count("Barrio número") == 20


def test_export_rows_equal_the_results(app, db, make_survey, login_as, client):
    survey = make_survey()
    rng = random.Random(7)
    for _ in range(60):
        yes = rng.random() < 0.5
        values = {
            q(survey, RATING).id: rng.randint(1, 5),
            q(survey, SINGLE).id: rng.randint(1, 3),
            q(survey, MULTIPLE).id: sorted(rng.sample([1, 2, 3, 4], rng.randint(0, 2))),
            q(survey, YESNO).id: int(yes),
            q(survey, NPS).id: rng.randint(0, 10),
            q(survey, SHORT).id: rng.choice(["", "=SUMA(A1)", "Belén"]),
        }
        if yes:
            values[q(survey, LONG).id] = "Me respondieron"
        _answer(survey, values)
    computed = results.compute(survey)
    login_as("analyst")
    body = client.get(f"/gestion/encuestas/{survey.id}/exportar.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    header, data = rows[0], rows[1:]
    assert len(data) == 60 and len(header) == 3 + len(survey.questions)
    for i, question in enumerate(survey.ordered_questions()):
        column = [row[3 + i] for row in data]
        result = next(r for r in computed.questions if r.question.id == question.id)
        if question.kind in (SHORT, LONG):
            assert sum(1 for c in column if c) == result.texts
            continue
        for row in result.rows:
            if question.kind == MULTIPLE:
                n = sum(1 for c in column if row["label"] in c.split(" | "))
            elif question.kind in (RATING, NPS):
                n = sum(1 for c in column if c == row["label"].split(" ")[0])
            else:
                n = column.count(row["label"])
            assert n == row["count"], (question.text, row)
    assert "'=SUMA(A1)" in body  # formula neutralised

    xlsx = client.get(f"/gestion/encuestas/{survey.id}/exportar.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data()), read_only=True).active
    xrows = list(sheet.iter_rows(values_only=True))
    assert len(xrows) == 61 and list(xrows[0]) == header
    assert sorted(str(r[0]) for r in xrows[1:]) == sorted(r[0] for r in data)


def test_filters_protect_small_groups_except_for_stewards(app, db, make_survey, client, make_user):
    survey = make_survey(profile_variables=["sex", "life_course"])
    for i in range(12):
        _answer(
            survey,
            _base(survey, 5 if i % 3 else 1, 9),
            profile={"sex": "2" if i < 9 else "1", "territory": "01"},
        )
    analyst = make_user("analyst", email="analista@prueba.gov.co")
    client.login(analyst)
    base = f"/gestion/encuestas/{survey.id}/resultados"
    small = client.get(base + "?sex=1").get_data(as_text=True)
    assert "menos de 5 respuestas" in small and "<svg" not in small
    big = client.get(base + "?sex=2").get_data(as_text=True)
    assert 'class="hbar-value">x</span>' in big  # the 3 people who rated 1 among 9 women: the marker
    assert "«x»: cifra protegida" in big and "Estas cifras están protegidas" in big
    texts = client.get(
        f"/gestion/encuestas/{survey.id}/resultados/{q(survey, SHORT).id}/textos?sex=1"
    ).get_data(as_text=True)
    assert "No hay respuestas escritas para mostrar" in texts
    steward = make_user("steward", email="custodia@prueba.gov.co")
    client = browser(app)
    client.login(steward)
    full = client.get(base + "?sex=1").get_data(as_text=True)
    assert "menos de 5 respuestas" not in full and "<svg" in full
    unknown = client.get(base + "?ethnicity=1&sex=1").get_data(as_text=True)  # not asked: ignored
    assert "Quitar filtros" in unknown


def test_public_results_only_when_published_and_never_free_text(app, db, client, make_survey):
    survey = make_survey(results_public=False)
    assert client.get(f"/encuestas/{survey.slug}/resultados").status_code == 404
    commands.update_survey(
        survey,
        commands.SurveySettings(title=survey.title, results_public=True, opens_at=survey.opens_at),
        actor="t",
    )
    for _ in range(3):
        _answer(survey, _base(survey, 4, 9, {q(survey, SHORT).id: "Mi nombre es Ana y vivo en la casa azul"}))
    page = client.get(f"/encuestas/{survey.slug}/resultados").get_data(as_text=True)
    assert "muy pocas respuestas" in page  # under k responses: nothing published
    for i in range(6):
        _answer(survey, _base(survey, 5 if i else 1, 9))
    page = client.get(f"/encuestas/{survey.slug}/resultados").get_data(as_text=True)
    assert "<svg" in page and 'class="hbar-value">x</span>' in page and "casa azul" not in page
    assert "Estas cifras están protegidas" in page and "Cada cifra cuenta respuestas" in page
    with app.test_request_context():
        items = registry.get(app).call("transparency_items", "rendicion")
        assert [i["url"] for i in items] == [f"/encuestas/{survey.slug}/resultados"]
        assert registry.get(app).call("transparency_items", "control") == []


def test_comparison_of_events_side_by_side(app, db, make_survey, login_as, client):
    a = make_survey(title="Evaluación Comuna 1", event_id=1)
    b = make_survey(title="Evaluación Comuna 2", event_id=2)
    _answer_open = lambda s, r: commands.submit(s, rules.evaluate(s, _base(s, r, 10))[0], token=None)  # noqa: E731
    for s in (a, b):
        s.open_link = True
    db.session.commit()
    _answer_open(a, 5)
    _answer_open(b, 2)
    login_as("analyst")
    page = client.get(f"/gestion/encuestas/comparar?encuesta={a.id}&encuesta={b.id}").get_data(as_text=True)
    assert "Evaluación Comuna 1" in page and "Evaluación Comuna 2" in page
    assert "100\u00a0%" in page and "0\u00a0%" in page and "5,0" in page and "2,0" in page


def test_hooks_list_open_surveys_and_event_links(app, db, make_survey):
    standalone = make_survey(title="Encuesta de canales")
    attached = make_survey(title="Evaluación del evento", event_id=5)
    with app.test_request_context():
        reg = registry.get(app)
        home = [h["title"] for fn in reg.home for h in fn()]
        assert "Encuesta de canales" in home and "Evaluación del evento" not in home
        found = [r["title"] for fn in reg.search for r in fn("canales")]
        assert found == ["Encuesta de canales"]
        sections = reg.call("event_page_sections", 5)
        assert sections and sections[0]["items"][0]["url"] == f"/encuestas/{attached.slug}"
        assert reg.call("event_page_sections", 6) == []
        objects = reg.call("characterization_objects")
        assert {o["object_id"] for o in objects if o["capability"] == "surveys"} == {
            str(standalone.id),
            str(attached.id),
        }
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_public_results_say_which_one_answer_rule_the_answers_passed(app, db, client, make_survey):
    survey = make_survey(results_public=True)
    for i in range(9):
        response = _answer(survey, _base(survey, 4, 9))
        if i < 6:
            response.channel = "token"  # answered with an attendee's one-time link
    db.session.commit()
    page = client.get(f"/encuestas/{survey.slug}/resultados").get_data(as_text=True)
    # Public figures go through the disclosure layer: 6 is published within ±2 (never under k),
    # and 3 is below k, so it shows as the one marker.
    from app.characterization import disclosure

    token = disclosure.protect_hashed(6, disclosure.public(), "survey", survey.id, "rule", "token")
    assert token is not None and abs(token - 6) <= disclosure.MAX_NOISE
    assert f"con el enlace personal de asistencia, una por asistente: {token}" in page
    assert (
        f"con el enlace abierto, una por navegador: {disclosure.MARKER}" in page
    )  # small counts stay hidden
