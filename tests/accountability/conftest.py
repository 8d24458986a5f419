"""Fixtures for the accountability report and open data: the whole demo, loaded once per test."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.core import registry, time


@pytest.fixture
def demo(app, db):
    from app.catalogs import commands as catalogs

    with time.freeze(datetime(2026, 11, 25, 15, 0)):
        catalogs.load("medellin")
        with app.test_request_context("/", base_url=app.config["PARTICIPA_BASE_URL"]):
            for _order, _name, step in sorted(registry.get().demo, key=lambda s: s[0]):
                step()
        yield
