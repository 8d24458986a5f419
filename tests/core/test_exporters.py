"""The exporter registry (app/core/exports.py): every file that can leave the database is
declared once, with who may take it; personal data only ever leaves to the data steward, and an
export a view forgot to guard is refused by the registry itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask_login import login_user
from werkzeug.exceptions import Forbidden

from app.core import auth, export_files, exports

APP = Path(__file__).resolve().parents[2] / "app"
EXPORT_CALLS = {"csv_response", "xlsx_response", "workbook_response", "audit_export"}


def _keys_in_code() -> set[str]:
    """Every literal export key the code passes (keyword `what=`, or audit_export's 2nd argument)."""
    keys = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            values = [k.value for k in node.keywords if k.arg == "what"]
            if name == "audit_export" and len(node.args) > 1:
                values.append(node.args[1])
            if name not in EXPORT_CALLS and not (values and ("export" in name or "download" in name)):
                continue
            for value in values:
                if isinstance(value, ast.Constant):
                    keys.add(value.value)
                elif isinstance(value, ast.JoinedStr) and isinstance(value.values[0], ast.Constant):
                    keys.add(value.values[0].value + "x")  # f"opendata.{key}": its family
    return keys


def test_every_export_the_code_makes_is_declared(app):
    keys = _keys_in_code()
    assert len(keys) >= 12  # the scan finds the exports (a broken scan would pass vacuously)
    for key in keys:
        exports.declared(key)  # raises UndeclaredExport


def test_personal_data_only_ever_leaves_to_the_steward(app):
    personal = [e for e in exports.EXPORTERS.values() if e.personal]
    assert {e.key for e in personal} >= {"events.attendance", "characterization.profiles"}
    for exporter in personal:
        roles = set().union(*(auth.PERMISSIONS[p] for p in exporter.permissions))
        assert roles == {"steward"}, f"{exporter.key} can be taken by {roles}"


@pytest.mark.parametrize("role", sorted(auth.ROLES))
def test_who_may_take_each_export_follows_its_declared_permissions(app, db, make_user, role):
    user = make_user(role)
    for exporter in exports.EXPORTERS.values():
        expected = not exporter.permissions or any(role in auth.PERMISSIONS[p] for p in exporter.permissions)
        assert exports.may_take(user, exporter.key) == expected, (role, exporter.key)
    assert exports.may_take(None, "opendata.asistencia")  # open data: anyone
    assert not exports.may_take(None, "events.attendance")


def test_an_export_a_view_forgot_to_guard_is_refused_all_the_same(app, db, make_user):
    analyst = make_user("analyst")
    with app.test_request_context("/gestion/cualquier-vista"):
        login_user(analyst)
        with pytest.raises(Forbidden):
            exports.csv_response("lista.csv", ["nombre"], iter([["Ana"]]), what="events.attendance")
        with pytest.raises(Forbidden):
            exports.xlsx_response("lista.xlsx", [("hoja", ["nombre"], [["Ana"]])], what="events.attendance")
        allowed = exports.csv_response("tablas.csv", ["n"], iter([[1]]), what="characterization.tables")
        assert allowed.status_code == 200


def test_an_undeclared_export_never_leaves_not_even_from_the_queue(app, db, make_user, tmp_path):
    steward = make_user("steward")
    with app.test_request_context("/gestion/x"):
        login_user(steward)
        with pytest.raises(exports.UndeclaredExport):
            exports.csv_response("x.csv", ["a"], iter([["b"]]), what="events.attendance_typo")
    path = tmp_path / "x.csv"
    path.write_text("a\n")
    with pytest.raises(exports.UndeclaredExport):
        export_files.audit_export(steward.id, "characterization.profile", str(path), rows=1)


def test_a_declaration_must_name_real_permissions_and_guard_personal_data():
    with pytest.raises(ValueError):
        exports.declare("x.y", "x", permissions=("exports.everything",), personal=False)
    with pytest.raises(ValueError):
        exports.declare("x.y", "x", permissions=(), personal=True)
    assert "x.y" not in exports.EXPORTERS
