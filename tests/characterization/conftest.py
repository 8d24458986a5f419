"""Fixtures for the characterisation tests: events, to store profiles through the real sign-in flows."""

from tests.events.conftest import make_event  # noqa: F401  (fixture for this folder)
