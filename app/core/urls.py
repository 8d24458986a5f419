"""The URL tables of the capability packages (`app/<package>/blueprint.py`).

Each package lists every URL it answers as rows of (blueprint, rule, view, options) and passes
them to `add_urls`, which adds them to their blueprints and returns those blueprints, in the
order they first appear, for the package's `register(app)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint

UrlRow = tuple[Blueprint, str, Callable[..., Any], dict[str, Any]]


def add_urls(urls: Iterable[UrlRow]) -> tuple[Blueprint, ...]:
    blueprints: dict[str, Blueprint] = {}
    for blueprint, rule, view, options in urls:
        blueprint.add_url_rule(rule, view_func=view, **options)
        blueprints.setdefault(blueprint.name, blueprint)
    return tuple(blueprints.values())
