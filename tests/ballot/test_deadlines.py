"""Due dates in Colombian business days (holidays, moved holidays, year ends) and extensions."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.ballot import commands, rules
from app.ballot.models import BallotNotice
from app.core import time
from app.extensions import db


@pytest.mark.parametrize(
    ("filed", "days", "due"),
    [
        # 2026-12-30 (Wed): Jan 1 and the moved Reyes Magos (Mon Jan 11, 2027) are skipped.
        (date(2026, 12, 30), 15, date(2027, 1, 22)),
        (date(2026, 12, 30), 10, date(2027, 1, 15)),
        (date(2026, 12, 30), 30, date(2027, 2, 12)),
        # Fri 2026-03-20: San José moved to Mon Mar 23, then Holy Thursday and Good Friday.
        (date(2026, 3, 20), 10, date(2026, 4, 8)),
        # Filed on a Saturday: the term starts on Monday.
        (date(2026, 2, 7), 1, date(2026, 2, 9)),
    ],
)
def test_due_dates_skip_weekends_and_colombian_holidays(filed, days, due):
    assert rules.due_date(filed, days) == due


def test_filing_late_at_night_counts_on_the_bogota_date(file_question):
    # 22:00 on 2026-12-30 in Bogotá is already 2026-12-31 in UTC.
    with time.freeze(datetime(2026, 12, 31, 3, 0)):
        q = file_question(kind="information").question
    assert (
        q.filed_on == date(2026, 12, 30)
        and q.due_on == date(2027, 1, 15)
        and q.radicado.startswith("UV-2026-")
    )


def test_reclassifying_recomputes_from_filing_date(app, file_question, make_user):
    admin = make_user("admin")
    with time.freeze(datetime(2026, 12, 30, 15, 0)):
        q = file_question(kind="question").question
    with time.freeze(datetime(2027, 1, 5, 15, 0)):
        commands.route(q, admin, office_code=None, kind="consultation")
    assert q.term_days == 30 and q.due_on == date(2027, 2, 12)


def _extendable(file_question):
    with time.freeze(datetime(2026, 3, 2, 15, 0)):  # Mon 2026-03-02, 15 days -> Mon 2026-03-24
        return file_question(kind="question", email="ana@example.org", name="Ana").question


def test_extension_up_to_twice_the_term_before_deadline_notifies_citizen(file_question, make_user):
    q = _extendable(file_question)
    admin = make_user("admin")
    limit = rules.max_extension_date(q)
    assert q.due_on == date(2026, 3, 24) and limit == rules.due_date(date(2026, 3, 2), 30)
    with time.freeze(datetime(2026, 3, 20, 15, 0)):
        with pytest.raises(commands.WorkflowError, match="doble"):
            commands.extend(
                q, admin, time.add_business_days(limit, 1), "Falta información de otra dependencia"
            )
        with pytest.raises(commands.WorkflowError, match="motivo"):
            commands.extend(q, admin, limit, "corto")
        with pytest.raises(commands.WorkflowError, match="día hábil"):
            commands.extend(q, admin, date(2026, 4, 4), "Falta información de otra dependencia")  # a Saturday
        commands.extend(q, admin, limit, "Falta información de otra dependencia")
        with pytest.raises(commands.WorkflowError, match="ya se amplió"):
            commands.extend(q, admin, limit, "Otra vez más tiempo por favor")
    assert q.due_on == limit and q.initial_due_on == date(2026, 3, 24)
    notice = db.session.scalar(select(BallotNotice).where(BallotNotice.kind == "extended"))
    assert (
        notice is not None
        and limit.strftime("%d/%m/%Y") in notice.body
        and "Falta información" in notice.body
    )


def test_extension_after_deadline_is_refused(file_question, make_user):
    q = _extendable(file_question)
    with time.freeze(datetime(2026, 3, 25, 15, 0)):
        with pytest.raises(commands.WorkflowError, match="venció"):
            commands.extend(
                q, make_user("admin"), rules.max_extension_date(q), "Falta información de otra dependencia"
            )


def test_extension_is_shown_to_the_citizen_at_lookup(client, file_question, make_user):
    receipt = file_question()
    q = receipt.question
    with time.freeze(time.now()):
        commands.extend(
            q, make_user("admin"), rules.max_extension_date(q), "Se requiere visita técnica al sitio"
        )
    client.submit("/urna/seguimiento", {"radicado": q.radicado, "code": receipt.code})
    html = client.get(f"/urna/seguimiento/{q.radicado}").get_data(as_text=True)
    assert "La entidad amplió el plazo" in html and "Se requiere visita técnica" in html
