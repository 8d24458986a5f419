"""The accountability report in one click (issue 15): load the demo, generate the year's report,
and check every section and figure in the PDF's text and the DOCX's XML against the database."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import datetime

from sqlalchemy import func, select

from app.core import time
from app.core.audit import AuditEntry


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "informe.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M), info
    assert re.search(r"^Title:\s+Informe de rendición de cuentas", info, re.M), info
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", text)


def _docx_text(data: bytes) -> str:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    texts = ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs]
    import html

    return " ".join(html.unescape(t) for t in texts if t)


def _expected_figures(db):
    """Figures computed here straight from the tables, not through the report's code."""
    from app.ballot.models import BallotQuestion
    from app.consultations.models import Consultation, ConsultationResponse
    from app.events.models import Event
    from app.plans import queries as plans

    start, end = datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date()
    events = [
        e
        for e in db.session.scalars(select(Event).where(Event.status == "closed").order_by(Event.starts_at))
        if time.to_local(e.starts_at).year == 2026
    ]
    in_year = BallotQuestion.filed_on.between(start, end)
    ballot = {
        "received": db.session.scalar(select(func.count()).select_from(BallotQuestion).where(in_year)),
        "answered": db.session.scalar(
            select(func.count())
            .select_from(BallotQuestion)
            .where(in_year, BallotQuestion.status.in_(("answered", "closed")))
        ),
        "on_time": db.session.scalar(
            select(func.count())
            .select_from(BallotQuestion)
            .where(in_year, BallotQuestion.answered_on_time.is_(True))
        ),
    }
    # Respondents per consultation from the database, as the disclosure layer publishes them (the
    # same protected figure as the public results page).
    from app.characterization import disclosure
    from app.consultations import results

    consultations = {}
    for c in db.session.scalars(select(Consultation).where(Consultation.is_public.is_(True))):
        n = db.session.scalar(
            select(func.count())
            .select_from(ConsultationResponse)
            .where(ConsultationResponse.consultation_id == c.id)
        )
        shown = disclosure.protect_hashed(n, disclosure.public(), "consultation", c.id, "all", "", 0)
        assert shown is not None and abs(shown - n) <= disclosure.MAX_NOISE
        assert results.compute(c, "territory", disclosure.public()).respondents == disclosure.display(shown)
        consultations[c.title] = disclosure.display(shown)
    plan = plans.list_plans()[0]
    overview = plans.plan_overview(plan)
    return events, ballot, consultations, plan, overview


def test_year_report_in_one_click_pdf_and_docx_match_the_database(app, db, demo, login_as, client, tmp_path):
    from app.accountability.models import AccountabilityReport
    from app.plans import labels

    with time.freeze(datetime(2026, 11, 25, 15, 0)):
        events, ballot, consultations, plan, overview = _expected_figures(db)
        assert len(events) == 3 and ballot["received"] and len(consultations) == 2
        login_as("editor")
        page = client.get("/gestion/rendicion-de-cuentas/")
        assert page.status_code == 200
        response = client.submit(
            "/gestion/rendicion-de-cuentas/", {"scope": "year", "year": "2026", "event": ""}
        )
        assert response.status_code == 302
        report = db.session.scalar(select(AccountabilityReport))
        pdf_text = _pdf_text(report.pdf, tmp_path)
        docx_text = _docx_text(report.docx)

    for text in (pdf_text, docx_text):
        assert "Alcaldía de Medellín" in text and "890.905.211-1" in text  # the entity's header
        for title in (
            "Temas priorizados por la ciudadanía",
            "Participación por territorio y grupo poblacional",
            "Eventos de rendición de cuentas y diálogo",
            "Preguntas y propuestas recibidas por la urna virtual",
            "Satisfacción de los participantes",
            "Avance del plan de mejoramiento",
            "Compromisos adquiridos en los eventos",
            "Estado de los compromisos",
        ):
            assert title in text, title
        # events: each one, its kind, date and attendance, and the total
        total = sum(e.attendance_total for e in events)
        assert f"Eventos realizados: 3. Asistencia total registrada: {total} personas." in text
        for e in events:
            assert e.title in text and time.to_local(e.starts_at).strftime("%d/%m/%Y") in text
            assert e.commitments.strip().splitlines()[0] in text
        # urna: received, answered, on time (legal term)
        assert (
            f"Recibidas: {ballot['received']}. Respondidas: {ballot['answered']}, de ellas "
            f"{ballot['on_time']} "
            f"dentro del término legal"
        ) in text
        # consultations: respondents per consultation (protected: these are well above k)
        for title, n in consultations.items():
            assert f"«{title}»: {n} personas respondieron." in text
        # plan: every action with its progress and status light label
        assert f"«{plan.name}» ({plan.year}): avance general {overview['progress']:.0f} %" in text
        for a in overview["actions"]:
            assert a["action"].title[:50] in text
            assert (
                f"{a['progress']:.0f} % {labels.STATUS[a['status']]}" in text
                or f"{a['progress']:.0f} % ● {labels.STATUS[a['status']]}" in text
            )
    assert "Actualiza la tabla de contenido" in docx_text  # Word's table of contents field
    assert "Contenido" in pdf_text and all(
        re.search(re.escape(title) + r"(?: ?\.){5,} ?\d+", pdf_text)  # table of contents with page numbers
        for title in ("Temas priorizados por la ciudadanía", "Estado de los compromisos")
    )
    audit = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "accountability_report_generated")
    )
    assert audit is not None and audit.details["sections"] == 8


def test_population_figures_are_protected_in_every_section(app, db, demo):
    from app.accountability import queries
    from app.characterization import disclosure

    with time.freeze(datetime(2026, 11, 25, 15, 0)), app.test_request_context("/"):
        sections = queries.gather(queries.year_period(2026))
    people_columns = 0
    for section in sections:
        for table in section.tables:
            for col, name in enumerate(table.header):
                if name not in ("Personas", "Respuestas"):
                    continue
                people_columns += 1
                for row in table.rows:
                    cell = row[col].replace(".", "")
                    # the disclosure layer's one marker, or a figure of at least k (zeros are hidden too)
                    assert cell == disclosure.MARKER or (cell.isdigit() and int(cell) >= 5), (
                        section.key,
                        table.caption,
                        row,
                    )
    assert people_columns >= 10


def test_publish_on_transparency_page_and_access(app, db, client, make_user, catalogs):
    from app.accountability import commands, queries
    from tests.conftest import Client

    with app.test_request_context("/"):
        report = commands.generate(queries.year_period(2026), actor="test")
    public_pdf = f"/rendicion-de-cuentas/informes/{report.id}.pdf"
    assert client.get(public_pdf).status_code == 404  # not published yet
    assert "Informe de rendición de cuentas" not in client.get("/transparencia/participa").get_data(
        as_text=True
    )
    analyst = Client(app.test_client())
    analyst.login(make_user("analyst"))
    assert analyst.get("/gestion/rendicion-de-cuentas/").status_code == 403
    client.login(make_user("editor"))
    assert (
        client.submit(
            f"/gestion/rendicion-de-cuentas/{report.id}/publicar",
            {},
            form_url="/gestion/rendicion-de-cuentas/",
        ).status_code
        == 302
    )
    page = client.get("/transparencia/participa").get_data(as_text=True)
    assert f'href="{public_pdf}"' in page and f"/rendicion-de-cuentas/informes/{report.id}.docx" in page
    pdf = client.get(public_pdf)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert client.get(f"/rendicion-de-cuentas/informes/{report.id}.docx").data[:2] == b"PK"


def test_bad_choices_are_refused_next_to_the_field(client, login_as, catalogs, db):
    login_as("editor")
    response = client.submit(
        "/gestion/rendicion-de-cuentas/", {"scope": "event", "year": "2026", "event": ""}
    )
    assert response.status_code == 422 and "Elige un evento." in response.get_data(as_text=True)
    response = client.submit("/gestion/rendicion-de-cuentas/", {"scope": "year", "year": "1800"})
    assert response.status_code == 422


def test_year_report_satisfaction_urna_tables_and_commitments_match_the_database(app, db, demo, tmp_path):
    """The figures the first test does not reach: CSAT and NPS per event, the urna by kind and by
    office (legal term), commitments per event and the state of the plan actions answering events."""
    from app.accountability import commands, queries
    from app.ballot.models import BallotQuestion
    from app.ballot.rules import kind_label
    from app.catalogs import queries as catalogs
    from app.characterization import published
    from app.events.models import Event
    from app.plans import commands as plan_commands
    from app.plans import queries as plans
    from app.surveys import results
    from app.surveys.models import Survey

    with time.freeze(datetime(2026, 11, 25, 15, 0)), app.test_request_context("/"):
        closed = list(
            db.session.scalars(select(Event).where(Event.status == "closed").order_by(Event.starts_at))
        )
        plan = plans.list_plans()[0]
        linked = plan.actions[0]  # the first closed event is answered by action 1
        plan_commands.save_action(
            plan,
            linked,
            {
                "number": linked.number,
                "title": linked.title,
                "event_ids": [closed[0].id],
                "topic_ids": linked.topic_ids,
            },
        )
        view = next(
            a for a in plans.plan_overview(plans.get_plan(plan.id))["actions"] if a["action"].id == linked.id
        )
        status = {e.id: e.status for e in db.session.scalars(select(Event))}
        answering = sum(
            1
            for a in plans.get_plan(plan.id).actions
            for i in a.event_ids
            if status.get(i, "draft") != "draft"
        )
        assert answering >= 2  # action 1 and the demo's own link from action 7
        surveys = {e.id: db.session.scalar(select(Survey).where(Survey.event_id == e.id)) for e in closed}
        shown = {e.id: results.compute(surveys[e.id], viewer=published.viewer()) for e in closed}
        starts = {e.id: time.to_local(e.starts_at).year for e in db.session.scalars(select(Event))}
        n_surveys = sum(
            1
            for s in db.session.scalars(select(Survey).where(Survey.published.is_(True)))
            if (starts.get(s.event_id) if s.event_id else s.opens_at and time.to_local(s.opens_at).year)
            == 2026
        )
        in_year = BallotQuestion.filed_on.between(datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date())
        by_kind = {}
        by_office = {}
        for q in db.session.scalars(select(BallotQuestion).where(in_year)):
            for table, key in ((by_kind, q.kind), (by_office, q.office_code)):
                n, a, t = table.get(key, (0, 0, 0))
                table[key] = (n + 1, a + (q.status in ("answered", "closed")), t + bool(q.answered_on_time))
        report = commands.generate(queries.year_period(2026), actor="test")
        pdf_text = _pdf_text(report.pdf, tmp_path)
        docx_text = _docx_text(report.docx)
        names = {o.code: o.name for o in catalogs.offices(include_inactive=True)}

    for text in (pdf_text, docx_text):
        assert f"Encuestas de satisfacción publicadas en el periodo: {n_surveys}." in text
        for e in closed:
            r = shown[e.id]
            assert f"{e.title} {r.responses_display} {r.satisfaction:.0f} % {r.nps:+.0f}" in text, e.title
        for kind, (n, a, t) in by_kind.items():
            assert f"{kind_label(kind)} {n} {a} {t} " in text, kind
        for code, (n, a, t) in by_office.items():
            assert f"{names.get(code, code) if code else 'Sin asignar'} {n} {a} {t} " in text, code
        assert f"Eventos con compromisos registrados: {len(closed)} de {len(closed)}." in text
        assert f"Acciones de los planes que responden a compromisos de los eventos: {answering}." in text
        assert f"{closed[0].title} {linked.number}. {linked.title[:40]}" in text
        assert f"{view['progress']:.0f} %" in text
