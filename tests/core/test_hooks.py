"""Hooks are declared once (app/core/hooks.py): a misspelt or mis-shaped provider fails at start-up,
and every declared hook is both provided and called somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core import hooks, registry

APP = Path(__file__).resolve().parents[2] / "app"


def test_connecting_an_undeclared_hook_fails(app):
    with pytest.raises(LookupError, match="not declared"):
        registry.get(app).add_hook("event_optoins", lambda: [])


def test_calling_an_undeclared_hook_fails(app):
    with app.app_context(), pytest.raises(LookupError):
        registry.get().call("no_such_hook")


def test_a_provider_with_the_wrong_parameters_fails(app):
    with pytest.raises(TypeError, match="event_summary"):
        registry.get(app).add_hook("event_summary", lambda: None)


def test_every_declared_hook_is_provided_and_called(app):
    connected = registry.get(app).hooks
    # Callers name a hook as a string literal (reg.call("x", …), or passed on to a helper that
    # calls it); connections (add_hook) and the declarations themselves do not count.
    lines = [
        line
        for p in APP.rglob("*.py")
        if p.name != "hooks.py" or p.parent.name != "core"
        for line in p.read_text(encoding="utf-8").splitlines()
        if "add_hook(" not in line
    ]
    called = set(re.findall(r"""["']([a-z_]+)["']""", "\n".join(lines)))
    for name, hook in hooks.HOOKS.items():
        assert connected.get(name), f"hook {name} is declared but nothing provides it"
        assert name in called, f"hook {name} is declared but nothing calls it"
        assert hook.doc and hook.returns
    assert set(connected) <= set(hooks.HOOKS)
