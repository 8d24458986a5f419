"""Staff-written content in English: staff write an optional English version of a consultation's
title and introduction and of each topic; the English site shows it, and where there is none it
shows the Spanish text marked lang="es" with a visible "Spanish only" note."""

import re


def _fresh_language(client, lang):
    client.get(f"/?lang={lang}")


def test_staff_write_english_versions_and_the_english_site_shows_them(
    client, make_consultation, login_as, db
):
    c = make_consultation(office="SMOV")
    login_as("editor", offices=("SMOV",))
    response = client.submit(
        f"/gestion/consultas/{c.id}/temas/nuevo",
        {
            "title": "Ciclorrutas",
            "description": "Red de ciclorrutas.",
            "office_code": "SMOV",
            "title_en": "Cycle lanes",
            "description_en": "A network of cycle lanes.",
        },
    )
    assert response.status_code == 302
    topic = c.topics[-1]
    assert (topic.title, topic.title_en, topic.description_en) == (
        "Ciclorrutas",
        "Cycle lanes",
        "A network of cycle lanes.",
    )
    untranslated = c.topics[0]

    _fresh_language(client, "en")
    page = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    label = re.search(rf'<label for="topic-{topic.id}">(.*?)</label>', page, re.S).group(1)
    assert "Cycle lanes" in label and "Ciclorrutas" not in label and 'lang="es"' not in label
    assert "A network of cycle lanes." in page
    other = re.search(rf'<label for="topic-{untranslated.id}">(.*?)</label>', page, re.S).group(1)
    assert f'<span lang="es">{untranslated.title}</span>' in other
    assert '<span class="lang-note">(Spanish only)</span>' in other
    # The consultation's own title has no English version: marked and noted in the heading.
    h1 = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert f'<span lang="es">{c.title}</span>' in h1 and "(Spanish only)" in h1
    assert f"<title>{c.title} ·" in page  # the window title stays plain text

    _fresh_language(client, "es")
    page = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    assert "Ciclorrutas" in page and "Cycle lanes" not in page
    assert 'lang="es"' not in page.split("<main", 1)[1] and "solo en español" not in page


def test_the_english_title_of_a_consultation_is_used_in_headings_and_window_title(
    client, make_consultation, db
):
    c = make_consultation()
    c.title_en = "Which topics should we report on?"
    c.introduction_en = "Choose the topics."
    db.session.commit()
    _fresh_language(client, "en")
    page = client.get(f"/consultas/{c.slug}").get_data(as_text=True)
    assert "<h1>Which topics should we report on?</h1>" in page
    assert "<title>Which topics should we report on? ·" in page
    index = client.get("/consultas/").get_data(as_text=True)
    assert "Which topics should we report on?" in index and f'<span lang="es">{c.title}</span>' not in index
