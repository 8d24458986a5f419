"""Running tallies of a consultation (see `ConsultationTally`): added to in the same transaction
as each response, rebuilt from the ballots when needed (`retally`)."""

from __future__ import annotations

from collections import Counter
from functools import cache

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.characterization.models import Profile
from app.consultations.models import RULE_DEVICE, ConsultationChoice, ConsultationResponse, ConsultationTally
from app.extensions import db

# Profile variables counted (territory first). Results can break down by any of them.
DIMENSIONS = (
    "territory",
    "zone",
    "life_course",
    "sex",
    "gender_identity",
    "sexual_orientation",
    "ethnicity",
    "victim",
    "migrant",
    "campesino",
    "value_group",
)


def _keys(profile_values: dict | None, topic_ids, rule: str = RULE_DEVICE) -> list[tuple[str, str, int]]:
    """(dimension, code, topic) keys one response adds 1 to ("rule": the one-per-person rule it
    passed, so results can say how each vote was checked and show verified votes alone)."""
    groups = [("all", ""), ("rule", rule)]
    if profile_values is not None:
        groups.append(("profiled", ""))
        groups += [(d, str(profile_values[d])) for d in DIMENSIONS if profile_values.get(d) not in (None, "")]
    return [(dim, code, tid) for dim, code in groups for tid in (0, *topic_ids)]


def add(consultation_id: int, profile: Profile | None, topic_ids, rule: str = RULE_DEVICE) -> None:
    """Count one response (no commit). Rows are sorted so concurrent transactions lock them in the
    same order (no deadlocks on PostgreSQL)."""
    values = {d: getattr(profile, d) for d in DIMENSIONS} if profile is not None else None
    rows = [
        {"consultation_id": consultation_id, "dimension": d, "code": c, "topic_id": t, "n": 1}
        for d, c, t in sorted(_keys(values, sorted(set(topic_ids)), rule))
    ]
    db.session.execute(_upsert(db.session.get_bind().dialect.name), rows)


def keys_for(profile_values: dict, topic_ids, rule: str = RULE_DEVICE) -> list[tuple[str, str, int]]:
    """The (dimension, code, topic) keys a response with this profile, passed by `rule`, adds 1 to."""
    return _keys({d: profile_values.get(d) for d in DIMENSIONS}, sorted(set(topic_ids)), rule)


def upsert(dialect: str):
    return _upsert(dialect)


@cache
def _upsert(dialect: str):
    """INSERT … ON CONFLICT DO UPDATE n = n + 1 for one tally row, built and compiled once per
    dialect and run for all of a response's rows at once (executemany)."""
    table = ConsultationTally.__table__
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return stmt.on_conflict_do_update(
        index_elements=["consultation_id", "dimension", "code", "topic_id"],
        set_={"n": table.c.n + stmt.excluded.n},
    )


def retally(consultation_id: int) -> int:
    """Rebuild the tallies of a consultation from its ballots (one pass; commits). Returns the
    number of responses counted."""
    counts: Counter = Counter()
    columns = [getattr(Profile, d) for d in DIMENSIONS]
    stmt = (
        select(ConsultationResponse.id, ConsultationResponse.profile_id, ConsultationResponse.rule, *columns)
        .outerjoin(Profile, Profile.id == ConsultationResponse.profile_id)
        .where(ConsultationResponse.consultation_id == consultation_id)
    )
    chosen: dict[str, list[int]] = {}
    for rid, tid in db.session.execute(
        select(ConsultationChoice.response_id, ConsultationChoice.topic_id).where(
            ConsultationChoice.consultation_id == consultation_id
        )
    ):
        chosen.setdefault(rid, []).append(tid)
    total = 0
    for row in db.session.execute(stmt.execution_options(yield_per=5000)):
        total += 1
        values = dict(zip(DIMENSIONS, row[3:], strict=True)) if row[1] is not None else None
        counts.update(_keys(values, chosen.get(row[0], ()), row[2] or RULE_DEVICE))
    db.session.execute(delete(ConsultationTally).where(ConsultationTally.consultation_id == consultation_id))
    rows = [
        {"consultation_id": consultation_id, "dimension": d, "code": c, "topic_id": t, "n": n}
        for (d, c, t), n in sorted(counts.items())
    ]
    if rows:
        db.session.execute(insert(ConsultationTally), rows)
    db.session.commit()
    return total


def read(consultation_id: int, dimension: str) -> dict[tuple[str, str, int], int]:
    """{(dimension, code, topic): n} for "all", "profiled", "rule" and `dimension`."""
    stmt = select(
        ConsultationTally.dimension, ConsultationTally.code, ConsultationTally.topic_id, ConsultationTally.n
    ).where(
        ConsultationTally.consultation_id == consultation_id,
        ConsultationTally.dimension.in_(("all", "profiled", "rule", dimension)),
    )
    return {(d, c, t): n for d, c, t, n in db.session.execute(stmt)}
