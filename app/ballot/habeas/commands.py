"""Changes for data-subject requests: filing (citizen) and lookup/erasure (data steward).

Each function is one transaction: it commits its whole change or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import audit, retention, time
from app.core.hashing import document_hash
from app.core.text import document_digits
from app.extensions import db

from .. import notices, rules
from ..commands import Receipt, next_number
from ..models import BallotActivity, BallotQuestion
from .models import PURPOSE, BallotDataRequest

RIGHTS = {
    "know": _l("Conocer qué datos míos tiene la entidad y para qué los usa"),
    "update": _l("Actualizar mis datos"),
    "rectify": _l("Corregir datos que están mal"),
    "delete": _l("Borrar mis datos"),
    "revoke": _l("Revocar la autorización que di para tratar mis datos"),
}
CLAIM_RIGHTS = ("update", "rectify", "delete", "revoke")
DETAILS_MAX = 4000
REASON_MIN, REASON_MAX = 10, 500


class RequestError(ValueError):
    """A request that cannot be filed or an action that cannot be done (message for the person)."""


@dataclass(frozen=True)
class Filing:
    """What `file_request` needs: plain data, already checked by the form."""

    kind: str  # data_consultation or data_claim
    rights: tuple[str, ...]
    name: str
    doc_type: str
    doc_number: str
    email: str
    phone: str
    details: str


def _text(filing: Filing) -> str:
    """The request's text on the radicado: the rights asked for, then the person's words."""
    lines = [str(_l("Derechos que ejerce (Ley 1581 de 2012):"))]
    lines += [f"- {RIGHTS[r]}" for r in filing.rights]
    if filing.details:
        lines += ["", filing.details]
    return "\n".join(lines)


def file_request(filing: Filing, *, lang: str = "es") -> Receipt:
    """File a consulta or a reclamo: radicado of the urna, legal deadline counted in business days
    from the day after filing, a private lookup code, the receipt notice. The document is kept
    only as a keyed hash (to check it when the data steward verifies the person's identity)."""
    if filing.kind not in rules.DATA_KINDS:
        raise RequestError(_("Elige si haces una consulta o un reclamo."))
    rights = tuple(r for r in filing.rights if r in RIGHTS)
    if filing.kind == "data_consultation":
        rights = ("know",)
    elif not any(r in CLAIM_RIGHTS for r in rights):
        raise RequestError(_("Elige qué quieres que hagamos con tus datos."))
    if not filing.name.strip() or not document_digits(filing.doc_number) or not filing.doc_type:
        raise RequestError(_("Escribe tu nombre y tu documento: los necesitamos para encontrar tus datos."))
    if not (filing.email or filing.phone):
        raise RequestError(_("Escribe un correo o un teléfono para responderte."))
    filing = Filing(**{**filing.__dict__, "rights": rights})
    try:
        now = time.now()
        local = time.to_local(now)
        year = local.year
        number = next_number(year)
        radicado = rules.format_radicado(year, number)
        term_code = rules.KINDS[filing.kind][2]
        days = rules.term_days(term_code)
        due = rules.due_date(local.date(), days)
        code = rules.new_code()
        question = BallotQuestion(
            year=year,
            number=number,
            radicado=radicado,
            received_at=now,
            filed_on=local.date(),
            code_hash=rules.code_hash(radicado, code),
            lang=lang if lang in ("es", "en") else "es",
            kind=filing.kind,
            term_code=term_code,
            term_days=days,
            initial_due_on=due,
            due_on=due,
            text=_text(filing),
            anonymous=False,
            name=filing.name.strip(),
            email=(filing.email or "").strip().lower() or None,
            phone=filing.phone or None,
            status="received",
        )
        db.session.add(question)
        db.session.flush()
        db.session.add(
            BallotActivity(question_id=question.id, kind="received", actor="web", at=now, body=radicado)
        )
        db.session.add(
            BallotDataRequest(
                question_id=question.id,
                rights=list(rights),
                doc_type=filing.doc_type,
                doc_hash=document_hash(PURPOSE, filing.doc_type, filing.doc_number),
            )
        )
        if question.email:
            notices.queue(question, "received", secret=rules.format_code(code))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return Receipt(question=question, code=rules.format_code(code), consented=True, sensitive_dropped=False)


# ---------------------------------------------------------------------------- data steward


def verify(request: BallotDataRequest, doc_type: str, doc_number: str) -> retention.DataSubject:
    """The person of `request`, once the steward typed the document they verified. The document
    must be the one given at filing (compared by keyed hash): a request cannot be used to look up
    somebody else."""
    import hmac

    if request.doc_hash is None:
        raise RequestError(
            _("Esta solicitud ya no guarda el documento (se cumplió su plazo de conservación).")
        )
    typed = document_hash(PURPOSE, doc_type, doc_number)
    if not document_digits(doc_number) or not hmac.compare_digest(typed, request.doc_hash):
        raise RequestError(
            _("El documento no coincide con el que la persona dio al radicar. Revisa el tipo y el número.")
        )
    question = request.question
    return retention.DataSubject(
        doc_type=doc_type, doc_number=doc_number, email=question.email or "", phone=question.phone or ""
    )


def _summary(found) -> str:
    lines = []
    for source, records in found:
        lines.append(f"{source.label()}: {len(records)}")
        lines += [f"  - {r.what}" for r in records]
        if source.statement is not None:
            lines.append(f"  {source.statement()}")
    return "\n".join(lines)


def lookup(request: BallotDataRequest, subject: retention.DataSubject, actor):
    """What the entity holds for the person; audited, and noted on the request for whoever
    drafts the answer (staff only)."""
    found = retention.holdings(subject)
    question = request.question
    try:
        now = time.now()
        request.looked_up_at = now
        db.session.add(
            BallotActivity(
                question_id=question.id,
                kind="data_lookup",
                at=now,
                actor=getattr(actor, "email", str(actor)),
                body=_summary(found),
            )
        )
        audit.record(
            "data_subject_lookup",
            target=question.radicado,
            actor=actor,
            commit=False,
            details={"found": {source.name: len(records) for source, records in found}},
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return found


def erase(
    request: BallotDataRequest,
    subject: retention.DataSubject,
    selected: dict[str, list[str]],
    reason: str,
    actor,
) -> dict[str, int]:
    """Delete or anonymise the selected records of the person (a reclamo), with the reason in the
    audit log and a note on the request. All or nothing."""
    question = request.question
    reason = (reason or "").strip()
    if question.kind != "data_claim":
        raise RequestError(
            _("Solo un reclamo permite borrar datos; una consulta se responde sin cambiarlos.")
        )
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise RequestError(
            _("Explica el motivo (entre %(min)s y %(max)s caracteres).", min=REASON_MIN, max=REASON_MAX)
        )
    if not any(selected.values()):
        raise RequestError(_("Elige al menos un registro."))

    def note(counts: dict[str, int]) -> None:
        now = time.now()
        request.acted_at, request.erased = now, counts
        body = ", ".join(f"{name}: {n}" for name, n in counts.items()) + f"\n{reason}"
        db.session.add(
            BallotActivity(
                question_id=question.id,
                kind="data_erased",
                at=now,
                actor=getattr(actor, "email", str(actor)),
                body=body,
            )
        )

    return retention.erase(
        subject, selected, reason=reason, actor=actor, target=question.radicado, before_commit=note
    )
