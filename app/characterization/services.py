"""Recording characterisation answers and consent.

Capability services call `record(section, context)` inside their own transaction (they commit),
then link their identity row, if any, to the returned consent record — never to the profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy.orm.attributes import instance_state

from app.characterization.disclosure import new_record_key
from app.characterization.forms import SENSITIVE, VARIABLES, minor_codes
from app.characterization.models import ConsentRecord, Profile, ProfileDisability
from app.core import time
from app.core.db import RowBatch, random_id
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


def _prepared(section) -> tuple[dict, bool, bool, bool]:
    """(answers to keep, minor, guardian consent given, sensitive answers dropped)."""
    answers = answers_from(section)
    minor = answers.get("life_course") in minor_codes()
    guardian_ok = bool(getattr(section, "guardian_consent", None) and section.guardian_consent.data
                       and section.guardian_name.data)
    dropped = False
    if minor and not guardian_ok:
        dropped = any(answers.get(k) for k in SENSITIVE)
        for key in SENSITIVE:
            answers[key] = None
    return answers, minor, guardian_ok, dropped


def record(section, context: Context, *, add: bool = True) -> Outcome:
    """Store consent proof and an unlinkable profile for a submitted section (no commit).

    Without consent nothing is stored. A minor (age band under 18) without a guardian's name and
    consent keeps only the non-sensitive answers. With `add=False` the rows are only built (ids
    included); `add_rows(outcome, batch)` then stores them with the caller's row in one go.
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
    if add:
        db.session.add_all((consent, profile))
    return Outcome(consent=consent, stored_profile=True, sensitive_dropped=dropped, profile=profile)


def add_rows(outcome: Outcome, batch: RowBatch) -> None:
    """Put what `record(..., add=False)` built (consent proof, profile, disability answers) into
    `batch`, to be stored together with the caller's own row: for the busiest form, the event
    sign-in."""
    if outcome.consent is None:
        return
    for row in (outcome.consent, outcome.profile, *outcome.profile.disabilities):
        table = type(row).__table__
        batch.add(table, {key: value for key, value in instance_state(row).dict.items() if key in table.c})


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
        text = "; ".join(labels.get(v, v) for v in value) if isinstance(value, list) else labels.get(value or "", value)
        shown.append((names.get(variable, name), text))
    return {"consented": True, "sensitive_dropped": dropped, "minor": minor, "answers": shown}


def build_profile(answers: dict, context: Context) -> Profile:
    """A Profile from an answers dict (also used by paper entry, imports and demo data)."""
    disabilities = [c for c in (answers.get("disability") or []) if c]
    profile = Profile(
        id=random_id(),
        record_key=new_record_key(),  # set here so the disability rows carry the same key
        capability=context.capability,
        object_id=str(context.object_id),
        on_date=context.on_date or time.today(),
        channel=context.channel,
        **{k: answers.get(k) for k in ("life_course", "sex", "gender_identity", "sexual_orientation", "ethnicity",
                                       "victim", "migrant", "campesino", "zone", "territory", "subterritory",
                                       "value_group", "organisation")},
    )
    if disabilities:
        real = [c for c in disabilities if c not in PREFER_NOT and c != NO_DISABILITY]
        profile.has_disability = True if real else (False if NO_DISABILITY in disabilities else None)
        profile.disabilities = [ProfileDisability(profile_id=profile.id, code=c,
                                                  record_key=profile.record_key)
                                for c in sorted(set(disabilities))]
    return profile
