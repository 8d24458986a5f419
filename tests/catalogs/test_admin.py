"""Admins add, rename, reorder, deactivate and (when unused) delete catalog entries."""

import pytest
from sqlalchemy import select

from app.catalogs import commands, queries
from app.catalogs.models import CatalogEntry, Office, Territory
from app.core.audit import AuditEntry


def _option(db, list_key, code):
    db.session.expire_all()
    return db.session.scalar(
        select(CatalogEntry).where(CatalogEntry.list_key == list_key, CatalogEntry.code == code)
    )


def _act(client, kind, entry_id, action, back):
    return client.submit(f"/gestion/catalogos/{kind}/{entry_id}/{action}", {}, form_url=back)


def test_admin_adds_an_option(client, login_as, db):
    login_as("admin")
    url = "/gestion/catalogos/lista/value_group"
    response = client.submit(
        url, {"code": "ASO", "label_es": "Asociación de usuarios", "label_en": "Users' association"}
    )
    assert response.status_code == 302
    assert ("ASO", "Asociación de usuarios") in queries.choices("value_group")
    assert "Asociación de usuarios" in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "JAC"}, "Ya existe una opción con ese código"),
        ({"code": "con espacio"}, "Usa solo letras sin tilde"),
        ({"label_es": "<b>negrita</b>"}, "sin etiquetas HTML"),
        ({"label_es": ""}, "Escribe el nombre."),
    ],
)
def test_bad_option_is_refused_and_the_input_kept(client, login_as, db, data, message):
    login_as("admin")
    before = len(queries.options("value_group", include_inactive=True))
    form = {"code": "NUE", "label_es": "Nueva", "label_en": "New typed text", **data}
    response = client.submit("/gestion/catalogos/lista/value_group", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "New typed text" in html
    db.session.expire_all()
    assert len(queries.options("value_group", include_inactive=True)) == before


def test_admin_renames_an_option_in_both_languages(client, login_as, db):
    login_as("admin")
    entry = _option(db, "value_group", "MED")
    url = f"/gestion/catalogos/option/{entry.id}/editar"
    assert "Medios de comunicación" in client.get(url).get_data(as_text=True)
    response = client.submit(url, {"label_es": "Medios y periodistas", "label_en": "Media and journalists"})
    assert response.status_code == 302
    entry = _option(db, "value_group", "MED")
    assert (entry.label_es, entry.label_en, entry.customized) == (
        "Medios y periodistas",
        "Media and journalists",
        True,
    )
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "catalog_changed")).target
        == "option:MED"
    )


def test_admin_reorders_options(client, login_as, db):
    login_as("admin")
    back = "/gestion/catalogos/lista/value_group"
    codes = [c for c, _ in queries.choices("value_group")]
    second = _option(db, "value_group", codes[1])
    assert _act(client, "option", second.id, "subir", back).status_code == 302
    db.session.expire_all()
    assert [c for c, _ in queries.choices("value_group")][:2] == [codes[1], codes[0]]
    _act(client, "option", second.id, "bajar", back)
    db.session.expire_all()
    assert [c for c, _ in queries.choices("value_group")] == codes


def test_deactivated_option_leaves_choices_but_old_data_still_reads_its_label(client, login_as, db):
    login_as("admin")
    entry = _option(db, "value_group", "PRI")
    _act(client, "option", entry.id, "desactivar", "/gestion/catalogos/lista/value_group")
    db.session.expire_all()
    assert "PRI" not in dict(queries.choices("value_group"))
    assert queries.labels("value_group")["PRI"] == "Sector privado y gremios"
    html = client.get("/gestion/catalogos/lista/value_group").get_data(as_text=True)
    assert "Sector privado y gremios" in html and "Inactiva" in html
    _act(client, "option", entry.id, "activar", "/gestion/catalogos/lista/value_group")
    db.session.expire_all()
    assert "PRI" in dict(queries.choices("value_group"))


def test_deactivated_territory_and_office_leave_choices(client, login_as, db):
    login_as("admin")
    comuna = db.session.scalar(select(Territory).where(Territory.code == "16"))
    office = db.session.scalar(select(Office).where(Office.code == "STUR"))
    _act(client, "territory", comuna.id, "desactivar", "/gestion/catalogos/territorios")
    _act(client, "office", office.id, "desactivar", "/gestion/catalogos/dependencias")
    db.session.expire_all()
    assert "16" not in dict(queries.territory_choices())
    assert "STUR" not in dict(queries.office_choices())
    assert queries.territory_names()["16"] == "Belén"


def test_admin_adds_a_barrio_under_its_comuna(client, login_as, db):
    login_as("admin")
    response = client.submit(
        "/gestion/catalogos/territorios",
        {"code": "0199", "label_es": "Barrio de prueba", "kind": "barrio", "parent": "01"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    barrio = db.session.scalar(select(Territory).where(Territory.code == "0199"))
    assert barrio.parent.code == "01" and barrio.zone == "urbana"
    orphan = client.submit(
        "/gestion/catalogos/territorios", {"code": "0299", "label_es": "Sin comuna", "kind": "barrio"}
    )
    assert orphan.status_code == 422
    assert "necesita su comuna o corregimiento" in orphan.get_data(as_text=True)


@pytest.fixture
def usage_of(app):
    """Register a usage checker that reports the codes in `used` as used by 3 records."""
    from app.catalogs.usage import register_usage_checker

    used: set[tuple[str, str]] = set()

    def checker(kind, list_key, code):
        return 3 if (kind, code) in used else 0

    register_usage_checker(app, checker)
    yield used
    app.extensions["participa_catalog_usage"].remove(checker)


def test_delete_is_refused_when_a_checker_reports_use(client, login_as, db, usage_of):
    login_as("admin")
    usage_of.add(("option", "OTR"))
    entry = _option(db, "value_group", "OTR")
    response = _act(client, "option", entry.id, "borrar", "/gestion/catalogos/lista/value_group")
    assert response.status_code == 302
    assert "está en uso (3 registros)" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _option(db, "value_group", "OTR") is not None


def test_delete_is_allowed_when_unused(client, login_as, db, usage_of):
    login_as("admin")
    entry = _option(db, "value_group", "OTR")
    response = _act(client, "option", entry.id, "borrar", "/gestion/catalogos/lista/value_group")
    assert "Entrada borrada." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _option(db, "value_group", "OTR") is None


def test_comuna_with_barrios_cannot_be_deleted(login_as, db):
    login_as("admin")
    commands.add_territory("0198", "Barrio X", "barrio", "01")
    comuna = db.session.scalar(select(Territory).where(Territory.code == "01"))
    with pytest.raises(commands.CatalogError, match="en uso"):
        commands.delete("territory", comuna.id)


def test_office_assigned_to_a_user_cannot_be_deleted(make_user, db):
    make_user("editor", offices=("SMUJ",))
    office = db.session.scalar(select(Office).where(Office.code == "SMUJ"))
    with pytest.raises(commands.CatalogError, match="en uso"):
        commands.delete("office", office.id)
    assert db.session.scalar(select(Office).where(Office.code == "SMUJ")) is not None


@pytest.mark.parametrize("role", ["editor", "analyst", "steward"])
@pytest.mark.parametrize(
    "url",
    [
        "/gestion/catalogos/",
        "/gestion/catalogos/territorios",
        "/gestion/catalogos/dependencias",
        "/gestion/catalogos/lista/ethnicity",
    ],
)
def test_non_admins_get_403(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 403


def test_non_admin_cannot_change_entries_by_posting(client, login_as, db):
    login_as("editor")
    entry = _option(db, "value_group", "OTR")
    assert _act(client, "option", entry.id, "borrar", "/gestion/").status_code == 403
    assert _option(db, "value_group", "OTR") is not None


def test_unknown_list_kind_or_action_is_404(client, login_as, db):
    login_as("admin")
    entry = _option(db, "value_group", "OTR")
    assert client.get("/gestion/catalogos/lista/no_existe").status_code == 404
    assert _act(client, "option", entry.id, "explotar", "/gestion/catalogos/").status_code == 404
    assert _act(client, "nada", 1, "borrar", "/gestion/catalogos/").status_code == 404
