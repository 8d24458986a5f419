import pytest

from tests.core.isolated_client import IsolatedClient


@pytest.fixture
def client(app):
    """Each request in its own app context (see tests/core/isolated_client.py)."""
    return IsolatedClient(app.test_client())
