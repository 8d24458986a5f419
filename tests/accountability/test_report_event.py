"""The accountability report for one event (issue 15: "for a period (a year, or one event)"):
generated in one click for one event, its PDF text and DOCX XML carry every section with that
event's figures, checked against the database, and no figure or name of any other event."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from app.core import time
from app.core.audit import AuditEntry
from tests.accountability.test_report import _docx_text, _pdf_text

SECTIONS = (
    "Temas priorizados por la ciudadanía",
    "Participación por territorio y grupo poblacional",
    "Eventos de rendición de cuentas y diálogo",
    "Preguntas y propuestas recibidas por la urna virtual",
    "Satisfacción de los participantes",
    "Avance del plan de mejoramiento",
    "Compromisos adquiridos en los eventos",
    "Estado de los compromisos",
)


def _raw_counts(db, event_id: int, variable: str) -> dict[str, int]:
    """Attendee profiles of the event per code, straight from the profile table (exact)."""
    from app.characterization.models import Profile

    column = getattr(Profile, variable)
    rows = db.session.execute(
        select(column, func.count())
        .where(Profile.capability == "events", Profile.object_id == str(event_id))
        .group_by(column)
    )
    return {code or "": n for code, n in rows}


def test_event_report_pdf_and_docx_hold_that_event_only(app, db, demo, login_as, client, tmp_path):
    from app.accountability.models import AccountabilityReport
    from app.ballot.models import BallotQuestion
    from app.characterization import disclosure, published
    from app.characterization.queries import code_labels
    from app.events.models import Event
    from app.plans import commands as plan_commands
    from app.plans import labels
    from app.plans import queries as plans
    from app.surveys import results
    from app.surveys.models import Survey

    with time.freeze(datetime(2026, 11, 25, 15, 0)):
        events = list(db.session.scalars(select(Event).order_by(Event.starts_at)))
        closed = [e for e in events if e.status == "closed"]
        assert len(closed) == 3
        event, others = closed[0], [e for e in events if e.id != closed[0].id]
        # the event answers an improvement action, and two urna questions were filed at it
        plan = plans.list_plans()[0]
        action = plan.actions[2]
        plan_commands.save_action(
            plan,
            action,
            {
                "number": action.number,
                "title": action.title,
                "event_ids": [event.id],
                "topic_ids": action.topic_ids,
            },
        )
        filed = list(
            db.session.scalars(
                select(BallotQuestion)
                .where(BallotQuestion.event_id.is_(None), BallotQuestion.status.in_(("answered", "closed")))
                .limit(2)
            )
        )
        for q in filed:
            q.event_id = event.id
        db.session.commit()
        at_event = BallotQuestion.event_id == event.id
        ballot = [
            db.session.scalar(select(func.count()).select_from(BallotQuestion).where(at_event, *cond))
            for cond in (
                (),
                (BallotQuestion.status.in_(("answered", "closed")),),
                (BallotQuestion.answered_on_time.is_(True),),
            )
        ]
        assert ballot[0] == 2 and db.session.scalar(select(func.count()).select_from(BallotQuestion)) > 10
        survey = db.session.scalar(select(Survey).where(Survey.event_id == event.id))
        satisfaction = results.compute(survey, viewer=published.viewer())
        # the plan as it stood on the event's day (the report's cut-off is the end of its period)
        overview = plans.plan_overview(plans.get_plan(plan.id), time.to_local(event.starts_at).date())
        action_view = next(a for a in overview["actions"] if a["action"].id == action.id)

        login_as("editor")
        response = client.submit(
            "/gestion/rendicion-de-cuentas/", {"scope": "event", "year": "2026", "event": str(event.id)}
        )
        assert response.status_code == 302
        report = db.session.scalar(select(AccountabilityReport))
        pdf_text = _pdf_text(report.pdf, tmp_path)  # also asserts pdfinfo reports it tagged
        docx_text = _docx_text(report.docx)

    day = time.to_local(event.starts_at).strftime("%d/%m/%Y")
    for text in (pdf_text, docx_text):
        assert f"Informe de rendición de cuentas: Evento: {event.title}" in text
        assert "Alcaldía de Medellín" in text and "890.905.211-1" in text
        for title in SECTIONS:
            assert title in text, title
        # the event: its kind, date, place, attendance and commitments
        assert (
            f"Eventos realizados: 1. Asistencia total registrada: {event.attendance_total} personas." in text
        )
        assert day in text and event.place in text
        assert "Eventos con compromisos registrados: 1 de 1." in text
        assert event.commitments.strip().splitlines()[0] in text
        # attendees' characterisation: each published cell is the database count within the noise
        # of the disclosure layer, or the protection marker for a small group
        for variable in ("life_course", "sex", "value_group"):
            names = code_labels(variable)
            for code, n in _raw_counts(db, event.id, variable).items():
                if not code or n < 5:
                    continue
                label = names.get(code) or code
                shown = re.findall(re.escape(label) + r" (\d+|" + disclosure.MARKER + ")", text)
                assert any(
                    v == disclosure.MARKER
                    and n < 5 + disclosure.MAX_NOISE
                    or v.isdigit()
                    and abs(int(v) - n) <= disclosure.MAX_NOISE
                    for v in shown
                ), (label, n)
        # urna: only the questions filed at this event
        assert (
            f"Recibidas: {ballot[0]}. Respondidas: {ballot[1]}, de ellas {ballot[2]} dentro del término legal"
        ) in text
        # satisfaction: this event's survey only
        assert "Encuestas de satisfacción publicadas en el periodo: 1." in text
        assert f"{event.title} {satisfaction.responses_display} {satisfaction.satisfaction:.0f} %" in text
        # plan: only the action that answers this event, with its progress and status light
        assert action.title[:50] in text
        assert (
            f"{action.number} {action.title} {action_view['progress']:.0f} % ● "
            f"{labels.STATUS[action_view['status']]}"
        ) in text
        assert all(a.title[:50] not in text for a in plan.actions if a.id != action.id)
        assert "Acciones de los planes que responden a compromisos de los eventos: 1." in text
        # nothing of any other event
        for other in others:
            assert other.title not in text, other.title
    audit = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "accountability_report_generated")
    )
    assert audit is not None and audit.details["sections"] == 8


def test_event_report_says_when_no_plan_action_answers_the_event(app, db, demo):
    from app.accountability import queries
    from app.events.models import Event

    with time.freeze(datetime(2026, 11, 25, 15, 0)), app.test_request_context("/"):
        event = db.session.scalar(select(Event).where(Event.status == "closed").order_by(Event.starts_at))
        sections = {s.key: s for s in queries.gather(queries.event_period(event.id))}
    assert sections["plans"].paragraphs == [
        "Ninguna acción de los planes de mejoramiento responde a este evento."
    ]
    assert sections["plans"].tables == []
