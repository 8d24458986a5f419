"""Personal data that expires (Ley 1581 de 2012, principio de temporalidad; Decreto 1377 de 2013,
art. 11) and the data subject's rights (know, update, rectify, delete, revoke).

Capabilities own their tables, so this core module never imports them. Each capability adds, in
its `register(app)`:

- `reg.retention.append(RetentionRule(...))`: one kind of record, its default period, and a
  `purge(cutoff, now) -> int` that deletes or anonymises what is due, inside the caller's
  transaction (no commit);
- `reg.data_subjects.append(DataSubjectSource(...))`: `find(subject) -> [HeldRecord]` (what the
  capability holds for a person's document or contact) and `erase(subject, ids) -> int`.

`run_purge(now=None)` runs every rule in ONE transaction and writes ONE audit entry with the
counts per kind: an exception anywhere rolls everything back. The entity sets the periods on a
staff page (`RetentionSetting`, one row per kind that differs from the default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, Integer, String, delete, select, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import audit, time
from app.core.hashing import document_hash
from app.extensions import db

MAX_DAYS = 36500  # 100 years: "keep" without a silly number
PURGE_LOCK_KEY = 7_318_051_581  # PostgreSQL advisory lock: two purges never run at once


class RetentionSetting(db.Model):
    """A retention period the entity chose for one kind of record (default: the rule's)."""

    __tablename__ = "retention_setting"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    updated_by: Mapped[str] = mapped_column(String(255), default="")


@dataclass(frozen=True)
class RetentionRule:
    """One kind of record with personal data and how long it is kept.

    `purge(cutoff, now)` deletes or anonymises the records whose period ended before `cutoff`
    (= now - days) and returns how many it changed. It runs inside the purge's transaction and
    must not commit, download or send anything.
    """

    kind: str  # stable code, e.g. "attendance_identity"
    label: Callable[[], str]  # lazy, translated per request
    description: Callable[[], str]  # when the period starts and what happens at its end
    default_days: int
    purge: Callable[[datetime, datetime], int]
    min_days: int = 30
    order: int = 50


@dataclass(frozen=True)
class DataSubject:
    """The person of a data-subject request: the document in clear only in memory, for the
    length of one request, plus the contact they gave. Never stored."""

    doc_type: str
    doc_number: str
    email: str = ""
    phone: str = ""

    def document_hash(self, purpose: str) -> str:
        return document_hash(purpose, self.doc_type, self.doc_number)


@dataclass(frozen=True)
class HeldRecord:
    """One record a capability holds about a data subject, as shown to the data steward."""

    id: str  # the capability's own key, as text
    what: str  # e.g. "Asistencia a Audiencia pública de rendición de cuentas (12/03/2026)"
    fields: dict[str, str] = field(default_factory=dict)  # data held: {"Nombre": "…", "Contacto": "…"}
    erasable: bool = True
    note: str = ""  # why it cannot be erased now, or what erasing keeps


@dataclass(frozen=True)
class DataSubjectSource:
    """What one capability holds for a person, and how it deletes or anonymises it.

    `find(subject)` returns the capability's records for the person (matched by the keyed
    document hash of each purpose, or by e-mail/phone where no document is kept).
    `erase(subject, ids)` deletes or anonymises those of `ids` that `find(subject)` returns (never
    any other row), inside the caller's transaction, and returns how many it changed.
    `statement()` is a sentence for the answer when the capability keeps data it cannot link
    to a person by design (characterisation profiles, survey answers).
    """

    name: str
    label: Callable[[], str]
    find: Callable[[DataSubject], list[HeldRecord]]
    erase: Callable[[DataSubject, list[str]], int] | None = None
    statement: Callable[[], str] | None = None
    order: int = 50


# ---------------------------------------------------------------------------- the audit log itself


def _purge_audit(cutoff: datetime, now: datetime) -> int:
    return (
        db.session.execute(
            delete(audit.AuditEntry)
            .where(audit.AuditEntry.at < cutoff)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


AUDIT_RULE = RetentionRule(
    kind="audit_log",
    label=lambda: _l("Registro de auditoría"),
    description=lambda: _l(
        "Entradas del registro de auditoría (ingresos, exportaciones, cambios). Se borran "
        "cuando cumplen el plazo, contado desde la fecha de la entrada."
    ),
    default_days=5 * 365,
    min_days=365,
    purge=_purge_audit,
    order=90,
)


# ---------------------------------------------------------------------------- settings


def rules() -> list[RetentionRule]:
    """Every registered rule (the audit log's included), in display order."""
    from app.core import registry

    return sorted([*registry.get().retention, AUDIT_RULE], key=lambda r: (r.order, r.kind))


def periods() -> dict[str, int]:
    """Effective retention period in days of each kind: the entity's setting or the default."""
    chosen = dict(db.session.execute(select(RetentionSetting.kind, RetentionSetting.days)).tuples().all())
    return {rule.kind: chosen.get(rule.kind, rule.default_days) for rule in rules()}


class SettingsError(ValueError):
    """A period that cannot be set: {kind: message} for the fields in error."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def set_periods(values: dict[str, int], actor) -> dict[str, tuple[int, int]]:
    """Store the entity's periods (days per kind); return {kind: (old, new)} of what changed.

    Every value is checked first (between the rule's minimum and 100 years); nothing is stored
    when one is wrong. One audit entry lists the changes."""
    by_kind = {rule.kind: rule for rule in rules()}
    errors: dict[str, str] = {}
    for kind, days in values.items():
        rule = by_kind.get(kind)
        if rule is None:
            errors[kind] = str(_l("Tipo de registro desconocido."))
        elif not isinstance(days, int) or not rule.min_days <= days <= MAX_DAYS:
            errors[kind] = str(
                _l("Escribe un número de días entre %(min)s y %(max)s.", min=rule.min_days, max=MAX_DAYS)
            )
    if errors:
        raise SettingsError(errors)
    current = periods()
    changes = {kind: (current[kind], days) for kind, days in values.items() if current[kind] != days}
    if not changes:
        return {}
    try:
        for kind, (_old, days) in changes.items():
            setting = db.session.get(RetentionSetting, kind) or RetentionSetting(kind=kind)
            setting.days, setting.updated_at = days, time.now()
            setting.updated_by = getattr(actor, "email", str(actor or ""))
            db.session.add(setting)
        audit.record(
            "retention_changed",
            target="retention",
            details={kind: {"from": old, "to": new} for kind, (old, new) in changes.items()},
            actor=actor,
            commit=False,
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return changes


# ---------------------------------------------------------------------------- the purge


@dataclass(frozen=True)
class PurgeSummary:
    at: datetime
    counts: dict[str, int]  # rows deleted or anonymised per kind
    days: dict[str, int]  # the periods applied
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def run_purge(now: datetime | None = None, *, dry_run: bool = False, actor=None) -> PurgeSummary:
    """Delete or anonymise every record whose retention period has ended, all or nothing.

    Every rule runs inside one transaction; then one audit entry `retention_purge` records the
    counts per kind and the periods applied, and the transaction commits. Any exception rolls
    back everything (no rule's work is kept) and is raised again. `dry_run` counts and rolls
    back. Nothing is exported or sent anywhere. On PostgreSQL a transaction-level advisory lock
    makes a second purge started at the same time wait for the first one.
    """
    now = now or time.now()
    db.session.rollback()  # start from a clean transaction: nothing of the caller's rides along
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PURGE_LOCK_KEY})
        days = periods()
        counts: dict[str, int] = {}
        for rule in rules():
            cutoff = now - timedelta(days=days[rule.kind])
            counts[rule.kind] = int(rule.purge(cutoff, now) or 0)
        summary = PurgeSummary(at=now, counts=counts, days=days, dry_run=dry_run)
        if dry_run:
            db.session.rollback()
            return summary
        audit.record(
            "retention_purge",
            target="retention",
            actor=actor or "purge",
            details={"counts": counts, "days": days, "total": summary.total},
            commit=False,
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return summary


# ---------------------------------------------------------------------------- data-subject requests


def sources() -> list[DataSubjectSource]:
    from app.core import registry

    return sorted(registry.get().data_subjects, key=lambda s: (s.order, s.name))


def holdings(subject: DataSubject) -> list[tuple[DataSubjectSource, list[HeldRecord]]]:
    """What every capability holds for `subject` (read only)."""
    return [(source, source.find(subject)) for source in sources()]


def erase(
    subject: DataSubject,
    selected: dict[str, list[str]],
    *,
    reason: str,
    actor,
    target: str,
    before_commit: Callable[[dict[str, int]], None] | None = None,
) -> dict[str, int]:
    """Delete or anonymise the selected records of `subject` ({source name: [record ids]}).

    Each source only touches rows it finds for the subject. One transaction; one audit entry
    `data_subject_erase` with the counts per source and the reason (no document, no name).
    `before_commit(counts)` lets the caller add its own rows (e.g. a note on the request)."""
    by_name = {s.name: s for s in sources()}
    counts: dict[str, int] = {}
    try:
        for name, ids in selected.items():
            source = by_name.get(name)
            if source is None or source.erase is None or not ids:
                continue
            counts[name] = int(source.erase(subject, [str(i) for i in ids]) or 0)
        audit.record(
            "data_subject_erase",
            target=target,
            actor=actor,
            details={"counts": counts, "reason": reason[:500]},
            commit=False,
        )
        if before_commit is not None:
            before_commit(counts)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return counts
