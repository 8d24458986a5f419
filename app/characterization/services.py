"""Recording characterisation answers and consent.

Capability services call `record(section, context)` inside their own transaction (they commit),
then link their identity row, if any, to the returned consent record — never to the profile.
The profile itself is not written in that transaction: once the session commits it goes to the
profile buffer (`buffer.py`), which writes profiles in shuffled batches of at least k, so no
database join pairs it with the identity stored alongside. A rollback drops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.catalogs import queries as catalogs
from app.characterization.disclosure import new_record_key
from app.characterization.forms import SENSITIVE, VARIABLES, minor_codes
from app.characterization.models import ConsentRecord, Profile, ProfileDisability
from app.core import time
from app.core.db import random_id
from app.extensions import db

PREFER_NOT = {"99", "9"}
NO_DISABILITY = "08"


@dataclass(frozen=True)
class Context:
    """Where an answer comes from: capability ("events"…), object id, date, channel."""

    capability: str
    object_id: str | int
    on_date: date | None = None
    channel: str = "web"


@dataclass(frozen=True)
class Outcome:
    consent: ConsentRecord | None  # None: no consent given, nothing personal stored
    stored_profile: bool
    sensitive_dropped: bool  # a minor without a guardian's consent: sensitive answers not kept
    profile: Profile | None = None  # the stored profile (for responses that may hold profile_id)

    @property
    def consented(self) -> bool:
        return self.consent is not None


def answers_from(section) -> dict:
    """The section's answers as a plain dict (only the fields the form asked)."""
    data = {}
    for name in (*VARIABLES, "zone", "territory", "subterritory", "organisation"):
        if name in section._fields:
            value = section[name].data
            data[name] = value if value not in ("", None, []) else None
    return data


def keep_for_minor(answers: dict, *, minor: bool, guardian_ok: bool) -> bool:
    """The one home of the minors rule (Ley 1581, art. 7; Decreto 1377, art. 12): the sensitive
    answers of a person under 18 are kept only with a legal representative's authorisation.
    Clears them in `answers` otherwise; returns whether any answer was dropped."""
    if not minor or guardian_ok:
        return False
    dropped = any(answers.get(k) for k in SENSITIVE)
    for key in SENSITIVE:
        answers[key] = [] if key == "disability" else None
    return dropped


def is_minor(answers: dict, *, declared: bool = False) -> bool:
    """Under 18: by the age band answered, or declared elsewhere (e.g. a minor's ID document)."""
    return declared or answers.get("life_course") in minor_codes()


def _prepared(section, *, minor: bool = False) -> tuple[dict, bool, bool, bool]:
    """(answers to keep, minor, guardian consent given, sensitive answers dropped)."""
    answers = answers_from(section)
    minor = is_minor(answers, declared=minor)
    guardian_ok = bool(
        getattr(section, "guardian_consent", None)
        and section.guardian_consent.data
        and section.guardian_name.data
    )
    dropped = keep_for_minor(answers, minor=minor, guardian_ok=guardian_ok)
    return answers, minor, guardian_ok, dropped


def record(section, context: Context, *, buffered: bool = True, add_profile: bool = True) -> Outcome:
    """Store consent proof and an unlinkable profile for a submitted section (no commit).

    Without consent nothing is stored. A minor (age band under 18) without a guardian's name and
    consent keeps only the non-sensitive answers. The consent proof is added to the session; the
    profile goes to the profile buffer when the session commits (`buffered=True`, for every form
    that stores an identity). `buffered=False` adds it to the session instead, for a response that
    stores no identity and must point to its profile (a survey answer, an open consultation);
    with `add_profile=False` too, the profile is only built (the caller buffers it with rows of its
    own, `buffer_after_commit(profile, attach=...)`).
    """
    if not section.consent.data:
        return Outcome(consent=None, stored_profile=False, sensitive_dropped=False)
    answers, minor, guardian_ok, dropped = _prepared(section)
    consent = ConsentRecord(
        id=random_id(),
        policy_version=current_app.config["PARTICIPA_PRIVACY_POLICY_VERSION"],
        given_at=time.now(),
        channel=context.channel,
        capability=context.capability,
        minor=minor,
        guardian_name=section.guardian_name.data if (minor and guardian_ok) else None,
        guardian_consent=minor and guardian_ok,
    )
    profile = build_profile(answers, context)
    db.session.add(consent)
    if buffered:
        buffer_after_commit(profile)
    elif add_profile:
        db.session.add(profile)
    return Outcome(consent=consent, stored_profile=True, sensitive_dropped=dropped, profile=profile)


def consent_values(capability: str, channel: str, *, minor: bool = False) -> dict:
    """Column values of a consent proof for the first step of a sign-in (identity side: the
    signature points to it; no profile ever does)."""
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


def record_answers(section, context: Context, *, minor: bool = False) -> bool:
    """The optional second step of a sign-in: buffer the profile now (the person consented in the
    first step). For a minor whose legal representative authorised the sensitive questions, the
    proof of that authorisation is stored (identity side, like any consent proof; it points to
    nothing and no profile points to it). Returns whether the minors rule dropped answers."""
    from app.characterization import buffer

    answers, minor, guardian_ok, dropped = _prepared(section, minor=minor)
    if minor and guardian_ok:
        values = consent_values(context.capability, context.channel, minor=True)
        values.update(guardian_name=section.guardian_name.data, guardian_consent=True)
        db.session.add(ConsentRecord(**values))
        db.session.commit()
    buffer.put_profile(build_profile(answers, context))
    return dropped


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


def preview(section) -> dict:
    """What `record()` would store for this section, with labels, storing nothing (staff preview).

    {"consented", "sensitive_dropped", "minor", "answers": [(question, answer label)]}"""
    from app.characterization import queries

    if not section.consent.data:
        return {"consented": False, "sensitive_dropped": False, "minor": False, "answers": []}
    answers, minor, _guardian_ok, dropped = _prepared(section)
    names = queries.variable_labels()
    shown = []
    for name, value in answers.items():
        if name == "organisation":
            shown.append((str(section.organisation.label.text), value or ""))
            continue
        variable = "disability_type" if name == "disability" else name
        labels = queries.code_labels(variable)
        text = (
            "; ".join(labels.get(v, v) for v in value)
            if isinstance(value, list)
            else labels.get(value or "", value)
        )
        shown.append((names.get(variable, name), text))
    return {"consented": True, "sensitive_dropped": dropped, "minor": minor, "answers": shown}


def territory_of(territory: str | None, subterritory: str | None) -> str | None:
    """The comuna/corregimiento a profile stores: the parent of its barrio or vereda when it has
    one (every flow, web, paper, import or demo, stores both levels the same way, so a filter by
    comuna counts everyone of its barrios), else what was answered."""
    if subterritory:
        return catalogs.territory_parents().get(subterritory, territory)
    return territory


def align_territories(reason: str) -> int:
    """Set the comuna/corregimiento of stored profiles whose barrio or vereda belongs to another
    one (or that left it empty): the barrio is the more precise answer. One UPDATE per comuna,
    one audit entry with the reason and how many profiles changed; returns that number."""
    from sqlalchemy import and_, or_, update

    from app.core import audit

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


def build_profile(answers: dict, context: Context) -> Profile:
    """A Profile from an answers dict (also used by paper entry, imports and demo data)."""
    disabilities = [c for c in (answers.get("disability") or []) if c]
    values = {
        k: answers.get(k)
        for k in (
            "life_course",
            "sex",
            "gender_identity",
            "sexual_orientation",
            "ethnicity",
            "victim",
            "migrant",
            "campesino",
            "zone",
            "territory",
            "subterritory",
            "value_group",
            "organisation",
        )
    }
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


# ---------------------------------------------------------------------------- asked once per browser

_ANSWERED = "characterized"


def mark_answered(capability: str, object_id) -> None:
    """Remember in the signed session cookie that this browser answered the characterisation for
    this object (an event's second step): the event's survey does not ask it again. The cookie
    holds the object only, nothing that points to the stored profile."""
    from flask import session

    keys = [k for k in session.get(_ANSWERED, []) if k != f"{capability}:{object_id}"]
    session[_ANSWERED] = [*keys[-9:], f"{capability}:{object_id}"]


def answered_here(capability: str, object_id) -> bool:
    from flask import has_request_context, session

    return has_request_context() and f"{capability}:{object_id}" in session.get(_ANSWERED, [])
