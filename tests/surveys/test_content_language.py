"""Survey texts in English: staff may write an English version of the title, the sections and
each question (text, help, options); the English site shows it, and where there is none the
Spanish text marked lang="es" with a visible "Spanish only" note."""

import re

from app.surveys import rules
from app.surveys.models import SINGLE
from tests.surveys.conftest import q


def test_english_site_shows_english_questions_and_marks_the_rest(client, make_survey, db):
    survey = make_survey()
    single = q(survey, SINGLE)
    single.text_en, single.options_en = "How did you hear about it?", ["Radio", "Social media", "Neighbours"]
    survey.title_en = "Test survey"
    db.session.commit()
    untranslated = q(survey, "rating")

    client.get("/?lang=en")
    page = client.get(f"/encuestas/{survey.slug}").get_data(as_text=True)
    assert "<h1>Test survey</h1>" in page
    legend = re.search(
        rf'<div class="survey-q[^"]*" id="pregunta-{single.id}".*?<legend>(.*?)</legend>', page, re.S
    ).group(1)
    assert "How did you hear about it?" in legend and 'lang="es"' not in legend
    assert f'<label for="{single.field_name}-1">Social media</label>' in page
    other = re.search(rf'id="pregunta-{untranslated.id}".*?<legend>(.*?)</legend>', page, re.S).group(1)
    assert f'<span lang="es">{untranslated.text}</span>' in other and "(Spanish only)" in other
    # The section's title has no English version.
    assert f'<span lang="es">{survey.sections[0].title}</span>' in page

    client.get("/?lang=es")
    page = client.get(f"/encuestas/{survey.slug}").get_data(as_text=True)
    assert "¿Cómo te enteraste?" in page and "How did you hear" not in page and "Spanish only" not in page
    assert f'<label for="{single.field_name}-1">Redes</label>' in page


def test_english_options_must_match_the_spanish_ones(client, make_survey, login_as, db):
    survey = make_survey(published=False)
    single = q(survey, SINGLE)
    login_as("editor")
    url = f"/gestion/encuestas/{survey.id}/preguntas/{single.id}"
    data = {
        "section_id": str(single.section_id),
        "kind": "single",
        "text": single.text,
        "options": "Radio\nRedes\nVecinos",
        "text_en": "How did you hear about it?",
        "options_en": "Radio\nSocial",
    }
    response = client.submit(url, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Escribe una opción en inglés por cada opción en español (3)" in html
    assert 'href="#options_en"' in html and 'id="options_en"' in html
    assert "How did you hear about it?" in html  # what was typed is kept
    response = client.submit(url, {**data, "options_en": "Radio\nSocial media\nNeighbours"})
    assert response.status_code == 302
    db.session.expire_all()
    question = db.session.get(type(single), single.id)
    assert question.options_en == ["Radio", "Social media", "Neighbours"]
    assert question.text_en == "How did you hear about it?"
    assert rules.choice_labels(question) == [
        (1, "Radio"),
        (2, "Redes"),
        (3, "Vecinos"),
    ]  # Spanish by default
