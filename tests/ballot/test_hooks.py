"""Registry hooks, catalog usage, figures and the demo."""

from datetime import date

from sqlalchemy import func, select

from app.ballot import demo, queries
from app.ballot.models import BallotQuestion
from app.catalogs import commands as catalog_commands
from app.catalogs import usage as catalog_usage
from app.catalogs.models import Office
from app.core import registry, time
from app.extensions import db


def test_home_and_characterization_objects_and_transparency(app, client, file_question):
    assert "Urna virtual" in client.get("/").get_data(as_text=True)
    q = file_question().question
    objects = registry.get(app).call("characterization_objects")
    assert {
        "capability": "ballot",
        "object_id": str(q.year),
        "label": f"Urna virtual {q.year}",
        "date": date(q.year, 1, 1),
    } in objects
    with app.test_request_context():
        rendicion = registry.get(app).call("transparency_items", "rendicion")
        control = registry.get(app).call("transparency_items", "control")
        assert registry.get(app).call("transparency_items", "diagnostico") == []
    assert rendicion[0]["url"] == "/urna/respuestas" and "1 solicitudes" in rendicion[0]["text"]
    assert control[0]["url"] == "/urna/cifras"


def test_office_in_use_cannot_be_deleted(file_question, catalogs):
    office = db.session.scalar(select(Office).order_by(Office.position))
    file_question(office_code=office.code)
    assert catalog_usage.usage("office", None, office.code) == 1
    try:
        catalog_commands.delete("office", office.id)
    except catalog_commands.CatalogError:
        pass
    else:
        raise AssertionError("an office with questions must not be deleted")
    assert catalog_usage.usage("option", "petition_term", "PETICION_GENERAL") == 1


def test_figures_page(client, file_question):
    file_question(kind="information")
    html = client.get("/urna/cifras").get_data(as_text=True)
    assert "Solicitudes recibidas" in html and "Solicitud de información o documentos" in html
    assert client.get("/urna/cifras?anio=abc").status_code == 200


def test_demo_fills_every_status_with_overdue_and_published(app, make_user, catalogs):
    make_user("editor")
    make_user("admin")
    with app.test_request_context():
        demo.run()
        demo.run()  # idempotent
    statuses = dict(
        db.session.execute(select(BallotQuestion.status, func.count()).group_by(BallotQuestion.status)).all()
    )
    assert set(statuses) == {"received", "assigned", "in_progress", "answered", "closed"}
    assert sum(statuses.values()) == 40
    f = queries.figures(time.today().year)
    assert db.session.scalar(select(func.count()).where(BallotQuestion.public.is_(True))) > 0
    overdue = db.session.scalar(
        select(func.count()).where(
            BallotQuestion.status.in_(("received", "assigned", "in_progress")),
            BallotQuestion.due_on < time.today(),
        )
    )
    assert overdue > 0 and f["received"] >= 1
