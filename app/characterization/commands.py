"""Recording characterisation answers and consent: every change the package makes.

Capability commands call `record(answers, context)` inside their own transaction (they commit),
then link their identity row, if any, to the returned consent record — never to the profile.
The profile itself is not written in that transaction: once the session commits it goes to the
profile buffer (`buffer.py`), which writes profiles in shuffled batches of at least k, so no
database join pairs it with the identity stored alongside. A rollback drops it.

What may be kept of the answers (consent, minors) is decided by `rules.what_may_be_kept`, the one
home of that rule. `build_profile` and `consent_values` build rows without storing them, for
callers that store them in a batch of their own (paper slips, the sign-in's `RowBatch`, demos).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, event, or_, update
from sqlalchemy.orm import Session

from app.catalogs import queries as catalogs
from app.characterization.disclosure import new_record_key
from app.characterization.models import PROFILE_LISTS, ConsentRecord, Profile, ProfileDisability
from app.characterization.rules import (
    NO_DISABILITY,
    PREFER_NOT,
    Answers,
    Context,
    territory_of,
    what_may_be_kept,
)
from app.core import audit, time
from app.core.db import random_id
from app.extensions import db


@dataclass(frozen=True)
class Outcome:
    consent: ConsentRecord | None  # None: no consent given, nothing personal stored
    stored_profile: bool
    sensitive_dropped: bool  # a minor without a guardian's consent: sensitive answers not kept
    profile: Profile | None = None  # the stored profile (for responses that may hold profile_id)

    @property
    def consented(self) -> bool:
        return self.consent is not None


def record(answers: Answers, context: Context, *, buffered: bool = True, add_profile: bool = True) -> Outcome:
    """Store consent proof and an unlinkable profile for a submitted section (no commit).

    Without consent nothing is stored. A minor (age band under 18) without a guardian's name and
    consent keeps only the non-sensitive answers (`rules.what_may_be_kept`). The consent proof is
    added to the session; the profile goes to the profile buffer when the session commits
    (`buffered=True`, for every form that stores an identity). `buffered=False` adds it to the
    session instead, for a response that stores no identity and must point to its profile (a
    survey answer, an open consultation); with `add_profile=False` too, the profile is only built
    (the caller buffers it with rows of its own, `buffer_after_commit(profile, attach=...)`).
    """
    kept = what_may_be_kept(
        answers.values,
        consent=answers.consent,
        guardian_consent=answers.guardian_consent,
        guardian_name=answers.guardian_name,
    )
    if not kept.store:
        return Outcome(consent=None, stored_profile=False, sensitive_dropped=False)
    consent = ConsentRecord(
        id=random_id(),
        policy_version=current_app.config["PARTICIPA_PRIVACY_POLICY_VERSION"],
        given_at=time.now(),
        channel=context.channel,
        capability=context.capability,
        minor=kept.minor,
        guardian_name=kept.guardian_name,
        guardian_consent=kept.guardian_authorised,
    )
    profile = build_profile(kept.answers, context)
    db.session.add(consent)
    if buffered:
        buffer_after_commit(profile)
    elif add_profile:
        db.session.add(profile)
    return Outcome(
        consent=consent, stored_profile=True, sensitive_dropped=kept.sensitive_dropped, profile=profile
    )


def consent_values(capability: str, channel: str, *, minor: bool = False) -> dict:
    """Column values of a consent proof for the first step of a sign-in (identity side: the
    signature points to it; no profile ever does). Builds, stores nothing."""
    return {
        "id": random_id(),
        "policy_version": current_app.config["PARTICIPA_PRIVACY_POLICY_VERSION"],
        "given_at": time.now(),
        "channel": channel,
        "capability": capability,
        "minor": minor,
        "guardian_name": None,
        "guardian_consent": False,
    }


def record_answers(answers: Answers, context: Context, *, minor: bool = False) -> bool:
    """The optional second step of a sign-in: buffer the profile now (the person consented in the
    first step, so the section's own consent box is not asked again). For a minor whose legal
    representative authorised the sensitive questions, the proof of that authorisation is stored
    (identity side, like any consent proof; it points to nothing and no profile points to it).
    `minor` is declared by the first step (a minor's ID document). Returns whether the minors
    rule dropped answers."""
    from app.characterization import buffer

    kept = what_may_be_kept(
        answers.values,
        consent=True,
        declared_minor=minor,
        guardian_consent=answers.guardian_consent,
        guardian_name=answers.guardian_name,
    )
    if kept.guardian_authorised:
        values = consent_values(context.capability, context.channel, minor=True)
        values.update(guardian_name=kept.guardian_name, guardian_consent=True)
        db.session.add(ConsentRecord(**values))
        db.session.commit()
    buffer.put_profile(build_profile(kept.answers, context))
    return kept.sensitive_dropped


# Profiles waiting for their session to commit (then buffered) or roll back (then dropped).
_PENDING = "characterization_pending_profiles"


def buffer_after_commit(profile: Profile, attach: dict | None = None) -> None:
    """Buffer `profile` (and rows `attach`ed to it, see `buffer.register_writer`) once the current
    session commits; forget it if it rolls back."""
    db.session().info.setdefault(_PENDING, []).append((profile, attach))


@event.listens_for(Session, "after_commit")
def _buffer_pending(session):
    pending = session.info.pop(_PENDING, None)
    if pending:
        from app.characterization import buffer

        for profile, attach in pending:
            buffer.put_profile(profile, attach)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session):
    session.info.pop(_PENDING, None)


def build_profile(answers: dict, context: Context) -> Profile:
    """A Profile from answers the rule let through (`rules.what_may_be_kept(...).answers`), not
    stored: also used by paper entry, imports and demo data."""
    disabilities = [c for c in (answers.get("disability") or []) if c]
    values = {k: answers.get(k) for k in (*PROFILE_LISTS, "territory", "subterritory", "organisation")}
    values["territory"] = territory_of(values["territory"], values["subterritory"])
    profile = Profile(
        id=random_id(),
        record_key=new_record_key(),  # set here so the disability rows carry the same key
        capability=context.capability,
        object_id=str(context.object_id),
        on_date=context.on_date or time.today(),
        channel=context.channel,
        **values,
    )
    if disabilities:
        real = [c for c in disabilities if c not in PREFER_NOT and c != NO_DISABILITY]
        profile.has_disability = True if real else (False if NO_DISABILITY in disabilities else None)
        profile.disabilities = [
            ProfileDisability(profile_id=profile.id, code=c, record_key=profile.record_key)
            for c in sorted(set(disabilities))
        ]
    return profile


def align_territories(reason: str) -> int:
    """Set the comuna/corregimiento of stored profiles whose barrio or vereda belongs to another
    one (or that left it empty): the barrio is the more precise answer. One UPDATE per comuna,
    one audit entry with the reason and how many profiles changed; returns that number."""
    by_parent: dict[str, list[str]] = {}
    for child, parent in catalogs.territory_parents().items():
        by_parent.setdefault(parent, []).append(child)
    changed = 0
    for parent, children in sorted(by_parent.items()):
        stmt = (
            update(Profile)
            .where(
                and_(
                    Profile.subterritory.in_(children),
                    or_(Profile.territory.is_(None), Profile.territory != parent),
                )
            )
            .values(territory=parent)
            .execution_options(synchronize_session=False)
        )
        changed += db.session.execute(stmt).rowcount or 0
    audit.record(
        "characterization_territories_aligned",
        target="profile",
        details={"profiles": changed, "reason": reason},
        commit=False,
    )
    db.session.commit()
    return changed


# ---------------------------------------------------------------------------- asked once per browser

ANSWERED = "characterized"  # session key: "capability:object" of the objects this browser answered


def mark_answered(capability: str, object_id) -> None:
    """Remember in the signed session cookie that this browser answered the characterisation for
    this object (an event's second step): the event's survey does not ask it again. The cookie
    holds the object only, nothing that points to the stored profile."""
    from flask import session

    keys = [k for k in session.get(ANSWERED, []) if k != f"{capability}:{object_id}"]
    session[ANSWERED] = [*keys[-9:], f"{capability}:{object_id}"]
