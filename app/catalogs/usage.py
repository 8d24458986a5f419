"""Which records use a catalog entry: capabilities register a checker, and an entry in use cannot be
deleted (only deactivated)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

# Capabilities register checkers: (kind, list_key, code) -> number of records using the entry.
# kind is "option", "territory" or "office"; list_key is None for territories and offices.
UsageChecker = Callable[[str, str | None, str], int]


def usage_checkers() -> list[UsageChecker]:
    return current_app.extensions.setdefault("participa_catalog_usage", [])


def register_usage_checker(app, checker: UsageChecker) -> None:
    app.extensions.setdefault("participa_catalog_usage", []).append(checker)


def usage(kind: str, list_key: str | None, code: str) -> int:
    """How many records of every capability use this entry."""
    return sum(check(kind, list_key, code) for check in usage_checkers())
