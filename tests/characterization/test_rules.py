"""The consent and minors rule, case by case: what may be kept of a person's answers.

`rules.what_may_be_kept` is the one place that decides it; every capability (sign-in second
step, paper slips, urna, surveys, consultations, the staff preview) goes through it. Each row of
the table is a situation a citizen, a guardian or an auditor would recognise.
"""

import pytest

from app.characterization.rules import SENSITIVE, what_may_be_kept

ADULT = {"life_course": "AT", "sex": "2", "ethnicity": "5", "victim": "1", "disability": ["02"], "zone": "1"}
MINOR = {"life_course": "AD", "sex": "1", "ethnicity": "1", "victim": "1", "disability": ["03"], "zone": "2"}
MINOR_PLAIN = {"life_course": "IN", "sex": "1", "zone": "1"}  # no sensitive answer given
NO_AGE = {"sex": "2", "gender_identity": "3", "territory": "05"}
CLEARED = {
    "gender_identity": None,
    "sexual_orientation": None,
    "ethnicity": None,
    "victim": None,
    "disability": [],
}

# (case, answers, arguments, stored?, minor?, guardian authorised?, sensitive dropped?, answers kept)
CASES = [
    ("no consent: nothing at all", ADULT, {"consent": False}, False, False, False, False, {}),
    ("no consent, a minor: nothing at all", MINOR, {"consent": False}, False, False, False, False, {}),
    (
        "no consent even with a guardian's authorisation",
        MINOR,
        {"consent": False, "guardian_consent": True, "guardian_name": "Marta"},
        False,
        False,
        False,
        False,
        {},
    ),
    ("adult: everything kept", ADULT, {"consent": True}, True, False, False, False, ADULT),
    (
        "adult: guardian boxes ignored",
        ADULT,
        {"consent": True, "guardian_consent": True, "guardian_name": "Marta"},
        True,
        False,
        False,
        False,
        ADULT,
    ),
    ("no age band: treated as an adult", NO_AGE, {"consent": True}, True, False, False, False, NO_AGE),
    (
        "minor by age band, no guardian: sensitive answers cleared",
        MINOR,
        {"consent": True},
        True,
        True,
        False,
        True,
        {"life_course": "AD", "sex": "1", "zone": "2", **CLEARED},
    ),
    (
        "minor, guardian's box without a name: cleared",
        MINOR,
        {"consent": True, "guardian_consent": True, "guardian_name": ""},
        True,
        True,
        False,
        True,
        {"life_course": "AD", "sex": "1", "zone": "2", **CLEARED},
    ),
    (
        "minor, guardian's name without the box: cleared",
        MINOR,
        {"consent": True, "guardian_consent": False, "guardian_name": "Marta"},
        True,
        True,
        False,
        True,
        {"life_course": "AD", "sex": "1", "zone": "2", **CLEARED},
    ),
    (
        "minor with the guardian's name and box: everything kept",
        MINOR,
        {"consent": True, "guardian_consent": True, "guardian_name": "Marta"},
        True,
        True,
        True,
        False,
        MINOR,
    ),
    (
        "minor who gave no sensitive answer: nothing said to be dropped",
        MINOR_PLAIN,
        {"consent": True},
        True,
        True,
        False,
        False,
        {**MINOR_PLAIN, **CLEARED},
    ),
    (
        "declared minor (ID document) with an adult age band: cleared",
        ADULT,
        {"consent": True, "declared_minor": True},
        True,
        True,
        False,
        True,
        {"life_course": "AT", "sex": "2", "zone": "1", **CLEARED},
    ),
    (
        "declared minor with the guardian's authorisation: kept",
        ADULT,
        {"consent": True, "declared_minor": True, "guardian_consent": True, "guardian_name": "Marta"},
        True,
        True,
        True,
        False,
        ADULT,
    ),
]


@pytest.mark.parametrize(
    ("answers", "arguments", "stored", "minor", "authorised", "dropped", "kept"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_what_may_be_kept(app, catalogs, answers, arguments, stored, minor, authorised, dropped, kept):
    given = {k: list(v) if isinstance(v, list) else v for k, v in answers.items()}
    with app.app_context():
        decision = what_may_be_kept(given, **arguments)
    assert decision.store is stored
    assert decision.minor is minor
    assert decision.guardian_authorised is authorised
    assert decision.guardian_name == (arguments.get("guardian_name") if authorised else None)
    assert decision.sensitive_dropped is dropped
    assert decision.answers == kept
    assert given == answers  # the caller's answers are not changed


def test_every_sensitive_question_is_cleared_for_a_minor_without_authorisation(app, catalogs):
    answers = {"life_course": "PI", **{k: (["02"] if k == "disability" else "1") for k in SENSITIVE}}
    with app.app_context():
        decision = what_may_be_kept(answers, consent=True)
    assert decision.minor and decision.sensitive_dropped
    assert all(not decision.answers[k] for k in SENSITIVE)
    assert decision.answers["life_course"] == "PI"


def test_no_other_module_decides_who_is_a_minor():
    """The age test (`minor_codes`) is read by the rule only: a second copy elsewhere could
    disagree with it (a new age band, a channel that forgets the guardian)."""
    from pathlib import Path

    app_dir = Path(__file__).resolve().parents[2] / "app"
    readers = sorted(
        str(path.relative_to(app_dir))
        for path in app_dir.rglob("*.py")
        if "minor_codes" in path.read_text(encoding="utf-8")
    )
    assert readers == ["characterization/rules.py"]
