"""Every capability package is laid out the same way: one URL table, thin views by audience.

A newcomer who wants to know which function answers a URL reads one file, the package's
`blueprint.py`; views are in `public.py` (citizens) and `staff.py` (staff, under /gestion/), and
carry no route decorators. This test lists the packages under `app/` and fails on one that does
not follow the layout, and on any URL that is not in its package's table.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
PACKAGES = sorted(
    p.name
    for p in APP.iterdir()
    if (p / "__init__.py").exists() and p.name != "core" and not p.name.startswith("_")
)
VIEW_MODULE = re.compile(r"^(public|staff)(_\w+)?$")
ROUTE_DECORATORS = {"route", "get", "post", "put", "delete", "patch"}


def test_the_packages_are_the_ones_documented():
    # a new package is added here on purpose, with the skeleton
    assert PACKAGES == [
        "accountability",
        "accounts",
        "ballot",
        "catalogs",
        "characterization",
        "consultations",
        "events",
        "plans",
        "public",
        "surveys",
        "transparency",
    ]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_has_its_url_table_and_views(package):
    folder = APP / package
    assert (folder / "blueprint.py").exists(), f"app/{package}/blueprint.py is missing"
    views = [p.stem for p in folder.glob("*.py") if VIEW_MODULE.match(p.stem)]
    assert views, f"app/{package} has no public.py or staff.py"
    module = importlib.import_module(f"app.{package}.blueprint")
    assert module.BLUEPRINTS and module.URLS
    for blueprint, rule, view, _options in module.URLS:
        assert blueprint in module.BLUEPRINTS
        where = view.__module__.split(".")
        assert where[:2] == ["app", package], (rule, view.__module__)
        assert VIEW_MODULE.match(where[-1]), (
            f"{rule}: view in {view.__module__}, not in public.py or staff.py"
        )
        staff_url = (blueprint.url_prefix or "").startswith("/gestion")
        assert where[-1].startswith("staff" if staff_url else "public"), (
            f"{blueprint.name}{rule} answers {'staff' if staff_url else 'citizens'} but lives in "
            f"{view.__module__}"
        )


@pytest.mark.parametrize("package", PACKAGES)
def test_no_route_is_declared_outside_the_table(package):
    for path in (APP / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for dec in node.decorator_list:
                    call = dec.func if isinstance(dec, ast.Call) else dec
                    is_route = (
                        isinstance(call, ast.Attribute)
                        and call.attr in ROUTE_DECORATORS
                        and (
                            isinstance(dec, ast.Call)
                            and dec.args
                            and isinstance(dec.args[0], ast.Constant)
                            and str(dec.args[0].value).startswith("/")
                        )
                    )
                    assert not is_route, f"{path}:{dec.lineno}: route declared by a decorator"
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_url_rule"
                and path.name != "blueprint.py"
            ):
                raise AssertionError(f"{path}:{node.lineno}: add_url_rule outside blueprint.py")


def test_every_url_of_the_application_is_in_a_table(app):
    tables = {}
    for package in PACKAGES:
        module = importlib.import_module(f"app.{package}.blueprint")
        for blueprint, _rule, view, _options in module.URLS:
            tables.setdefault(blueprint.name, set()).add(view)
    owned = set(tables)
    for rule in app.url_map.iter_rules():
        name, _, _endpoint = rule.endpoint.rpartition(".")
        if name in owned:
            assert app.view_functions[rule.endpoint] in tables[name], f"{rule.rule} is not in {name}'s table"
