"""Profile (characterisation answers) and consent proof.

WHY PROFILES ARE NOT LINKABLE TO IDENTITIES
-------------------------------------------
Ley 1581 de 2012 asks us to collect the least data that serves the purpose. Reporting who takes
part (by age band, sex, ethnicity, territory…) needs the *distribution* of answers, never the
answers of a named person. So:

* A `Profile` row carries only the participation context (capability, object id, **date**, not
  time) and the answers. Its primary key is random (no sequence), and on SQLite the table has no
  rowid (WITHOUT ROWID), so neither ids nor storage order reveal when it was written relative to
  an identity row.
* Identity records (an attendance row with name and document, a ballot question with contact
  details) hold **no key** to a profile, and a profile holds no key to them. No join leads from
  a name to answers about ethnicity, disability, orientation, gender identity or victim status.
* `ConsentRecord` is the proof of consent (policy version, time, channel). Identity records point
  to it; it points to nothing. It carries a time, so it must never point to a profile either.

* A profile is never written in the transaction (or the request) that stores an identity: it
  waits in the profile buffer (`buffer.py`) and is written in a shuffled batch of at least k
  profiles of the same kind, so `xmin`, physical order (`ctid`) and commit order show only which
  batch a profile came in, never which identity it belongs to (docs/privacy/storage.md).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.characterization.disclosure import new_record_key
from app.core import time
from app.core.db import random_id
from app.extensions import db

KEYED_INDEX_COLUMNS = (
    "life_course",
    "sex",
    "gender_identity",
    "sexual_orientation",
    "ethnicity",
    "victim",
    "migrant",
    "campesino",
    "has_disability",
    "zone",
    "territory",
    "subterritory",
    "value_group",
    "channel",
)


class Profile(db.Model):
    __tablename__ = "profile"
    # Dashboard queries are GROUP BY one or two answer columns, filtered by context and date.
    # One index per answer column (with the record key, for the cell keys of the disclosure
    # layer) lets SQLite count a whole column from the index alone; the context/date index
    # narrows filtered views.
    __table_args__ = (
        Index("ix_profile_context", "capability", "object_id"),
        Index("ix_profile_capability_date", "capability", "on_date", "record_key"),
        # (answer, record_key): COUNT(*) and SUM(record_key) of a column from the index alone.
        *(Index(f"ix_profile_{name}", name, "record_key") for name in KEYED_INDEX_COLUMNS),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=random_id)
    capability: Mapped[str] = mapped_column(String(30))  # "events", "consultations", "ballot", "surveys"…
    object_id: Mapped[str] = mapped_column(String(40))  # the event/consultation/survey id, as text
    on_date: Mapped[date] = mapped_column(Date, index=True)  # date only, never a time
    channel: Mapped[str] = mapped_column(String(20), default="web")  # web, paper, staff

    # Population
    life_course: Mapped[str | None] = mapped_column(String(10))
    sex: Mapped[str | None] = mapped_column(String(10))
    gender_identity: Mapped[str | None] = mapped_column(String(10))
    sexual_orientation: Mapped[str | None] = mapped_column(String(10))
    # Differential
    ethnicity: Mapped[str | None] = mapped_column(String(10))
    victim: Mapped[str | None] = mapped_column(String(10))
    migrant: Mapped[str | None] = mapped_column(String(10))
    campesino: Mapped[str | None] = mapped_column(String(10))
    has_disability: Mapped[bool | None] = mapped_column(Boolean)  # None: not asked / prefer not to say
    # Territorial
    zone: Mapped[str | None] = mapped_column(String(10))
    territory: Mapped[str | None] = mapped_column(String(40))  # comuna/corregimiento code
    subterritory: Mapped[str | None] = mapped_column(String(40))  # barrio/vereda code
    # Value group
    value_group: Mapped[str | None] = mapped_column(String(10))
    organisation: Mapped[str | None] = mapped_column(String(160))
    # Random key fixed at write time for the cell-key method (disclosure.py); never shown.
    record_key: Mapped[int] = mapped_column(SmallInteger, default=new_record_key)

    disabilities: Mapped[list[ProfileDisability]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class ProfileDisability(db.Model):
    """One disability type declared in a profile (several may apply)."""

    __tablename__ = "profile_disability"
    __table_args__ = (Index("ix_profile_disability_code", "code", "record_key"), {"sqlite_with_rowid": False})

    profile_id: Mapped[str] = mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    # A copy of its profile's record key (writers set it: `build_profile`), so the disability
    # types' cell keys are summed from this table's index alone, and equal those of the same
    # profiles counted through the profile table. A writer that leaves it out gets a random key.
    record_key: Mapped[int] = mapped_column(SmallInteger, default=new_record_key)


# Single-valued variables kept pre-aggregated in `profile_summary` (summary.py); the disability
# types are kept too. The barrio (hundreds of codes), the event and the date are not.
PROFILE_SUMMARY_DIMS = (
    "life_course",
    "sex",
    "gender_identity",
    "sexual_orientation",
    "ethnicity",
    "disability",
    "victim",
    "migrant",
    "campesino",
    "zone",
    "territory",
    "value_group",
    "channel",
)


class ProfileSummary(db.Model):
    """One cell of the dashboard's one- and two-way counts: how many profile records fall in it
    and the sum of their record keys (summary.py). Holds counts only: no id, no date, no row."""

    __tablename__ = "profile_summary"

    var_a: Mapped[str] = mapped_column(String(30), primary_key=True)
    var_b: Mapped[str] = mapped_column(String(30), primary_key=True)  # "" for a one-way cell
    code_a: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" = no answer
    code_b: Mapped[str] = mapped_column(String(40), primary_key=True)
    capability: Mapped[str] = mapped_column(String(30), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    key_sum: Mapped[int] = mapped_column(BigInteger, default=0)  # plain sum; the cell key is mod 256


class ProfileSummaryState(db.Model):
    """Whether the summary is up to date: triggers count every row written to `profile` and
    `profile_disability` (`changes`), the summary's writers count the rows they accounted for
    (`tracked`). The summary is used only while both are equal."""

    __tablename__ = "profile_summary_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    changes: Mapped[int] = mapped_column(BigInteger, default=0)
    tracked: Mapped[int] = mapped_column(BigInteger, default=0)


@event.listens_for(db.metadata, "after_create")
def _summary_state_created(target, connection, **_kw):
    """The state row and the counting triggers, once every table exists (models created without
    migrations: tests, benchmarks). Idempotent."""
    from app.characterization import summary

    summary.install(connection)


class ConsentRecord(db.Model):
    """Proof of prior, express and informed consent (Decreto 1377 de 2013, art. 7)."""

    __tablename__ = "consent_record"

    id: Mapped[str] = mapped_column(String(24), primary_key=True, default=random_id)
    policy_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    channel: Mapped[str] = mapped_column(String(20), default="web")
    capability: Mapped[str] = mapped_column(String(30))
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    guardian_name: Mapped[str | None] = mapped_column(String(160))
    guardian_consent: Mapped[bool] = mapped_column(Boolean, default=False)


class PopulationBaseline(db.Model):
    """One row of a population baseline (e.g. DANE projections): how many people of a group live
    in a territory. Empty group columns mean "all"; the ages are `age_from`..`age_to` in whole
    years (`age_to` None: no upper limit; 0..None: every age). See baseline.py for the CSV."""

    __tablename__ = "characterization_baseline"
    __table_args__ = (
        UniqueConstraint(
            "territory",
            "life_course",
            "sex",
            "age_from",
            "age_to",
            "ethnicity",
            "disability",
            "victim",
            "zone",
            name="uq_characterization_baseline_group",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    territory: Mapped[str] = mapped_column(String(40), default="")  # comuna/corregimiento code
    life_course: Mapped[str] = mapped_column(String(10), default="")
    sex: Mapped[str] = mapped_column(String(10), default="")
    age_from: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    age_to: Mapped[int | None] = mapped_column(Integer)
    ethnicity: Mapped[str] = mapped_column(String(10), default="", server_default="")
    # "1" with a disability, "0" without
    disability: Mapped[str] = mapped_column(String(10), default="", server_default="")
    victim: Mapped[str] = mapped_column(String(10), default="", server_default="")
    zone: Mapped[str] = mapped_column(String(10), default="", server_default="")
    population: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(160), default="")
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)


PROFILE_LISTS = (
    "life_course",
    "sex",
    "gender_identity",
    "sexual_orientation",
    "ethnicity",
    "victim",
    "migrant",
    "campesino",
    "zone",
    "value_group",
)


def catalog_usage(kind: str, list_key: str | None, code: str) -> int:
    """How many profiles use a catalog entry (so it is deactivated, never deleted)."""
    from sqlalchemy import func, or_, select

    if kind == "territory":
        stmt = (
            select(func.count())
            .select_from(Profile)
            .where(or_(Profile.territory == code, Profile.subterritory == code))
        )
    elif kind == "option" and list_key == "disability":
        stmt = select(func.count()).select_from(ProfileDisability).where(ProfileDisability.code == code)
    elif kind == "option" and list_key in PROFILE_LISTS:
        stmt = select(func.count()).select_from(Profile).where(getattr(Profile, list_key) == code)
    else:
        return 0
    return db.session.scalar(stmt) or 0
