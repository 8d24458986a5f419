"""The characterisation rules every capability applies: what may be kept of a person's answers.

One rule, one home. Consent and minors are decided here, by `what_may_be_kept`, for every form and
every channel (web, paper list, paper slip, urna, survey, consultation); capabilities call it
(through this package's commands, or directly for rows they write themselves) and never restate
it. Nothing here writes or queries the database, except `minor_codes()`, which reads the age bands
of the catalogue (cached).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.catalogs import queries as catalogs
from app.catalogs.models import CATALOG_MODELS
from app.core.cache import cached_query

# Questions whose answers are sensitive data (Ley 1581 de 2012, art. 5): a minor's are kept only
# with a legal representative's authorisation.
SENSITIVE = ("gender_identity", "sexual_orientation", "ethnicity", "disability", "victim")
PREFER_NOT = {"99", "9"}  # "Prefiero no responder" codes of the catalogues
NO_DISABILITY = "08"


@cached_query(*CATALOG_MODELS, ttl=30.0)
def minor_codes() -> frozenset[str]:
    """Life-course codes whose upper age is under 18."""
    return frozenset(
        e.code
        for e in catalogs.options("life_course", include_inactive=True)
        if e.extra.get("max_age") is not None and e.extra["max_age"] < 18
    )


@dataclass(frozen=True)
class Context:
    """Where an answer comes from: capability ("events"…), object id, date, channel."""

    capability: str
    object_id: str | int
    on_date: date | None = None
    channel: str = "web"


@dataclass(frozen=True)
class Answers:
    """What a person sent in the characterisation section: the answers (question -> code, a list
    of codes for the disability types, the organisation's name) and the consent boxes. Built from
    a validated section by `forms.answers_of`; commands take this, never the form."""

    values: dict
    consent: bool = False
    guardian_consent: bool = False
    guardian_name: str | None = None


@dataclass(frozen=True)
class Kept:
    """The decision of `what_may_be_kept`."""

    store: bool  # consent given: a consent proof and a profile may be stored; else nothing at all
    answers: dict  # the answers that may be stored (a new dict; the one given is not changed)
    minor: bool  # under 18, by the age band answered or declared elsewhere
    guardian_authorised: bool  # a minor whose legal representative authorised (name and consent)
    guardian_name: str | None  # kept in the consent proof only when guardian_authorised
    sensitive_dropped: bool  # sensitive answers were given and are not kept


def what_may_be_kept(
    answers: dict,
    *,
    consent: bool,
    declared_minor: bool = False,
    guardian_consent: bool = False,
    guardian_name: str | None = None,
) -> Kept:
    """The consent and minors rule (Ley 1581 de 2012, arts. 5 and 7; Decreto 1377 de 2013, art. 12).

    - Without the person's consent nothing is kept: no consent proof, no profile, no answer.
    - A person is a minor when the age band answered is under 18 (`minor_codes()`), or when the
      caller declares it (`declared_minor`: e.g. a signature made with a minor's ID document).
    - A minor's sensitive answers (`SENSITIVE`) are kept only when a legal representative
      authorised them: the box ticked and the representative's name written. Otherwise they are
      cleared (None; an empty list for the disability types) and `sensitive_dropped` says whether
      any had been given. The other answers of a minor are kept.
    - An adult's answers are kept as given; guardian fields are ignored.

    `consent` is the consent of the step that stores the profile: a step that follows a consent
    already proven (the second step of an event sign-in, a paper slip whose list was authorised)
    passes True.
    """
    if not consent:
        return Kept(
            store=False,
            answers={},
            minor=False,
            guardian_authorised=False,
            guardian_name=None,
            sensitive_dropped=False,
        )
    kept = dict(answers)
    minor = bool(declared_minor) or kept.get("life_course") in minor_codes()
    authorised = minor and bool(guardian_consent and guardian_name)
    dropped = False
    if minor and not authorised:
        dropped = any(kept.get(k) for k in SENSITIVE)
        for key in SENSITIVE:
            kept[key] = [] if key == "disability" else None
    return Kept(
        store=True,
        answers=kept,
        minor=minor,
        guardian_authorised=authorised,
        guardian_name=guardian_name if authorised else None,
        sensitive_dropped=dropped,
    )


def territory_of(territory: str | None, subterritory: str | None) -> str | None:
    """The comuna/corregimiento a profile stores: the parent of its barrio or vereda when it has
    one (every flow, web, paper, import or demo, stores both levels the same way, so a filter by
    comuna counts everyone of its barrios), else what was answered."""
    if subterritory:
        return catalogs.territory_parents().get(subterritory, territory)
    return territory
