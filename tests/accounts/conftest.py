"""Until the proposed fixes land in tests/conftest.py: an isolated client and a wipe that copes
with self-referential tables (see tests/core/support.py)."""

import pytest

from app.extensions import db as _db
from app.extensions import limiter
from tests.core.support import IsolatedClient, wipe


@pytest.fixture
def client(app):
    return IsolatedClient(app.test_client())


@pytest.fixture(autouse=True)
def _clean(app):
    ctx = app.app_context()
    ctx.push()
    limiter.reset()
    yield
    _db.session.rollback()
    ctx.pop()
    wipe(app)
