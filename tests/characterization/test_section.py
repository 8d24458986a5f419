"""The shared characterisation section: consent, sensitive questions, minors, unlinkable storage."""

from flask_wtf import FlaskForm
from sqlalchemy import func, inspect, select
from werkzeug.datastructures import MultiDict
from wtforms import FormField

from app.characterization import commands
from app.characterization.forms import answers_of, profile_section
from app.characterization.models import ConsentRecord, Profile

CTX = commands.Context("events", 7)


def _form(
    app, data: dict, variables=("life_course", "sex", "ethnicity", "disability", "victim", "value_group")
):
    class TestForm(FlaskForm):
        class Meta:
            csrf = False

        profile = FormField(profile_section(variables))

    formdata = MultiDict()
    for key, value in data.items():
        for v in value if isinstance(value, list) else [value]:
            formdata.add(f"profile-{key}", v)
    return TestForm(formdata=formdata)


def test_refusing_consent_stores_nothing(app, db, catalogs):
    with app.test_request_context():
        form = _form(app, {"life_course": "AT", "sex": "2", "territory": "01"})
        assert form.validate()
        outcome = commands.record(answers_of(form.profile.form), CTX)
        db.session.commit()
    assert not outcome.consented
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 0
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 0


def test_skipping_every_sensitive_question_still_submits(app, db, catalogs, drain):
    with app.test_request_context():
        form = _form(app, {"consent": "y", "territory": "05"})
        assert form.validate(), form.errors
        outcome = commands.record(answers_of(form.profile.form), CTX)
        db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 0  # buffered
    drain()
    assert outcome.consented and outcome.stored_profile
    profile = db.session.scalar(select(Profile))
    assert profile.territory == "05" and profile.ethnicity is None and profile.disabilities == []


def test_profile_holds_date_not_time_and_random_id(app, db, catalogs, drain):
    with app.test_request_context():
        form = _form(app, {"consent": "y", "life_course": "JU", "ethnicity": "5", "disability": ["02", "03"]})
        assert form.validate(), form.errors
        commands.record(answers_of(form.profile.form), CTX)
        db.session.commit()
    drain()  # written by the profile buffer, not by the form's own transaction
    profile = db.session.scalar(select(Profile))
    assert len(profile.id) >= 20 and not profile.id.isdigit()
    assert {d.code for d in profile.disabilities} == {"02", "03"} and profile.has_disability is True
    columns = {c["name"] for c in inspect(db.engine).get_columns("profile")}
    assert not any("time" in c or c.endswith("_at") for c in columns)
    fks = inspect(db.engine).get_foreign_keys("profile")
    assert fks == []  # a profile points to nothing


def test_minor_without_guardian_keeps_no_sensitive_answers(app, db, catalogs, drain):
    with app.test_request_context():
        form = _form(app, {"consent": "y", "life_course": "AD", "ethnicity": "1", "victim": "1", "sex": "1"})
        assert form.validate(), form.errors
        outcome = commands.record(answers_of(form.profile.form), CTX)
        db.session.commit()
    drain()  # written by the profile buffer, not by the form's own transaction
    assert outcome.sensitive_dropped
    profile = db.session.scalar(select(Profile))
    assert profile.ethnicity is None and profile.victim is None and profile.sex == "1"


def test_minor_with_guardian_consent_keeps_sensitive_answers(app, db, catalogs, drain):
    with app.test_request_context():
        form = _form(
            app,
            {
                "consent": "y",
                "life_course": "AD",
                "ethnicity": "1",
                "guardian_name": "Marta Gómez",
                "guardian_consent": "y",
            },
        )
        assert form.validate(), form.errors
        outcome = commands.record(answers_of(form.profile.form), CTX)
        db.session.commit()
    drain()  # written by the profile buffer, not by the form's own transaction
    assert not outcome.sensitive_dropped
    assert db.session.scalar(select(Profile)).ethnicity == "1"
    consent = db.session.scalar(select(ConsentRecord))
    assert consent.minor and consent.guardian_consent and consent.guardian_name == "Marta Gómez"


def test_guardian_consent_without_name_is_explained(app, catalogs):
    with app.test_request_context():
        form = _form(app, {"consent": "y", "life_course": "AD", "guardian_consent": "y"})
        assert not form.validate()
        assert "representante legal" in " ".join(form.profile.guardian_name.errors)


def test_invalid_choices_and_markup_are_refused(app, catalogs):
    with app.test_request_context():
        form = _form(
            app, {"sex": "X", "subterritory": "nope", "organisation": "<b>JAC</b>", "value_group": "OSC"}
        )
        assert not form.validate()
        assert (
            form.profile.sex.errors and form.profile.subterritory.errors and form.profile.organisation.errors
        )


def test_section_only_asks_declared_variables(app, catalogs):
    with app.test_request_context():
        form = _form(app, {}, variables=("life_course",))
        names = set(form.profile.form._fields)
        assert "ethnicity" not in names and "value_group" not in names
        assert {"zone", "territory", "subterritory", "consent"} <= names
