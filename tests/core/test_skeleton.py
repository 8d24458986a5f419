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


# The rest of the skeleton: changes in commands.py, reads in queries.py, no services.py.
# `public` (the home page) stores and reads nothing of its own: what it shows comes from the other
# capabilities' `home` hooks, so it has no models, commands or queries.
STORES_NOTHING = {"public"}
CACHE_HELPERS = {"revive", "snapshot", "columns"}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_has_commands_and_queries_and_no_services_module(package):
    folder = APP / package
    assert not (folder / "services.py").exists(), f"app/{package}/services.py: split it into commands/queries"
    if package in STORES_NOTHING:
        assert not (folder / "models.py").exists()
        return
    for module in ("models", "commands", "queries", "forms"):
        assert (folder / f"{module}.py").exists(), f"app/{package}/{module}.py is missing"


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


@pytest.mark.parametrize("package", [p for p in PACKAGES if p not in STORES_NOTHING])
def test_commands_take_typed_data_never_a_form(package):
    for path in (APP / package).glob("commands*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert "forms" not in node.module.split(".")[-1], f"{path}: imports {node.module}"
                assert node.module not in ("flask_wtf", "wtforms"), f"{path}: imports {node.module}"
        for fn in _functions(path):
            for arg in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs):
                assert arg.arg != "form", f"{path}:{fn.lineno}: {fn.name}() takes a form object"


@pytest.mark.parametrize("package", PACKAGES)
def test_forms_live_in_forms_modules(package):
    for path in (APP / package).rglob("*.py"):
        if path.stem == "forms" or path.stem.endswith("_forms"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                assert not bases & {"FlaskForm", "Form"}, f"{path}:{node.lineno}: form class {node.name}"


@pytest.mark.parametrize("package", PACKAGES)
def test_caches_are_declared_with_cached_query_only(package):
    """One cache style: no hand-made SharedCache and no ORM instance rebuilt from cached values
    (the shared blank-page caches of the views are the one exception: they hold rendered HTML)."""
    for path in (APP / package).rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "app.core.cache":
                names = {a.name for a in node.names}
                assert not names & CACHE_HELPERS, f"{path}: uses {names & CACHE_HELPERS}"
                if "SharedCache" in names:
                    assert VIEW_MODULE.match(path.stem), f"{path}: SharedCache outside a view module"
