"""One permission check (app.core.auth.may) for every role × office scope × object, and the SQL
scope agrees with it row by row."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import literal_column, select, union_all

from app.core import time
from app.core.auth import may, scope_condition
from app.events.models import Event, EventOffice
from app.extensions import db

# Objects as each capability asks about them: the offices that own (or share) the object; an
# empty list is content of the whole entity.
OBJECTS = {
    "event of DAP and SGOB": ["DAP", "SGOB"],
    "consultation of DAP": ["DAP"],
    "ballot question of SHAC": ["SHAC"],
    "survey of the whole entity": [],
}

USERS = {  # name: (role, offices)
    "admin": ("admin", ()),
    "editor of every office": ("editor", ()),
    "editor of DAP": ("editor", ("DAP",)),
    "editor of SGOB": ("editor", ("SGOB",)),
    "editor of SHAC and SSUM": ("editor", ("SHAC", "SSUM")),
    "analyst": ("analyst", ()),
    "steward": ("steward", ()),
}

EDIT = {  # who may change each object ("content.edit")
    "event of DAP and SGOB": {"admin", "editor of every office", "editor of DAP", "editor of SGOB"},
    "consultation of DAP": {"admin", "editor of every office", "editor of DAP"},
    "ballot question of SHAC": {"admin", "editor of every office", "editor of SHAC and SSUM"},
    "survey of the whole entity": {"admin", "editor of every office"},
}


@pytest.fixture
def users(make_user):
    return {
        name: make_user(role, email=f"user{i}@prueba.gov.co", offices=offices)
        for i, (name, (role, offices)) in enumerate(USERS.items())
    }


@pytest.mark.parametrize("obj", OBJECTS)
def test_who_may_edit_each_object(users, obj):
    allowed = {name for name, user in users.items() if may(user, "content.edit", OBJECTS[obj])}
    assert allowed == EDIT[obj]


def test_permissions_without_an_object_follow_the_role(users):
    assert {n for n, u in users.items() if may(u, "exports.personal")} == {"steward"}
    assert {n for n, u in users.items() if may(u, "dashboards.view")} == {"admin", "analyst", "steward"}
    assert {n for n, u in users.items() if may(u, "content.view")} == set(USERS)
    assert not any(may(u, "no.such.permission") for u in users.values())


def test_a_deactivated_or_anonymous_user_may_nothing(users):
    admin = users["admin"]
    admin.active = False
    assert not may(admin, "content.view")
    assert not may(None, "content.view")


def test_user_can_is_the_same_check_as_may(users):
    from app.core.auth import PERMISSIONS

    for user in users.values():
        for permission in (*PERMISSIONS, "no.such.permission"):
            assert user.can(permission) == may(user, permission), (user.email, permission)
    steward = users["steward"]
    steward.active = False
    assert not steward.can("exports.personal") and not steward.can("content.view")


def test_the_sql_scope_selects_exactly_the_rows_may_allows(users):
    codes = ["DAP", "SGOB", "SHAC", "SSUM", "SGEN"]
    rows = union_all(*[select(literal_column(f"'{c}'").label("office")) for c in codes]).subquery()
    for name, user in users.items():
        if not may(user, "content.edit"):
            continue
        seen = set(db.session.scalars(select(rows.c.office).where(scope_condition(user, rows.c.office))))
        assert seen == {c for c in codes if may(user, "content.edit", [c])}, name


def test_edit_pages_answer_as_may_decides(app, users):
    from tests.conftest import Client

    event = Event(
        kind="AUD",
        title="Audiencia de rendición de cuentas",
        status="published",
        starts_at=time.now(),
        ends_at=time.now() + timedelta(hours=2),
        place="Casa de la Cultura",
        territory="01",
        token=secrets.token_urlsafe(16),
        secret=secrets.token_urlsafe(32),
        short_code="ABCD234",
        opens_before_min=60,
        closes_after_min=60,
    )
    event.offices = [EventOffice(office_code="DAP")]
    db.session.add(event)
    db.session.commit()
    for name, user in users.items():
        browser = Client(app.test_client())
        browser.login(user)
        status = browser.get(f"/gestion/eventos/{event.id}/editar").status_code
        assert status == (200 if may(user, "content.edit", ["DAP"]) else 403), name
