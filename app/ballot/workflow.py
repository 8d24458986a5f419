"""Staff rules for the urna virtual: who handles what, routing, notes, the answer path
(draft → approved → published), extensions, closing and the public archive version.

Who sees and handles a question: admins and editors without offices see every question (they
are the triage desk, and the only ones who see questions nobody has routed yet); an editor with
offices sees the questions routed to those offices. Approval follows the four-eyes rule: the
person who wrote the last version of a draft cannot approve it; another editor who handles the
question, or an admin, does. Every function commits its whole change or nothing.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import false

from app.core import audit, auth, time
from app.core.auth import may
from app.extensions import db

from . import notices, redaction
from .models import OPEN_STATUSES, BallotActivity, BallotAnswer, BallotQuestion
from .services import DATA_KINDS, KINDS, due_date, max_extension_date, term_days

ANSWER_MIN, ANSWER_MAX = 10, 20000
NOTE_MAX = 4000


class WorkflowError(ValueError):
    """A staff action that cannot be done now (the message is shown to the staff member)."""


class LeftoversError(WorkflowError):
    """The public version still contains text that looks like personal data."""

    def __init__(self, found: list[str]):
        super().__init__(
            _(
                "El texto público todavía parece tener datos personales: %(items)s. Edítalo, o confirma "
                "que son datos institucionales que pueden publicarse.",
                items=", ".join(found[:10]),
            )
        )
        self.found = found


# ---------------------------------------------------------------------------- scope


def sees_everything(user) -> bool:
    """Handles the questions of every office (and the outbox)."""
    return may(user, "content.edit") and auth.entity_wide(user)


def scope_condition(user):
    """SQL condition for the questions `user` may see and handle."""
    if not may(user, "content.edit"):
        return false()
    return auth.scope_condition(user, BallotQuestion.office_code)


def can_handle(user, question: BallotQuestion) -> bool:
    return may(user, "content.edit", [question.office_code] if question.office_code else [])


# ---------------------------------------------------------------------------- helpers


def _log(question: BallotQuestion, user, kind: str, body: str = "") -> None:
    db.session.add(
        BallotActivity(
            question_id=question.id,
            kind=kind,
            actor=getattr(user, "email", str(user)),
            body=body,
            at=time.now(),
        )
    )
    audit.record(
        f"ballot_{kind}",
        target=question.radicado,
        details={"body": body[:200]} if kind != "note" else {},
        actor=user,
        commit=False,
    )


def _commit():
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _require_open(question: BallotQuestion) -> None:
    if question.status not in OPEN_STATUSES:
        raise WorkflowError(_("Esta solicitud ya fue respondida; no se puede cambiar."))


# ---------------------------------------------------------------------------- routing and notes


def route(
    question: BallotQuestion,
    user,
    *,
    office_code: str | None,
    kind: str,
    event_id: int | None = None,
    topic_id: int | None = None,
) -> None:
    """Assign to an office and (re)classify. A new kind recomputes the deadline from the filing
    date, unless the term was already extended."""
    _require_open(question)
    if kind not in KINDS:
        raise WorkflowError(_("Elige un tipo de solicitud válido."))
    if kind != question.kind and (kind in DATA_KINDS or question.kind in DATA_KINDS):
        raise WorkflowError(
            _(
                "Las solicitudes sobre datos personales se radican con su propio formulario: no se "
                "pueden reclasificar."
            )
        )
    changes = []
    if (office_code or None) != question.office_code:
        question.office_code = office_code or None
        changes.append(("assigned", office_code or "—"))
        if office_code and question.status == "received":
            question.status, question.assigned_at = "assigned", time.now()
        if not office_code and question.status == "assigned":
            question.status = "received"
    if kind != question.kind:
        if question.extended_at is not None:
            raise WorkflowError(_("No puedes cambiar el tipo de una solicitud con plazo ampliado."))
        question.kind, question.term_code = kind, KINDS[kind][2]
        question.term_days = term_days(question.term_code)
        question.initial_due_on = question.due_on = due_date(question.filed_on, question.term_days)
        changes.append(("classified", f"{kind} · {question.due_on.isoformat()}"))
    if (event_id or None) != question.event_id or (topic_id or None) != question.topic_id:
        question.event_id, question.topic_id = event_id or None, topic_id or None
        changes.append(("linked", f"event={event_id or '-'} topic={topic_id or '-'}"))
    for kind_, body in changes:
        _log(question, user, kind_, body)
    _commit()


def add_note(question: BallotQuestion, user, body: str) -> None:
    body = (body or "").strip()
    if not body or len(body) > NOTE_MAX:
        raise WorkflowError(_("Escribe la nota (máximo %(max)s caracteres).", max=NOTE_MAX))
    _log(question, user, "note", body)
    _commit()


# ---------------------------------------------------------------------------- answer path


def save_draft(question: BallotQuestion, user, body: str) -> BallotAnswer:
    """Write or rewrite the draft answer. Editing an approved draft sends it back to draft."""
    _require_open(question)
    body = (body or "").strip()
    if not ANSWER_MIN <= len(body) <= ANSWER_MAX:
        raise WorkflowError(
            _("La respuesta debe tener entre %(min)s y %(max)s caracteres.", min=ANSWER_MIN, max=ANSWER_MAX)
        )
    answer = question.answer
    if answer is None:
        answer = BallotAnswer(question=question, body=body)
        db.session.add(answer)
    elif answer.body == body and answer.state == "approved":
        return answer
    answer.body, answer.state = body, "draft"
    answer.drafted_by_id, answer.drafted_at = user.id, time.now()
    answer.approved_by_id = answer.approved_at = None
    if question.status in ("received", "assigned"):
        question.status = "in_progress"
    _log(question, user, "drafted")
    _commit()
    return answer


def approve(question: BallotQuestion, user) -> None:
    _require_open(question)
    answer = question.answer
    if answer is None or answer.state != "draft":
        raise WorkflowError(_("No hay un borrador pendiente de aprobación."))
    if answer.drafted_by_id == user.id:
        raise WorkflowError(
            _("Otra persona debe aprobar la respuesta que redactaste (revisión a cuatro ojos).")
        )
    answer.state, answer.approved_by_id, answer.approved_at = "approved", user.id, time.now()
    _log(question, user, "approved")
    _commit()


def publish_answer(question: BallotQuestion, user) -> None:
    """Send the approved answer to the citizen: status answered, notice queued, timeliness kept."""
    _require_open(question)
    answer = question.answer
    if answer is None or answer.state != "approved":
        raise WorkflowError(_("Solo se puede enviar una respuesta aprobada."))
    now = time.now()
    answered_on = time.to_local(now).date()
    answer.state, answer.published_by_id, answer.published_at = "published", user.id, now
    question.status, question.answered_at = "answered", now
    question.answered_on_time = answered_on <= question.due_on
    question.business_days_to_answer = time.business_days_between(question.filed_on, answered_on)
    notices.queue(question, "answered", answer=answer.body)
    _log(question, user, "answered")
    _commit()


def extend(question: BallotQuestion, user, new_due: date, reason: str) -> None:
    """Ley 1755, art. 14 parágrafo: before the deadline, tell the citizen the reasons and the new
    date, which may not exceed twice the initial term. Only one extension."""
    _require_open(question)
    reason = (reason or "").strip()
    if question.extended_at is not None:
        raise WorkflowError(_("El plazo de esta solicitud ya se amplió una vez."))
    if time.today() > question.due_on:
        raise WorkflowError(_("El plazo ya venció: la ampliación se debe avisar antes del vencimiento."))
    limit = max_extension_date(question)
    if not question.due_on < new_due <= limit:
        raise WorkflowError(
            _(
                "La nueva fecha debe ser posterior al vencimiento actual y no pasar del %(limit)s "
                "(el doble del término inicial).",
                limit=limit.strftime("%d/%m/%Y"),
            )
        )
    if not time.is_business_day(new_due):
        raise WorkflowError(_("La nueva fecha debe ser un día hábil."))
    if not 10 <= len(reason) <= 1000:
        raise WorkflowError(_("Explica el motivo de la ampliación (entre 10 y 1000 caracteres)."))
    question.due_on, question.extended_at, question.extension_reason = new_due, time.now(), reason
    notices.queue(question, "extended")
    _log(question, user, "extended", f"{new_due.isoformat()}: {reason}")
    _commit()


def close(question: BallotQuestion, user) -> None:
    if question.status != "answered":
        raise WorkflowError(_("Solo se cierran solicitudes ya respondidas."))
    question.status, question.closed_at = "closed", time.now()
    _log(question, user, "closed")
    _commit()


# ---------------------------------------------------------------------------- public archive


def suggested_public_version(question: BallotQuestion) -> dict:
    """Automatic first version for the archive: personal data removed from question and answer."""
    answer = question.answer.body if question.answer else ""
    return {
        "title": question.public_title or "",
        "question": redaction.redact(question.text, name=question.name),
        "answer": redaction.redact(answer, name=question.name),
    }


def save_public_version(
    question: BallotQuestion,
    user,
    *,
    title: str,
    question_text: str,
    answer_text: str,
    confirmed: bool = False,
) -> None:
    """Publish the question and its answer in the public archive, edited to remove personal data."""
    if question.status not in ("answered", "closed"):
        raise WorkflowError(_("Solo se publican en el archivo solicitudes ya respondidas."))
    found = redaction.leftovers(f"{title}\n{question_text}\n{answer_text}", name=question.name)
    if found and not confirmed:
        raise LeftoversError(found)
    first = not question.public
    question.public_title, question.public_question, question.public_answer = (
        title,
        question_text,
        answer_text,
    )
    question.public = True
    if first:
        question.published_public_at = time.now()
    _log(question, user, "archived")
    _commit()


def unpublish(question: BallotQuestion, user) -> None:
    question.public = False
    _log(question, user, "unarchived")
    _commit()
