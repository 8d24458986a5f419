"""Every change of the urna virtual, one transaction each (the whole change is committed or
nothing): the citizen's deposit, and the staff's routing, notes, the answer path (draft →
approved → published), extensions, closing and the public archive version.

Approval follows the four-eyes rule: the person who wrote the last version of a draft cannot
approve it; another editor who handles the question, or an admin, does. Functions take plain
values (a `Deposit`, texts, dates); refusals raise `DepositError` or `WorkflowError` with a
message for the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.characterization import commands as characterization
from app.characterization.rules import Answers
from app.core import audit, time
from app.extensions import db

from . import notices, redaction
from .models import OPEN_STATUSES, BallotActivity, BallotAnswer, BallotCounter, BallotQuestion
from .rules import (
    ANSWER_MAX,
    ANSWER_MIN,
    DATA_KINDS,
    KINDS,
    NONCE_RE,
    NOTE_MAX,
    TEXT_MAX,
    TEXT_MIN,
    code_for_nonce,
    code_hash,
    due_date,
    format_code,
    format_radicado,
    max_extension_date,
    new_nonce,
    nonce_hash,
    term_days,
)


class DepositError(ValueError):
    """A deposit that cannot be accepted (the message is shown to the citizen)."""


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


@dataclass(frozen=True)
class Deposit:
    """What a citizen files (plain data, already checked by the form; `deposit` checks again)."""

    kind: str
    text: str
    office_code: str | None = None
    territory: str | None = None
    topic_id: int | None = None
    event_id: int | None = None
    anonymous: bool = True
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Receipt:
    question: BallotQuestion
    code: str  # the private lookup code, in clear: shown once, never stored
    consented: bool
    sensitive_dropped: bool
    repeated: bool = False  # the same form was posted again: nothing new was filed


# ---------------------------------------------------------------------------- radicado and deposit


def next_number(year: int) -> int:
    """Take the next consecutive number of `year` inside the caller's transaction (no commit).

    The year row is created with an insert-or-ignore; the increment is one `UPDATE … RETURNING`
    that locks the row until the caller commits or rolls back. A rollback gives the number back,
    so numbers have no gaps; concurrent deposits wait for each other on that row.
    """
    bind = db.session.get_bind()
    dialect = bind.dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        db.session.execute(
            insert(BallotCounter).values(year=year, value=0).on_conflict_do_nothing(index_elements=["year"])
        )
    elif db.session.get(BallotCounter, year) is None:  # other databases: insert, and retry on a race
        try:
            with db.session.begin_nested():
                db.session.add(BallotCounter(year=year, value=0))
        except IntegrityError:
            pass
    stmt = (
        update(BallotCounter)
        .where(BallotCounter.year == year)
        .values(value=BallotCounter.value + 1)
        .returning(BallotCounter.value)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).scalar_one()


def deposit(
    data: Deposit,
    profile: Answers | None = None,
    *,
    lang: str = "es",
    channel: str = "web",
    nonce: str | None = None,
) -> Receipt:
    """File a question: radicado, deadline, lookup code, consent and characterisation, notice.

    `data` is what the citizen filed (`Deposit`); `profile`, the characterisation answers and
    consent of the form (`characterization.forms.answers_of`), or None. Named deposits need
    consent (they hold personal data); anonymous ones without consent keep no characterisation
    and no contact. Everything is committed together or not at all.

    `nonce` (the form's one-time mark) makes the deposit idempotent: the same form posted again
    (a double click, a retry after a lost connection, two tabs) files nothing new and gives back
    the first radicado with the same code (`Receipt.repeated`).
    """
    if nonce is None or not NONCE_RE.fullmatch(nonce):
        nonce = new_nonce()
    earlier = _by_nonce(nonce)
    if earlier is not None:
        return earlier
    try:
        return _deposit(data, profile, lang=lang, channel=channel, nonce=nonce)
    except IntegrityError:
        earlier = _by_nonce(nonce)  # the same form, posted at the same moment, won the race
        if earlier is None:
            raise
        return earlier


def _by_nonce(nonce: str) -> Receipt | None:
    question = db.session.scalar(select(BallotQuestion).where(BallotQuestion.nonce_hash == nonce_hash(nonce)))
    if question is None:
        return None
    return Receipt(
        question=question,
        code=format_code(code_for_nonce(nonce)),
        consented=question.consent_id is not None,
        sensitive_dropped=False,
        repeated=True,
    )


def _deposit(data: Deposit, profile: Answers | None, *, lang: str, channel: str, nonce: str) -> Receipt:
    kind = data.kind
    if kind not in KINDS:
        raise DepositError(_("Elige el tipo de solicitud."))
    text = (data.text or "").strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise DepositError(
            _("El texto debe tener entre %(min)s y %(max)s caracteres.", min=TEXT_MIN, max=TEXT_MAX)
        )
    anonymous = bool(data.anonymous)
    outcome = None
    try:
        now = time.now()
        received_local = time.to_local(now)
        year = received_local.year
        number = next_number(year)  # first write of the transaction: takes the lock at once
        radicado = format_radicado(year, number)
        if profile is not None:
            outcome = characterization.record(
                profile,
                characterization.Context("ballot", year, on_date=received_local.date(), channel=channel),
            )
        consented = bool(outcome and outcome.consented)
        if not anonymous and not consented:
            raise DepositError(
                _(
                    "Para guardar tu nombre y tus datos de contacto necesitamos tu autorización. "
                    "Si prefieres no darla, elige enviar sin nombre."
                )
            )
        term_code = KINDS[kind][2]
        days = term_days(term_code)
        filed_on = received_local.date()
        due = due_date(filed_on, days)
        code = code_for_nonce(nonce)
        question = BallotQuestion(
            year=year,
            number=number,
            radicado=radicado,
            received_at=now,
            filed_on=filed_on,
            code_hash=code_hash(radicado, code),
            nonce_hash=nonce_hash(nonce),
            lang=lang if lang in ("es", "en") else "es",
            kind=kind,
            term_code=term_code,
            term_days=days,
            initial_due_on=due,
            due_on=due,
            office_code=data.office_code or None,
            territory=data.territory or None,
            topic_id=data.topic_id or None,
            event_id=data.event_id or None,
            text=text,
            anonymous=anonymous,
            name=None if anonymous else (data.name or None),
            email=None if anonymous else ((data.email or "").strip().lower() or None),
            phone=None if anonymous else (data.phone or None),
            consent_id=outcome.consent.id if consented else None,
            status="received",
        )
        db.session.add(question)
        db.session.flush()
        db.session.add(
            BallotActivity(question_id=question.id, kind="received", actor=channel, at=now, body=radicado)
        )
        if question.email:
            notices.queue(question, "received", secret=format_code(code))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return Receipt(
        question=question,
        code=format_code(code),
        consented=consented,
        sensitive_dropped=bool(outcome and outcome.sensitive_dropped),
    )


# ---------------------------------------------------------------------------- staff: helpers


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
