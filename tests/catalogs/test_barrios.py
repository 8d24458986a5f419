"""Medellín's barrios and veredas: loaded under their comuna or corregimiento, kept on rebuild."""

import json

import pytest
from sqlalchemy import select

from app.catalogs import build, commands, files, queries
from app.catalogs.models import Territory

MEDELLIN = json.loads((files.DATA / "medellin.json").read_text(encoding="utf-8"))


def test_shipped_file_has_barrios_and_veredas_marked_for_validation():
    kinds = [t["kind"] for t in MEDELLIN["territories"]]
    assert kinds.count("barrio") > 200 and kinds.count("vereda") > 30
    assert "DAP" in MEDELLIN["_barrios_note"] and "VALIDATED" in MEDELLIN["_barrios_note"]
    tops = {t["code"]: t["kind"] for t in MEDELLIN["territories"] if "parent" not in t}
    for t in MEDELLIN["territories"]:
        if t["kind"] == "barrio":
            assert tops[t["parent"]] == "comuna" and t["code"].startswith(t["parent"]) and len(t["code"]) == 4
        if t["kind"] == "vereda":
            assert (
                tops[t["parent"]] == "corregimiento"
                and t["code"].startswith(t["parent"])
                and len(t["code"]) == 4
            )
    codes = [t["code"] for t in MEDELLIN["territories"]]
    assert len(codes) == len(set(codes))


def test_barrios_load_under_their_comuna_and_veredas_under_their_corregimiento(db, catalogs):
    popular = db.session.scalar(select(Territory).where(Territory.code == "0103"))
    assert (popular.name, popular.kind, popular.parent.code, popular.zone) == (
        "Popular",
        "barrio",
        "01",
        "urbana",
    )
    assert popular.confirmed is False  # a draft until the entity validates it
    vereda = db.session.scalar(select(Territory).where(Territory.code == "9008"))
    assert (vereda.kind, vereda.parent.name, vereda.zone) == ("vereda", "Santa Elena", "rural")
    groups = dict(queries.subterritory_groups())
    assert ("0103", "Popular") in groups["Popular"]
    assert len(groups) == 21  # every comuna and corregimiento has its list
    assert all(code not in dict(queries.territory_choices()) for code in ("0103", "9008"))


def test_reloading_barrios_does_not_duplicate_them(app, db, catalogs):
    before = len(list(db.session.scalars(select(Territory))))
    commands.load("medellin")
    assert len(list(db.session.scalars(select(Territory)))) == before == len(MEDELLIN["territories"])


def test_a_barrio_whose_comuna_is_missing_is_a_clear_error(app, db, tmp_path, monkeypatch):
    data = {
        **MEDELLIN,
        "territories": [{"code": "9901", "kind": "barrio", "name": "X", "zone": "urbana", "parent": "99"}],
    }
    (tmp_path / "medellin.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "common.json").write_text(
        (files.DATA / "common.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.setattr(files, "DATA", tmp_path)
    with pytest.raises(commands.CatalogError, match="parent '99'"):
        commands.load("medellin")
    assert db.session.scalar(select(Territory)) is None  # nothing half-loaded


def _reference() -> dict:
    """A minimal reference file with the shape of the reference catalogs.json."""
    value = [{"code": "1", "es": "Uno", "en": "One"}]
    ref = {
        key: {"values": value}
        for key in (
            "curso_de_vida",
            "sexo_al_nacer",
            "identidad_genero",
            "orientacion_sexual",
            "pertenencia_etnica",
            "discapacidad",
            "campesino",
            "zona",
            "plazos_peticiones_dias_habiles",
        )
    }
    ref["victima"] = {"estado": value}
    ref["migrante"] = {
        "estado_migratorio_sugerido": value,
        "tipo_documento": [{"code": "CC", "es": "Cédula"}],
    }
    ref["medellin_territorios"] = {
        "divipola_municipio": "05001",
        "values": [
            {"code": t["code"], "name": t["name"], "type": t["kind"], "zona": t.get("subregion", "")}
            for t in MEDELLIN["territories"]
            if "parent" not in t
        ],
    }
    ref["cartago_territorios"] = {
        "divipola_municipio": "76147",
        "status": "DRAFT",
        "comunas": {"values": [{"code": "1", "name": "Comuna 1", "confirmed": False}]},
        "centros_poblados_divipola": {"values": []},
    }
    return ref


def test_rebuilding_the_data_files_keeps_barrios_veredas_and_the_note(tmp_path, monkeypatch):
    (tmp_path / "medellin.json").write_text(json.dumps(MEDELLIN, ensure_ascii=False), encoding="utf-8")
    source = tmp_path / "catalogs.json"
    source.write_text(json.dumps(_reference(), ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(build, "DATA", tmp_path)
    build.build(source)
    rebuilt = json.loads((tmp_path / "medellin.json").read_text(encoding="utf-8"))
    assert rebuilt["_barrios_note"] == MEDELLIN["_barrios_note"]
    assert [t["code"] for t in rebuilt["territories"]] == [t["code"] for t in MEDELLIN["territories"]]
    assert (tmp_path / "common.json").exists() and (tmp_path / "cartago.json").exists()
