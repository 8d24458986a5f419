"""The builder: the event-evaluation template, every question kind through the staff form,
validation, reorder, conditions, preview, publishing, and who may do what."""

from __future__ import annotations

from sqlalchemy import func, select

from app.surveys import presets, queries
from app.surveys.models import Survey, SurveyQuestion, SurveyResponse
from tests.surveys.conftest import answers


def _latest(db):
    return db.session.scalar(select(Survey).order_by(Survey.id.desc()))


def test_event_evaluation_template_has_the_standard_questions(login_as, client, db):
    login_as("editor")
    client.submit(
        "/gestion/encuestas/nueva",
        {"title": "Evaluación rendición 2026", "template": presets.EVENT_EVALUATION},
    )
    survey = _latest(db)
    keys = [q.key for q in survey.ordered_questions()]
    assert keys == [
        "clarity",
        "time",
        "relevance",
        "logistics",
        "expectations",
        "recommend",
        "answered",
        "answered_ok",
        "suggestions",
    ]
    conditional = next(q for q in survey.questions if q.key == "answered_ok")
    assert conditional.condition_question_id == next(q.id for q in survey.questions if q.key == "answered")
    page = client.get(f"/gestion/encuestas/{survey.id}").get_data(as_text=True)
    assert "¿Qué tan clara fue la información que se presentó?" in page and "Responde solo si" in page


def test_every_kind_can_be_added_and_bad_questions_are_explained(login_as, client, db):
    login_as("editor")
    client.submit("/gestion/encuestas/nueva", {"title": "Encuesta en blanco", "template": ""})
    survey = _latest(db)
    section_id = survey.sections[0].id
    url = f"/gestion/encuestas/{survey.id}/preguntas/nueva"
    for kind, options in (
        ("rating", ""),
        ("single", "Sí\nNo sé"),
        ("multiple", "A\nB\nC"),
        ("yesno", ""),
        ("nps", ""),
        ("short", ""),
        ("long", ""),
    ):
        response = client.submit(
            url,
            {
                "section_id": section_id,
                "kind": kind,
                "text": f"Pregunta {kind}",
                "options": options,
                "max_choices": "2" if kind == "multiple" else "",
                "required": "y",
            },
        )
        assert response.status_code == 302, (kind, response.get_data(as_text=True)[-3000:])
    db.session.expire_all()
    assert [q.kind for q in _latest(db).ordered_questions()] == [
        "rating",
        "single",
        "multiple",
        "yesno",
        "nps",
        "short",
        "long",
    ]
    rating = next(q for q in survey.questions if q.kind == "rating")
    assert rating.options == ["Muy malo", "Malo", "Regular", "Bueno", "Muy bueno"]

    bad = client.submit(url, {"section_id": section_id, "kind": "single", "text": "Sola", "options": "Una"})
    assert bad.status_code == 422 and "al menos dos opciones" in bad.get_data(as_text=True)
    bad = client.submit(
        url,
        {"section_id": section_id, "kind": "multiple", "text": "Máx", "options": "A\nB", "max_choices": "5"},
    )
    assert bad.status_code == 422 and "entre 1 y 2" in bad.get_data(as_text=True)
    bad = client.submit(url, {"section_id": section_id, "kind": "rating", "text": "<b>Hola</b>"})
    assert bad.status_code == 422 and "sin etiquetas HTML" in bad.get_data(as_text=True)
    bad = client.submit(url, {"section_id": "999999", "kind": "bogus", "text": "x" * 400})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(SurveyQuestion)) == 7


def test_reorder_and_conditions_keep_an_order_that_makes_sense(login_as, client, db, make_survey):
    login_as("editor")
    survey = make_survey(published=False)
    questions = survey.ordered_questions()
    yesno, long_q = questions[3], questions[6]
    assert long_q.condition_question_id == yesno.id
    # Moving the conditional question above the question it depends on is refused.
    for _ in range(3):
        client.submit(
            f"/gestion/encuestas/{survey.id}/preguntas/{long_q.id}/subir",
            {},
            form_url=f"/gestion/encuestas/{survey.id}",
        )
    db.session.expire_all()
    order = [q.id for q in queries.get(survey.id).ordered_questions()]
    assert order.index(long_q.id) > order.index(yesno.id)
    # A plain move works, and a question can move into another section.
    first = questions[0]
    client.submit(
        f"/gestion/encuestas/{survey.id}/preguntas/{first.id}/bajar",
        {},
        form_url=f"/gestion/encuestas/{survey.id}",
    )
    db.session.expire_all()
    assert [q.id for q in queries.get(survey.id).ordered_questions()][:2] == [questions[1].id, first.id]
    client.submit(f"/gestion/encuestas/{survey.id}", {"title": "Segunda parte"})
    db.session.expire_all()
    survey = queries.get(survey.id)
    assert len(survey.sections) == 2
    last = survey.ordered_questions()[-1]
    client.submit(
        f"/gestion/encuestas/{survey.id}/preguntas/{last.id}/bajar",
        {},
        form_url=f"/gestion/encuestas/{survey.id}",
    )
    db.session.expire_all()
    assert db.session.get(SurveyQuestion, last.id).section_id == survey.sections[1].id
    # Deleting a question another depends on is refused with the reason.
    response = client.submit(
        f"/gestion/encuestas/{survey.id}/preguntas/{yesno.id}/borrar",
        {},
        form_url=f"/gestion/encuestas/{survey.id}",
        follow_redirects=True,
    )
    assert "depende de esta" in response.get_data(as_text=True)


def test_preview_checks_answers_and_stores_nothing(login_as, client, db, make_survey):
    login_as("editor")
    survey = make_survey(published=False)
    page = client.get(f"/gestion/encuestas/{survey.id}/vista-previa").get_data(as_text=True)
    assert "Vista previa." in page and "¿Qué tan clara fue la información?" in page
    response = client.submit(
        f"/gestion/encuestas/{survey.id}/vista-previa", answers(survey), follow_redirects=True
    )
    assert "No se guardó nada" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_publishing_and_structure_locked_once_answered(login_as, client, db, make_survey, app):
    from tests.surveys.conftest import browser

    login_as("editor")
    empty = make_survey(title="Vacía", questions=False, published=False)
    response = client.submit(
        f"/gestion/encuestas/{empty.id}/publicar",
        {},
        form_url=f"/gestion/encuestas/{empty.id}",
        follow_redirects=True,
    )
    assert "Agrega al menos una pregunta" in response.get_data(as_text=True)
    survey = make_survey()
    assert browser(app).submit(f"/encuestas/{survey.slug}", answers(survey)).status_code == 302
    url = f"/gestion/encuestas/{survey.id}/preguntas/nueva"
    response = client.submit(
        url, {"section_id": survey.sections[0].id, "kind": "yesno", "text": "Nueva"}, follow_redirects=True
    )
    assert "ya tiene respuestas" in response.get_data(as_text=True)
    q = survey.ordered_questions()[1]
    response = client.submit(
        f"/gestion/encuestas/{survey.id}/preguntas/{q.id}",
        {"section_id": q.section_id, "kind": "multiple", "text": q.text, "options": "Radio\nRedes"},
    )
    assert response.status_code == 422 and "no puedes cambiar el tipo" in response.get_data(as_text=True)
    response = client.submit(
        f"/gestion/encuestas/{survey.id}/preguntas/{q.id}",
        {
            "section_id": q.section_id,
            "kind": "single",
            "text": "¿Cómo supiste del evento?",
            "options": "Radio comunitaria\nRedes\nVecinos\nCartelera",
            "required": "y",
        },
    )
    assert response.status_code == 302  # wording fixed and an option added
    response = client.submit(
        f"/gestion/encuestas/{survey.id}/borrar",
        {},
        form_url=f"/gestion/encuestas/{survey.id}",
        follow_redirects=True,
    )
    assert "no se puede borrar" in response.get_data(as_text=True) and queries.get(survey.id) is not None


def test_roles(client, make_user, make_survey, db):
    survey = make_survey(office_code=None)
    assert client.get(f"/gestion/encuestas/{survey.id}").status_code == 302  # anonymous: to the login page
    analyst = make_user("analyst")
    client.login(analyst)
    assert client.get(f"/gestion/encuestas/{survey.id}").status_code == 403
    assert client.get(f"/gestion/encuestas/{survey.id}/resultados").status_code == 200
    assert client.get(f"/gestion/encuestas/{survey.id}/exportar.csv").status_code == 200
    assert client.get("/gestion/encuestas/nueva").status_code == 403


def test_editors_only_edit_their_offices_surveys(client, make_user, make_survey, catalogs, db):
    from app.catalogs.models import Office

    codes = db.session.scalars(select(Office.code).order_by(Office.position)).all()[:2]
    mine = make_survey(title="Mía", office_code=codes[0])
    theirs = make_survey(title="De otra dependencia", office_code=codes[1])
    editor = make_user("editor", offices=[codes[0]])
    client.login(editor)
    assert client.get(f"/gestion/encuestas/{mine.id}").status_code == 200
    assert client.get(f"/gestion/encuestas/{mine.id}/resultados").status_code == 200
    assert client.get(f"/gestion/encuestas/{theirs.id}").status_code == 403
    assert client.get(f"/gestion/encuestas/{theirs.id}/resultados").status_code == 403
    assert client.get(f"/gestion/encuestas/{theirs.id}/exportar.csv").status_code == 403
    response = client.submit("/gestion/encuestas/nueva", {"title": "Ajena", "office_code": codes[1]})
    assert response.status_code == 422 and "dependencias que gestionas" in response.get_data(as_text=True)
