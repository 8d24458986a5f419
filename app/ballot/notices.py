"""Notices to citizens through an outbox table.

A notice is written in the same transaction as the change it announces, so nothing the citizen
filed depends on the mail server. `deliver_pending()` sends what is due over SMTP; a failure keeps
the notice with its error and a later retry time (back-off up to six hours). `flask participa
send-notices` runs it (put it in cron), and it is also attempted after each deposit, once the
citizen's page has been sent. Without MAIL_SERVER, development writes notices to the log;
production keeps them pending until mail is configured.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from app.core import mail, time
from app.extensions import db

from .models import BallotNotice, BallotQuestion

CLAIM_MINUTES = 10  # a worker that claimed a notice and died releases it after this
MAX_BACKOFF_MINUTES = 360
CODE_PLACEHOLDER = "{{CODE}}"


class MailError(RuntimeError):
    pass


def absolute_url(endpoint: str, **values) -> str:
    """PARTICIPA_BASE_URL + the path of `endpoint` (works in CLI commands too)."""
    base = current_app.config["PARTICIPA_BASE_URL"]
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


def _body(question: BallotQuestion, kind: str, lookup_url: str, answer: str | None = None) -> str:
    """Plain-text body of a notice, in the current locale. The lookup code is a placeholder that
    is filled in at sending time (see BallotNotice.secret)."""
    entity = current_app.config["ENTITY_NAME"]
    q = question
    if kind == "received":
        lines = [
            _("Recibimos tu solicitud en la urna virtual de %(entity)s.", entity=entity),
            "",
            _("Número de radicado: %(radicado)s", radicado=q.radicado),
            _("Código de consulta: %(code)s", code=CODE_PLACEHOLDER),
            _(
                "Plazo para responder: %(days)s días hábiles, a más tardar el %(date)s.",
                days=q.term_days,
                date=q.due_on.strftime("%d/%m/%Y"),
            ),
            "",
            _(
                "Consulta el estado y la respuesta en %(url)s con el radicado y el código. Guarda este "
                "mensaje: el "
                "código no se vuelve a enviar.",
                url=lookup_url,
            ),
        ]
    elif kind == "extended":
        lines = [
            _(
                "No alcanzamos a responder tu solicitud %(radicado)s dentro del plazo inicial (%(initial)s).",
                radicado=q.radicado,
                initial=q.initial_due_on.strftime("%d/%m/%Y"),
            ),
            _("Motivo: %(reason)s", reason=q.extension_reason),
            _(
                "Nueva fecha límite de respuesta: %(date)s (Ley 1755 de 2015, art. 14).",
                date=q.due_on.strftime("%d/%m/%Y"),
            ),
            "",
            _("Consulta el estado en %(url)s.", url=lookup_url),
        ]
    else:
        lines = [
            _("Ya hay respuesta a tu solicitud %(radicado)s:", radicado=q.radicado),
            "",
            answer or "",
            "",
            _("También la puedes ver en %(url)s con el radicado y el código.", url=lookup_url),
        ]
    return "\n".join([_("Hola:"), "", *lines, "", entity]) + "\n"


def queue(
    question: BallotQuestion, kind: str, *, secret: str | None = None, answer: str | None = None
) -> BallotNotice | None:
    """Add a notice for `question` to the outbox (no commit). None when there is no e-mail."""
    if not question.email:
        return None
    with force_locale("en" if question.lang == "en" else "es_CO"):
        subjects = {
            "received": _("Recibimos tu solicitud %(radicado)s", radicado=question.radicado),
            "extended": _(
                "Ampliamos el plazo para responder tu solicitud %(radicado)s", radicado=question.radicado
            ),
            "answered": _("Ya hay respuesta a tu solicitud %(radicado)s", radicado=question.radicado),
        }
        body = _body(question, kind, absolute_url("ballot.lookup"), answer)
    notice = BallotNotice(
        question_id=question.id,
        kind=kind,
        to_address=question.email,
        subject=subjects[kind],
        body=body,
        secret=secret,
        created_at=time.now(),
        next_attempt_at=time.now(),
    )
    db.session.add(notice)
    return notice


def _send_smtp(notice: BallotNotice, body: str) -> None:
    try:
        mail.send([notice.to_address], notice.subject, body)
    except mail.ERRORS as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc


def _deliver(notice: BallotNotice) -> str:
    """Send one notice; return the channel used. Raises MailError when it could not be sent."""
    body = notice.body.replace(CODE_PLACEHOLDER, notice.secret or "")
    if not current_app.config.get("MAIL_SERVER"):
        if current_app.config["PARTICIPA_ENV"] == "production":
            raise MailError("MAIL_SERVER is not configured")
        current_app.logger.warning(
            "Notice (development, not e-mailed) to %s: %s\n%s", notice.to_address, notice.subject, body
        )
        return "log"
    _send_smtp(notice, body)
    return "smtp"


def _claim(notice_id: int) -> bool:
    """Mark a due notice as being sent by this process; False if another process has it."""
    now = time.now()
    result = db.session.execute(
        update(BallotNotice)
        .where(
            BallotNotice.id == notice_id, BallotNotice.sent_at.is_(None), BallotNotice.next_attempt_at <= now
        )
        .values(next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_pending(limit: int = 200, *, ids: list[int] | None = None) -> tuple[int, int]:
    """Send due notices (or only `ids`); return (sent, failed). Each notice is committed on its own."""
    stmt = select(BallotNotice.id).where(
        BallotNotice.sent_at.is_(None), BallotNotice.next_attempt_at <= time.now()
    )
    if ids is not None:
        stmt = stmt.where(BallotNotice.id.in_(ids))
    sent = failed = 0
    for notice_id in db.session.scalars(stmt.order_by(BallotNotice.id).limit(limit)).all():
        if not _claim(notice_id):
            continue
        notice = db.session.get(BallotNotice, notice_id)
        notice.attempts += 1
        try:
            notice.channel = _deliver(notice)
        except MailError as exc:
            backoff = min(5 * 2 ** (notice.attempts - 1), MAX_BACKOFF_MINUTES)
            notice.last_error = str(exc)[:500]
            notice.next_attempt_at = time.now() + timedelta(minutes=backoff)
            failed += 1
            current_app.logger.warning("Notice %s not sent (attempt %s): %s", notice.id, notice.attempts, exc)
        else:
            notice.sent_at, notice.last_error, notice.secret = time.now(), None, None
            sent += 1
        db.session.commit()
    return sent, failed


def retry_now(notice_id: int | None = None) -> None:
    """Make failed notices due again at once (all pending ones, or one)."""
    stmt = update(BallotNotice).where(BallotNotice.sent_at.is_(None))
    if notice_id is not None:
        stmt = stmt.where(BallotNotice.id == notice_id)
    db.session.execute(stmt.values(next_attempt_at=time.now()).execution_options(synchronize_session=False))
    db.session.commit()


def pending(limit: int = 100) -> list[BallotNotice]:
    return list(
        db.session.scalars(
            select(BallotNotice).where(BallotNotice.sent_at.is_(None)).order_by(BallotNotice.id).limit(limit)
        )
    )


def pending_count() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(BallotNotice).where(BallotNotice.sent_at.is_(None))
        )
        or 0
    )


def failing_count() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(BallotNotice)
            .where(
                BallotNotice.sent_at.is_(None),
                or_(BallotNotice.attempts > 0, BallotNotice.last_error.is_not(None)),
            )
        )
        or 0
    )
