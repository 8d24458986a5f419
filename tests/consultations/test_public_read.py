"""The public form's cached read (`queries.public_by_slug`): plain values that no commit can
expire or save, read once for a crowd, and never older than the last change an editor made."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import event as sa_event

from app.consultations import queries
from app.consultations.models import Consultation, ConsultationTopic
from tests.consultations.conftest import answer


@pytest.fixture
def statements(db):
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", listen)
    yield seen
    sa_event.remove(db.engine, "before_cursor_execute", listen)


def test_the_public_read_is_frozen_plain_data_with_the_active_topics(make_consultation, db):
    c = make_consultation(slug="plana")
    withdrawn = c.topics[4]
    withdrawn.active = False
    db.session.commit()

    read = queries.public_by_slug("plana")
    assert isinstance(read, queries.PublicConsultation)
    assert not hasattr(read, "_sa_instance_state")
    assert [t.title for t in read.topics] == [t.title for t in c.topics[:4]]
    assert all(not hasattr(t, "_sa_instance_state") for t in read.topics)
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.title = "Otra"  # a page cannot change what every visitor gets
    assert read.state() == "open" and read.variables == tuple(c.variables)


def test_a_crowd_reads_it_once_and_a_change_is_seen_at_once(make_consultation, db, statements):
    cid = make_consultation(slug="concurrida").id
    queries.public_by_slug("concurrida")
    statements.clear()
    for _ in range(20):
        queries.public_by_slug("concurrida")
    assert statements == []

    topic = db.session.get(ConsultationTopic, queries.public_by_slug("concurrida").topics[0].id)
    topic.title = "Andenes seguros"
    db.session.commit()
    assert queries.public_by_slug("concurrida").topics[0].title == "Andenes seguros"
    row = db.session.get(Consultation, cid)
    row.is_public = False
    db.session.commit()
    assert queries.public_by_slug("concurrida") is None  # a withdrawn consultation is gone at once


def test_a_response_and_the_next_page_work_from_the_cached_read(client, make_consultation, db):
    c = make_consultation(slug="respondida")
    queries.public_by_slug("respondida")  # cached before the response commits
    response = answer(client, c, [0, 1])
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Consulta respondida" in thanks
    assert "Ya respondiste esta consulta desde este navegador" in client.get(
        "/consultas/respondida"
    ).get_data(as_text=True)
