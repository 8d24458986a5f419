"""Rules of the urna virtual shared by changes, reads and pages: kinds of request and their legal
terms, deadlines, the radicado and lookup-code formats, and who sees and handles which question.

Who sees and handles a question: admins and editors without offices see every question (they
are the triage desk, and the only ones who see questions nobody has routed yet); an editor with
offices sees the questions routed to those offices. Nothing here writes.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import false

from app.catalogs import queries as catalogs
from app.core import auth, time
from app.core.auth import may
from app.core.hashing import keyed_hash

from .models import BallotQuestion

PREFIX = "UV"
TEXT_MIN, TEXT_MAX = 20, 4000  # a deposit's text
ANSWER_MIN, ANSWER_MAX = 10, 20000
NOTE_MAX = 4000
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


def is_overdue(question: BallotQuestion, today: date | None = None) -> bool:
    return question.status in ("received", "assigned", "in_progress") and question.due_on < (
        today or time.today()
    )


def days_left(question: BallotQuestion, today: date | None = None) -> int:
    """Business days from today to the deadline (negative when overdue)."""
    return time.business_days_between(today or time.today(), question.due_on)


# ---------------------------------------------------------------------------- radicado and lookup code


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
