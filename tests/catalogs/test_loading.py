"""`flask participa load-catalogs`: idempotent, keeps admin customisations, Cartago as a draft."""

from sqlalchemy import func, select

from app.catalogs import commands, files, queries
from app.catalogs.models import CatalogEntry, Office, Territory


def _load(app, entity="medellin"):
    result = app.test_cli_runner().invoke(args=["participa", "load-catalogs", "--entity", entity])
    assert result.exit_code == 0, result.output
    return result.output


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def _snapshot(db):
    return (
        sorted(
            (e.list_key, e.code, e.label_es, e.position, e.active)
            for e in db.session.scalars(select(CatalogEntry))
        ),
        sorted(
            (t.code, t.name, t.kind, t.parent.code if t.parent else None)
            for t in db.session.scalars(select(Territory))
        ),
        sorted((o.code, o.name) for o in db.session.scalars(select(Office))),
    )


def test_loading_medellin_twice_gives_the_same_rows(app, db):
    output = _load(app)
    assert "Catalogs for medellin:" in output and "WARNING" not in output
    first = _snapshot(db)
    counts = (_count(db, CatalogEntry), _count(db, Territory), _count(db, Office))
    _load(app)
    db.session.expire_all()
    assert (_count(db, CatalogEntry), _count(db, Territory), _count(db, Office)) == counts
    assert _snapshot(db) == first
    assert counts[0] > 50 and counts[2] >= 20


def test_medellin_has_its_16_comunas_and_5_corregimientos(app, db):
    _load(app)
    top = queries.top_territories()
    assert [t.kind for t in top].count("comuna") == 16
    assert [t.kind for t in top].count("corregimiento") == 5
    assert all(t.confirmed for t in top)
    assert ("01", "Comuna 01 – Popular") in queries.territory_choices()


def test_reloading_keeps_admin_customisations(app, db):
    _load(app)
    entry = db.session.scalar(
        select(CatalogEntry).where(CatalogEntry.list_key == "value_group", CatalogEntry.code == "JAC")
    )
    commands.rename("option", entry.id, "Juntas de Acción Comunal", "Community action boards")
    commands.move("option", entry.id, -1)
    comuna = db.session.scalar(select(Territory).where(Territory.code == "10"))
    commands.rename("territory", comuna.id, "La Candelaria (Centro)")
    commands.set_active(
        "territory", db.session.scalar(select(Territory).where(Territory.code == "90")).id, False
    )
    office = commands.add_office("OPC", "Oficina de Paz y Convivencia")
    position = entry.position

    _load(app)
    db.session.expire_all()
    entry = db.session.scalar(
        select(CatalogEntry).where(CatalogEntry.list_key == "value_group", CatalogEntry.code == "JAC")
    )
    assert (entry.label_es, entry.label_en, entry.position) == (
        "Juntas de Acción Comunal",
        "Community action boards",
        position,
    )
    assert db.session.scalar(select(Territory.name).where(Territory.code == "10")) == "La Candelaria (Centro)"
    assert db.session.scalar(select(Territory.active).where(Territory.code == "90")) is False
    assert (
        db.session.get(Office, office.id).name == "Oficina de Paz y Convivencia"
    )  # entries not in the file stay


def test_reloading_updates_uncustomised_labels(app, db):
    _load(app)
    entry = db.session.scalar(
        select(CatalogEntry).where(CatalogEntry.list_key == "sex", CatalogEntry.code == "1")
    )
    original = entry.label_es
    entry.label_es = "viejo nombre"
    db.session.commit()
    _load(app)
    db.session.expire_all()
    assert db.session.get(CatalogEntry, entry.id).label_es == original


def test_cartago_loads_as_an_unconfirmed_draft(app, db):
    output = _load(app, "cartago")
    assert "WARNING: draft catalog" in output
    assert files.entity_draft_note("cartago") and files.entity_draft_note("medellin") is None
    unconfirmed = {
        t.code for t in db.session.scalars(select(Territory).where(Territory.confirmed.is_(False)))
    }
    assert {"C1", "C6", "76147005"} <= unconfirmed  # only Comuna 7 (sector Santa Ana) is sourced


def test_admin_sees_and_confirms_the_draft(client, login_as, app, db):
    _load(app, "cartago")
    login_as("admin")
    html = client.get("/gestion/catalogos/territorios").get_data(as_text=True)
    assert "borrador por confirmar" in html and "aún no ha confirmado" in html
    comuna = db.session.scalar(select(Territory).where(Territory.code == "C1"))
    response = client.submit(
        f"/gestion/catalogos/territory/{comuna.id}/confirmar", {}, form_url="/gestion/catalogos/territorios"
    )
    assert response.status_code == 302
    _load(app, "cartago")  # a later load keeps the admin's confirmation
    db.session.expire_all()
    assert db.session.get(Territory, comuna.id).confirmed is True


def test_unknown_entity_is_refused(app):
    result = app.test_cli_runner().invoke(args=["participa", "load-catalogs", "--entity", "bogota"])
    assert result.exit_code == 2


def test_every_sensitive_list_offers_prefer_not_to_say(app, db, catalogs):
    from app.catalogs.models import LISTS

    for key, meta in LISTS.items():
        if meta["sensitive"]:
            assert any(code in ("99", "9") for code, _label in queries.choices(key)), key
