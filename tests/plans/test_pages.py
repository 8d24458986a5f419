"""Public /planes/ pages, hooks, and the staff pages with their roles."""

import io
import re

import pytest
from sqlalchemy import func, select

from app.catalogs.models import Office
from app.core import registry
from app.plans import commands, hooks, queries
from app.plans.models import Plan, PlanReport
from tests.plans.conftest import MEDELLIN, task_by

FAKE_EVENT = 4242
FAKE_TOPIC = 777


@pytest.fixture
def linked(app, medellin_plan, db):
    """Action 7 answers a (fake) event, action 2 a (fake) consultation topic."""
    reg = registry.get(app)

    def event(i):
        if i != FAKE_EVENT:
            return None
        return {
            "id": i,
            "title": "Escuchadero Comuna 13",
            "url": "/eventos/4242",
            "starts_at": None,
            "kind": "escuchadero",
        }

    def topic(i):
        return {"id": i, "title": "Movilidad", "url": "/consultas/temas/777"} if i == FAKE_TOPIC else None

    reg.add_hook("event_summary", event)
    reg.add_hook("topic_summary", topic)
    for action in medellin_plan.actions:
        if action.number == 7:
            action.event_ids = [FAKE_EVENT]
        if action.number == 2:
            action.topic_ids = [FAKE_TOPIC]
    db.session.commit()
    yield medellin_plan
    reg.hooks["event_summary"].remove(event)
    reg.hooks["topic_summary"].remove(topic)


def test_public_index_and_plan_page(client, linked, may_2026):
    entry = commands.report(
        task_by(linked, "Convocatoria en el 1er trimestre"),
        1,
        "DAP",
        value=100,
        progress_text="Equipo conformado por resolución.",
    )
    # notes wait for an editor's review before they are public (issue 15); the value does not
    assert "Equipo conformado por resolución." not in client.get(f"/planes/{linked.id}").get_data(
        as_text=True
    )
    commands.review_report(entry, approve=True, actor="revisora@prueba.gov.co")
    index = client.get("/planes/")
    assert index.status_code == 200
    assert linked.name in index.get_data(as_text=True)
    page = client.get(f"/planes/{linked.id}").get_data(as_text=True)
    assert 'style="' not in page and "<script" not in page
    action_1 = page[page.index(f'id="accion-{linked.actions[0].id}"') :]
    assert "100 %" in action_1[:1500] and "Cumplida" in action_1[:1500] and 'class="w-100"' in action_1[:1500]
    assert "Equipo conformado por resolución." in page
    assert 'href="/eventos/4242"' in page and "Evento: Escuchadero Comuna 13" in page
    assert 'href="/consultas/temas/777"' in page and "Tema de consulta: Movilidad" in page
    assert "Atrasada" in page  # action 2 was due in March


def test_unpublished_plans_are_not_public(client, medellin_plan, db):
    commands.set_published(medellin_plan, False)
    assert client.get(f"/planes/{medellin_plan.id}").status_code == 404
    assert medellin_plan.name not in client.get("/planes/").get_data(as_text=True)


def test_home_card_and_links_follow_what_exists(app, linked, db):
    with app.test_request_context():
        assert hooks.home()
        events, topics = queries.linked_summaries(linked)
        assert list(events) == [FAKE_EVENT] and list(topics) == [FAKE_TOPIC]
        linked.actions[0].event_ids = [FAKE_EVENT, 1]  # event 1 no longer exists: left out
        assert list(queries.linked_summaries(linked)[0]) == [FAKE_EVENT]
        commands.set_published(linked, False)
        assert hooks.home() == []
    assert hooks.transparency_items("planeacion") == []


def test_hooks_for_other_capabilities(app, linked, may_2026):
    with app.test_request_context():
        sections = hooks.event_page_sections(FAKE_EVENT)
        assert sections[0]["title"] == "Acciones de mejora que responden a este evento"
        assert [i["url"] for i in sections[0]["items"]] == [
            f"/planes/{linked.id}#accion-{linked.actions[6].id}"
        ]
        assert hooks.event_page_sections(1) == []
        assert hooks.topic_links(FAKE_TOPIC)[0]["url"].endswith(f"#accion-{linked.actions[1].id}")
        planning = hooks.transparency_items("planeacion")
        assert planning[0]["title"] == linked.name and "9 acciones" in planning[0]["text"]
        control = hooks.transparency_items("control")
        assert control[0]["url"].endswith("#seguimiento") and "2 tareas atrasadas" in control[0]["text"]
        assert hooks.transparency_items("consulta") == []
        assert hooks.home()[0]["url"] == "/planes/"
        found = hooks.search("escuchaderos")
        assert found and found[0]["kind"] == "Acción de un plan"


def test_search_page_finds_plans(client, medellin_plan):
    body = client.get("/buscar?q=cualificación").get_data(as_text=True)
    assert medellin_plan.name in body


def test_hostile_search_is_harmless(app, medellin_plan):
    with app.test_request_context():
        assert hooks.search("<script>alert(1)</script>' OR 1=1--\x00") == []
        assert hooks.search("%%") == [] and hooks.search("_") == []
        assert hooks.search("escuchaderos\x00")


def test_staff_pages_need_login_and_roles(client, make_user, medellin_plan):
    assert client.get("/gestion/planes/").status_code == 302
    analyst = make_user("analyst")
    client.login(analyst)
    assert client.get("/gestion/planes/").status_code == 200
    assert client.get(f"/gestion/planes/{medellin_plan.id}").status_code == 200
    assert client.get("/gestion/planes/nuevo").status_code == 403
    assert client.get("/gestion/planes/importar").status_code == 403
    task = medellin_plan.tasks[0]
    assert client.get(f"/gestion/planes/{medellin_plan.id}/tareas/{task.id}/reportar").status_code == 403


def test_editor_reports_only_for_their_office(client, make_user, medellin_plan, may_2026, db):
    editor = make_user("editor", email="humana@prueba.gov.co", offices=("SGHSC",))
    client.login(editor)
    plan_url = f"/gestion/planes/{medellin_plan.id}"
    leader = task_by(medellin_plan, "Convocatoria en el 1er trimestre")  # DAP only
    formats = task_by(medellin_plan, "Cualificación de formatos")  # DAP + SGHSC
    assert client.get(f"{plan_url}/tareas/{leader.id}/reportar").status_code == 403
    form = client.get(f"{plan_url}/tareas/{formats.id}/reportar").get_data(as_text=True)
    assert 'value="SGHSC"' in form and 'value="DAP"' not in form
    refused = client.submit(
        f"{plan_url}/tareas/{formats.id}/reportar", {"office": "DAP", "period": "1", "value": "50"}
    )
    assert refused.status_code == 422
    bad = client.submit(
        f"{plan_url}/tareas/{formats.id}/reportar",
        {
            "office": "SGHSC",
            "period": "1",
            "value": "150",
            "evidence": "javascript:alert(1)",
            "progress_text": "<b>texto</b> conservado",
        },
    )
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "no es un enlace web" in body and "&lt;b&gt;texto&lt;/b&gt; conservado" in body
    future = client.submit(
        f"{plan_url}/tareas/{formats.id}/reportar", {"office": "SGHSC", "period": "3", "value": "5"}
    )
    assert future.status_code == 422
    ok = client.submit(
        f"{plan_url}/tareas/{formats.id}/reportar",
        {
            "office": "SGHSC",
            "period": "2",
            "value": "30",
            "progress_text": "Avanza la revisión",
            "evidence": "https://www.medellin.gov.co/acta.pdf",
        },
    )
    assert ok.status_code == 302
    report = db.session.scalar(select(PlanReport))
    assert (report.office_code, report.period, report.value, report.evidence) == (
        "SGHSC",
        2,
        30.0,
        ["https://www.medellin.gov.co/acta.pdf"],
    )
    # an editor of SGHSC does not own the plan (DAP): no structural edits
    assert client.get(f"{plan_url}/editar").status_code == 403
    assert client.post(f"{plan_url}/publicar", data={"csrf_token": client.csrf(plan_url)}).status_code == 403


def test_owner_editor_edits_plan_action_and_task(client, make_user, medellin_plan, db):
    client.login(make_user("editor", email="dap@prueba.gov.co", offices=("DAP",)))
    plan_url = f"/gestion/planes/{medellin_plan.id}"
    action = medellin_plan.actions[0]
    clash = client.submit(f"{plan_url}/acciones/{action.id}/editar", {"number": "2", "title": "Otra"})
    assert clash.status_code == 422 and "Ya hay una acción con el número 2" in clash.get_data(as_text=True)
    task = action.tasks[0]
    bad = client.submit(
        f"{plan_url}/tareas/{task.id}/editar",
        {
            "description": task.description,
            "offices": ["DAP"],
            "start_month": "6",
            "end_month": "3",
            "indicator_name": "x",
            "unit": "percentage",
            "goal": "100",
            "accumulation": "cumulative",
        },
    )
    assert bad.status_code == 422 and "anterior al de inicio" in bad.get_data(as_text=True)
    good = client.submit(
        f"{plan_url}/tareas/{task.id}/editar",
        {
            "description": "Convocatoria y conformación",
            "offices": ["DAP", "SCOM"],
            "start_month": "1",
            "end_month": "4",
            "months": ["1", "4"],
            "indicator_name": "Equipo conformado",
            "unit": "percentage",
            "goal": "100",
            "accumulation": "cumulative",
        },
    )
    assert good.status_code == 302
    db.session.expire_all()
    task = queries.get_plan(medellin_plan.id).actions[0].tasks[0]
    assert (task.description, task.office_codes, task.months) == (
        "Convocatoria y conformación",
        ["DAP", "SCOM"],
        [1, 4],
    )
    new_plan = client.submit(
        "/gestion/planes/nuevo",
        {
            "name": "Plan anticorrupción",
            "year": "2026",
            "kind": "action",
            "owner_office": "SEDU",
            "periods": "1-4, 5-8, 9-12",
        },
    )
    assert new_plan.status_code == 422  # not an office this editor manages


def test_staff_upload_preview_then_confirm(client, login_as, catalogs, db):
    login_as("admin")
    preview = client.submit(
        "/gestion/planes/importar",
        {"file": (io.BytesIO(MEDELLIN.read_bytes()), "medellin.tsv"), "year": "2026"},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    body = preview.get_data(as_text=True)
    assert "9 acciones y 15 tareas" in body and "Gobernación de Antioquia" in body
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', body) or re.search(
        r'id="token" name="token" type="hidden" value="([0-9a-f]+)"', body
    )
    token = token.group(1)
    done = client.submit(
        "/gestion/planes/importar/confirmar",
        {"token": token, "create_offices": ["Gobernación de Antioquia"], "publish": "y"},
        form_url="/gestion/planes/importar",
    )
    assert done.status_code == 302
    plan = db.session.scalar(select(Plan))
    assert plan.published and len(plan.tasks) == 15
    assert db.session.scalar(select(Office).where(Office.code == "GA")) is not None
    again = client.submit(
        "/gestion/planes/importar/confirmar", {"token": token}, form_url="/gestion/planes/importar"
    )
    assert again.status_code == 302 and db.session.scalar(select(func.count()).select_from(Plan)) == 1


def test_upload_with_errors_shows_lines_and_offers_no_confirmation(client, login_as, catalogs, db):
    login_as("editor")
    text = MEDELLIN.read_text(encoding="utf-8").replace("\tEnero\tMarzo\t", "\tEnero\tMarzzo\t", 1)
    response = client.submit(
        "/gestion/planes/importar",
        {"file": (io.BytesIO(text.encode()), "plan.tsv"), "year": "2026"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Línea 8" in body and "Marzzo" in body and "importar/confirmar" not in body
    missing = client.submit("/gestion/planes/importar", {"year": "2026"}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "Elige el archivo del plan." in missing.get_data(as_text=True)


def test_editor_cannot_create_catalog_offices_on_import(client, login_as, catalogs, db):
    login_as("editor")
    preview = client.submit(
        "/gestion/planes/importar",
        {"file": (io.BytesIO(MEDELLIN.read_bytes()), "medellin.tsv"), "year": "2026"},
        content_type="multipart/form-data",
    )
    token = re.search(r'value="([0-9a-f]{32})"', preview.get_data(as_text=True)).group(1)
    refused = client.submit(
        "/gestion/planes/importar/confirmar",
        {"token": token, "create_offices": ["Gobernación de Antioquia"]},
        form_url="/gestion/planes/importar",
    )
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_catalog_refuses_deleting_an_office_plans_use(medellin_plan, db):
    from app.catalogs import commands as catalogs

    office = db.session.scalar(select(Office).where(Office.code == "SMUJ"))
    with pytest.raises(catalogs.CatalogError):
        catalogs.delete("office", office.id)


def test_owner_edits_plan_data_and_periods(client, make_user, medellin_plan, may_2026, db):
    client.login(make_user("editor", email="dap@prueba.gov.co", offices=("DAP",)))
    url = f"/gestion/planes/{medellin_plan.id}/editar"
    form = client.get(url).get_data(as_text=True)
    assert 'value="1-3, 4-6, 7-9, 10-12"' in form
    bad = client.submit(
        url,
        {
            "name": medellin_plan.name,
            "year": "2026",
            "kind": "improvement",
            "owner_office": "DAP",
            "periods": "1-4, 3-8",
        },
    )
    assert bad.status_code == 422 and "sin cruzarse" in bad.get_data(as_text=True)
    ok = client.submit(
        url,
        {
            "name": "Plan de mejoramiento 2026",
            "year": "2026",
            "kind": "improvement",
            "owner_office": "DAP",
            "offices": ["DAP", "SCOM"],
            "periods": "1-4, 5-8, 9-12",
            "analysis": "Conclusiones del año.",
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    plan = queries.get_plan(medellin_plan.id)
    assert (plan.name, plan.periods, plan.participating_codes, plan.analysis) == (
        "Plan de mejoramiento 2026",
        [[1, 4], [5, 8], [9, 12]],
        ["DAP", "SCOM"],
        "Conclusiones del año.",
    )
    task = plan.tasks[0]
    assert client.get(f"/gestion/planes/{plan.id}/tareas/{task.id}/reportar?periodo=abc").status_code == 200
    assert client.get(f"/gestion/planes/{plan.id}/tareas/{task.id}/reportar?periodo=2").status_code == 200
    assert client.get(f"/gestion/planes/{plan.id}/tareas/99999/reportar").status_code == 404
    assert client.get("/gestion/planes/99999").status_code == 404


def test_finding_form_creates_improvement_action(client, make_user, medellin_plan, may_2026, db):
    client.login(make_user("admin"))
    url = f"/gestion/planes/{medellin_plan.id}/hallazgos/nuevo"
    missing = client.submit(
        url, {"description": "Sin avance", "found_on": "2026-05-10", "create_action": "y"}
    )
    assert missing.status_code == 422 and "Escribe este dato" in missing.get_data(as_text=True)
    ok = client.submit(
        url,
        {
            "description": "Sin avance en formatos",
            "found_on": "2026-05-10",
            "period": "1",
            "create_action": "y",
            "action_title": "Plan de choque de formatos",
            "task_description": "Revisar los formatos pendientes",
            "offices": ["SGHSC"],
            "start_month": "6",
            "end_month": "8",
            "indicator_name": "Formatos revisados",
            "unit": "number",
            "goal": "10",
        },
    )
    assert ok.status_code == 302
    plan = queries.get_plan(medellin_plan.id)
    assert plan.findings[0].action.title == "Plan de choque de formatos"
    assert plan.actions[-1].tasks[0].office_codes == ["SGHSC"]


def test_plan_and_action_titles_in_english_where_staff_wrote_them(client, medellin_plan, login_as, db):
    login_as("admin")
    action = medellin_plan.actions[0]
    response = client.submit(
        f"/gestion/planes/{medellin_plan.id}/acciones/{action.id}/editar",
        {"number": str(action.number), "title": action.title, "title_en": "Set up the improvement team"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(action), action.id).title_en == "Set up the improvement team"
    client.get("/?lang=en")
    page = client.get(f"/planes/{medellin_plan.id}").get_data(as_text=True)
    assert f"{action.number}. Set up the improvement team</h3>" in page
    other = medellin_plan.actions[1]
    assert f'{other.number}. <span lang="es">' in page and "(Spanish only)" in page
    assert (
        f'<h1><span lang="es">{medellin_plan.name}</span>' in page
    )  # the plan's name has no English version
