"""Citizen side of the urna virtual: kinds and legal terms, radicado, deposit and lookup.

Staff rules live in `workflow.py`, the notice outbox in `notices.py`, read-only queries in
`queries.py`, removal of personal data in `redaction.py`.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.catalogs import queries as catalogs
from app.characterization import services as characterization
from app.core import time
from app.core.hashing import keyed_hash
from app.extensions import db

from .models import BallotActivity, BallotCounter, BallotQuestion

PREFIX = "UV"
TEXT_MIN, TEXT_MAX = 20, 4000
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to copy by hand
CODE_LENGTH = 10

# Kind of deposit -> (label, explanation, legal term code in the catalog list "petition_term").
KINDS: dict[str, tuple] = {
    "question": (
        _l("Pregunta"),
        _l("Quieres saber algo sobre la gestión de la entidad."),
        "PETICION_GENERAL",
    ),
    "proposal": (
        _l("Propuesta"),
        _l("Tienes una idea para mejorar un programa, un servicio o un trámite."),
        "PETICION_GENERAL",
    ),
    "complaint": (
        _l("Comentario, queja o reclamo"),
        _l("Quieres opinar o contar tu inconformidad con un servicio o una actuación."),
        "PETICION_GENERAL",
    ),
    "information": (
        _l("Solicitud de información o documentos"),
        _l("Pides datos, copias o documentos que tiene la entidad."),
        "DOCUMENTOS_INFORMACION",
    ),
    "consultation": (
        _l("Consulta"),
        _l("Pides el concepto de la entidad sobre un tema a su cargo."),
        "CONSULTA",
    ),
    # Data-subject requests (Ley 1581 de 2012, arts. 14 y 15), filed with their own form (app/ballot/habeas).
    "data_consultation": (
        _l("Consulta sobre tus datos personales"),
        _l("Quieres saber qué datos tuyos tiene la entidad y cómo los usa."),
        "HABEAS_CONSULTA",
    ),
    "data_claim": (
        _l("Reclamo sobre tus datos personales"),
        _l("Quieres que actualicemos, corrijamos o borremos tus datos, o revocar tu autorización."),
        "HABEAS_RECLAMO",
    ),
}
DATA_KINDS = ("data_consultation", "data_claim")
# Ley 1755 de 2015, art. 14: used when the catalog entry is missing or has no "dias_habiles".
DEFAULT_TERMS = {
    "PETICION_GENERAL": 15,
    "DOCUMENTOS_INFORMACION": 10,
    "CONSULTA": 30,
    "HABEAS_CONSULTA": 10,
    "HABEAS_RECLAMO": 15,
}  # Ley 1581, arts. 14 y 15
# Ley 1581: a consulta may be extended by at most 5 business days, a reclamo by at most 8.
EXTENSION_DAYS = {"HABEAS_CONSULTA": 5, "HABEAS_RECLAMO": 8}

STATUS_LABELS = {
    "received": _l("Recibida"),
    "assigned": _l("Asignada a una dependencia"),
    "in_progress": _l("En trámite"),
    "answered": _l("Respondida"),
    "closed": _l("Cerrada"),
}


class DepositError(ValueError):
    """A deposit that cannot be accepted (the message is shown to the citizen)."""


@dataclass(frozen=True)
class Receipt:
    question: BallotQuestion
    code: str  # the private lookup code, in clear: shown once, never stored
    consented: bool
    sensitive_dropped: bool
    repeated: bool = False  # the same form was posted again: nothing new was filed


# ---------------------------------------------------------------------------- terms and dates


def kind_label(kind: str) -> str:
    return str(KINDS[kind][0]) if kind in KINDS else kind


def term_days(term_code: str) -> int:
    """Business days of a legal term, read from the catalog (extra.dias_habiles)."""
    for entry in catalogs.options("petition_term", include_inactive=True):
        if entry.code == term_code and entry.extra.get("dias_habiles"):
            return int(entry.extra["dias_habiles"])
    return DEFAULT_TERMS.get(term_code, 15)


def due_date(filed_on: date, days: int) -> date:
    """Deadline: `days` Colombian business days counted from the day after filing."""
    return time.add_business_days(filed_on, days)


def max_extension_date(question: BallotQuestion) -> date:
    """Ley 1755, art. 14 parágrafo: an extended term may not exceed twice the initial one
    (Ley 1581, arts. 14 y 15: data-subject requests, 5 or 8 more business days)."""
    if question.term_code in EXTENSION_DAYS:
        return due_date(question.filed_on, question.term_days + EXTENSION_DAYS[question.term_code])
    return due_date(question.filed_on, 2 * question.term_days)


# ---------------------------------------------------------------------------- radicado


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


def format_radicado(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


def normalise_radicado(value: str) -> str:
    """'uv 2026 123' or 'UV-2026-000123' -> 'UV-2026-000123' ('' when it does not look like one)."""
    match = re.fullmatch(r"\s*UV[\s\-]*(\d{4})[\s\-]*(\d{1,9})\s*", (value or "").upper())
    return format_radicado(int(match.group(1)), int(match.group(2))) if match else ""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


NONCE_RE = re.compile(r"[A-Za-z0-9_\-]{16,64}")


def new_nonce() -> str:
    """The deposit form's one-time mark (sent with the form; secret to that browser)."""
    return secrets.token_urlsafe(24)


def code_for_nonce(nonce: str) -> str:
    """The lookup code of the deposit made with `nonce`: derived with the app's key, so posting the
    same form again shows the same code (the code itself is never stored, only its hash)."""
    digest = bytes.fromhex(keyed_hash("ballot-code", nonce))
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


def nonce_hash(nonce: str) -> str:
    return keyed_hash("ballot-nonce", nonce)


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalise_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:40]


def code_hash(radicado: str, code: str) -> str:
    return keyed_hash("ballot-lookup", f"{radicado}:{normalise_code(code)}")


# ---------------------------------------------------------------------------- deposit


def deposit(
    data: dict, section=None, *, lang: str = "es", channel: str = "web", nonce: str | None = None
) -> Receipt:
    """File a question: radicado, deadline, lookup code, consent and characterisation, notice.

    `data` keys: kind, text, office_code, territory, topic_id, event_id, anonymous, name, email,
    phone. `section` is the characterisation section of the form (or None). Named deposits need
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
        return _deposit(data, section, lang=lang, channel=channel, nonce=nonce)
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


def _deposit(data: dict, section, *, lang: str, channel: str, nonce: str) -> Receipt:
    from . import notices

    kind = data.get("kind")
    if kind not in KINDS:
        raise DepositError(_("Elige el tipo de solicitud."))
    text = (data.get("text") or "").strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise DepositError(
            _("El texto debe tener entre %(min)s y %(max)s caracteres.", min=TEXT_MIN, max=TEXT_MAX)
        )
    anonymous = bool(data.get("anonymous", True))
    outcome = None
    try:
        now = time.now()
        received_local = time.to_local(now)
        year = received_local.year
        number = next_number(year)  # first write of the transaction: takes the lock at once
        radicado = format_radicado(year, number)
        if section is not None:
            outcome = characterization.record(
                section,
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
            office_code=data.get("office_code") or None,
            territory=data.get("territory") or None,
            topic_id=data.get("topic_id") or None,
            event_id=data.get("event_id") or None,
            text=text,
            anonymous=anonymous,
            name=None if anonymous else (data.get("name") or None),
            email=None if anonymous else ((data.get("email") or "").strip().lower() or None),
            phone=None if anonymous else (data.get("phone") or None),
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


# ---------------------------------------------------------------------------- lookup


def lookup(radicado: str, code: str) -> BallotQuestion | None:
    """The question for a radicado and its private code, or None.

    Unknown radicado and wrong code give the same None (and take the same work), so the answer
    reveals nothing about which radicados exist.
    """
    normalised = normalise_radicado(radicado)
    expected = code_hash(normalised or "UV-0000-000000", code)
    question = (
        db.session.scalar(select(BallotQuestion).where(BallotQuestion.radicado == normalised))
        if normalised
        else None
    )
    stored = question.code_hash if question is not None else keyed_hash("ballot-lookup", "none")
    if hmac.compare_digest(stored, expected) and question is not None and normalise_code(code):
        return question
    return None


def by_radicado(radicado: str) -> BallotQuestion | None:
    return db.session.scalar(select(BallotQuestion).where(BallotQuestion.radicado == radicado))


def is_overdue(question: BallotQuestion, today: date | None = None) -> bool:
    return question.status in ("received", "assigned", "in_progress") and question.due_on < (
        today or time.today()
    )


def days_left(question: BallotQuestion, today: date | None = None) -> int:
    """Business days from today to the deadline (negative when overdue)."""
    return time.business_days_between(today or time.today(), question.due_on)
