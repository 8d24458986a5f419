"""The tolerant office matcher: several offices in one cell, abbreviations, typos, aliases."""

import json
from pathlib import Path

import pytest

from app.plans.offices import OfficeMatcher, normalise, propose_code, split

DATA = Path(__file__).resolve().parents[2] / "app" / "catalogs" / "data"


def _matcher(entity):
    offices = json.loads((DATA / f"{entity}.json").read_text(encoding="utf-8"))["offices"]
    return OfficeMatcher([(o["code"], o["name"], o.get("acronym", "")) for o in offices])


MEDELLIN = _matcher("medellin")
CARTAGO = _matcher("cartago")


def test_normalise_drops_accents_connectors_and_expands_abbreviations():
    assert (
        normalise("Sec. de Planeación, Medio Ambiente y Desarrollo Economico")
        == "secretaria planeacion medio ambiente desarrollo economico"
    )
    assert normalise("Departamento Adm de Planeación Distrital") == "departamento administrativo planeacion"


def test_split_at_office_words_but_not_after_connectors():
    assert split("Departamento Adm de Planeación Secretaría de Comunicaciones Dependencias y entidades") == [
        "Departamento Adm de Planeación",
        "Secretaría de Comunicaciones",
        "Dependencias y entidades",
    ]
    assert split("Oficina de la Secretaría de Salud") == ["Oficina de la Secretaría de Salud"]


@pytest.mark.parametrize(
    "text, codes, unknown",
    [
        ("Departamento Adm de Planeación", ["DAP"], []),
        ("DAP", ["DAP"], []),
        (
            "Departamento Adm de Planeación Secretaría de Gestión Humana y Atención a la Ciudadanía",
            ["DAP", "SGHSC"],
            [],
        ),
        (
            "Departamento Adm de Planeación Secretaría de Innovación Digital Secretaría de Comunicaciones",
            ["DAP", "SID", "SCOM"],
            [],
        ),
        (
            "Departamento Adm de Planeación Distrital Secretaría de Inclusión Social y Familia Gobernación "
            "de Antioquia",
            ["DAP", "SIS"],
            ["Gobernación de Antioquia"],
        ),
        (
            "Departamento Adm de Planeación Secretaría de las Mujeres, Gerencia de Diversidades Sexuales e "
            "Identidades de "
            "Género, Secretaría Gestión Humana y Servicio a la Ciudadanía",
            ["DAP", "SMUJ", "GDSIG", "SGHSC"],
            [],
        ),
        ("secretaria de infraestructura", ["SINF"], []),
        ("Secretaría de Hacendería Pública", [], ["Secretaría de Hacendería Pública"]),
    ],
)
def test_medellin_cells(text, codes, unknown):
    match = MEDELLIN.match(text)
    assert (match.codes, match.unknown) == (codes, unknown)


def test_generic_phrases_need_no_office():
    match = MEDELLIN.match(
        "Departamento Adm de Planeación Secretaría de Comunicaciones Dependencias y entidades"
    )
    assert (
        match.codes == ["DAP", "SCOM"]
        and match.unknown == []
        and match.generic == ["Dependencias y entidades"]
    )
    assert CARTAGO.match("Administración Municipal").generic == ["Administración Municipal"]


def test_cartago_names_with_commas_abbreviations_and_typos():
    assert CARTAGO.match("Sec. de Planeación, Medio Ambiente y Desarrollo Economico").codes == ["SPMADE"]
    assert CARTAGO.match("Sec. de Sevicios Administrativos").codes == ["SSA"]
    assert CARTAGO.match(
        "Secretaría de Planeación, Medio Ambiente y Desarrollo Economico, Secretaría de Servicios "
        "Administrativos"
    ).codes == ["SPMADE", "SSA"]


def test_ambiguous_text_is_not_guessed():
    assert MEDELLIN.match_one("Secretaría") is None


def test_proposed_codes_are_unique():
    assert propose_code("Gobernación de Antioquia", {"DAP"}) == "GA"
    assert propose_code("Gobernación de Antioquia", {"GA", "GA2"}) == "GA3"
