"""Build the shipped catalog data files (app/catalogs/data/*.json) from the product's reference
catalog file (`catalogs.json`, given with --source), adding the lists the reference does not carry
(value groups, event kinds, offices). Run: `flask participa build-catalogs --source PATH`.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"

VALUE_GROUPS = [
    ("CIU", "Ciudadanía en general", "Citizens in general"),
    ("JAC", "Organización comunal (JAC, JAL, ASOCOMUNAL)", "Community organisation (JAC, JAL, ASOCOMUNAL)"),
    ("OSC", "Organización social o comunitaria", "Social or community organisation"),
    (
        "ACA",
        "Academia (universidades, colegios, investigación)",
        "Academia (universities, schools, research)",
    ),
    ("PRI", "Sector privado y gremios", "Private sector and trade associations"),
    ("SER", "Servidor(a) público(a)", "Public servant"),
    ("MED", "Medios de comunicación", "Media"),
    ("VEE", "Veeduría ciudadana o grupo de control social", "Citizen oversight group (veeduría)"),
    ("OTR", "Otro", "Other"),
]
EVENT_KINDS = [
    ("AUD", "Audiencia pública de rendición de cuentas", "Public accountability hearing"),
    ("DIA", "Espacio de diálogo", "Dialogue space"),
    ("ESC", "Escuchadero", "Listening space (escuchadero)"),
    ("TER", "Encuentro territorial descentralizado", "Decentralised territorial meeting"),
    ("NOD", "Sesión de nodo territorial", "Territorial node session"),
    ("COM", "Sesión de comité o instancia de participación", "Committee or participation body session"),
    ("TAL", "Taller o capacitación", "Workshop or training"),
    ("OTR", "Otro", "Other"),
]
MEDELLIN_OFFICES = [
    ("DAP", "Departamento Administrativo de Planeación", "DAP"),
    ("SGEN", "Secretaría General", ""),
    ("SGOB", "Secretaría de Gobierno y Gestión del Gabinete", ""),
    ("SHAC", "Secretaría de Hacienda", ""),
    ("SGHSC", "Secretaría de Gestión Humana y Servicio a la Ciudadanía", ""),
    ("SSUM", "Secretaría de Suministros y Servicios", ""),
    ("SEVC", "Secretaría de Evaluación y Control", ""),
    ("SCOM", "Secretaría de Comunicaciones", ""),
    ("SID", "Secretaría de Innovación Digital", ""),
    ("SPC", "Secretaría de Participación Ciudadana", ""),
    ("SEDU", "Secretaría de Educación", ""),
    ("SSAL", "Secretaría de Salud", ""),
    ("SIS", "Secretaría de Inclusión Social, Familia y Derechos Humanos", ""),
    ("SMUJ", "Secretaría de las Mujeres", ""),
    ("SJUV", "Secretaría de la Juventud", ""),
    ("SNV", "Secretaría de la No-Violencia", ""),
    ("SCC", "Secretaría de Cultura Ciudadana", ""),
    ("SSEG", "Secretaría de Seguridad y Convivencia", ""),
    ("SMOV", "Secretaría de Movilidad", ""),
    ("SINF", "Secretaría de Infraestructura Física", ""),
    ("SMA", "Secretaría de Medio Ambiente", ""),
    ("SDE", "Secretaría de Desarrollo Económico", ""),
    ("SGCT", "Secretaría de Gestión y Control Territorial", ""),
    ("STUR", "Secretaría de Turismo y Entretenimiento", ""),
    ("DAGRD", "Departamento Administrativo de Gestión del Riesgo de Desastres", "DAGRD"),
    ("GCOR", "Gerencia de Corregimientos", ""),
    ("GDSIG", "Gerencia de Diversidades Sexuales e Identidades de Género", ""),
]
CARTAGO_OFFICES = [
    ("SPMADE", "Secretaría de Planeación, Medio Ambiente y Desarrollo Económico", ""),
    ("SSA", "Secretaría de Servicios Administrativos", ""),
    ("SGOB", "Secretaría de Gobierno", ""),
    ("SHAC", "Secretaría de Hacienda", ""),
    ("SEDU", "Secretaría de Educación", ""),
    ("SSAL", "Secretaría de Salud", ""),
    ("SDS", "Secretaría de Desarrollo Social", ""),
    ("SINF", "Secretaría de Infraestructura", ""),
    ("OCI", "Oficina de Control Interno", "OCI"),
]

# reference key -> (our list key, key inside the reference entry holding the values)
REFERENCE_LISTS = {
    "curso_de_vida": ("life_course", "values"),
    "sexo_al_nacer": ("sex", "values"),
    "identidad_genero": ("gender_identity", "values"),
    "orientacion_sexual": ("sexual_orientation", "values"),
    "pertenencia_etnica": ("ethnicity", "values"),
    "discapacidad": ("disability", "values"),
    "victima": ("victim", "estado"),
    "campesino": ("campesino", "values"),
    "migrante": ("migrant", "estado_migratorio_sugerido"),
    "zona": ("zone", "values"),
    "plazos_peticiones_dias_habiles": ("petition_term", "values"),
}
PREFER_NOT = {"code": "99", "es": "Prefiero no responder", "en": "Prefer not to say"}
EXTRA_KEYS = ("min_age", "max_age", "free_text", "group", "dias_habiles", "prorroga", "optional_extension")


def _entries(values):
    out = []
    for v in values:
        out.append(
            {
                "code": v["code"],
                "es": v["es"],
                "en": v.get("en", ""),
                "extra": {k: v[k] for k in EXTRA_KEYS if k in v},
            }
        )
    return out


def _simple(rows):
    return [{"code": c, "es": es, "en": en, "extra": {}} for c, es, en in rows]


def build(source: Path) -> list[Path]:
    ref = json.loads(Path(source).read_text(encoding="utf-8"))
    lists = {}
    for ref_key, (key, values_key) in REFERENCE_LISTS.items():
        lists[key] = _entries(ref[ref_key][values_key])
    # Every sensitive or personal list offers "Prefiero no responder" (code 99).
    for key in (
        "ethnicity",
        "life_course",
        "zone",
        "value_group",
        "migrant",
        "victim",
        "disability",
        "sexual_orientation",
        "gender_identity",
        "sex",
        "campesino",
    ):
        if key in lists and not any(e["code"] in ("99", "9") for e in lists[key]):
            lists[key].append({**PREFER_NOT, "extra": {}})
    lists["document_type"] = _entries(ref["migrante"]["tipo_documento"])
    lists["value_group"] = _simple(VALUE_GROUPS)
    lists["event_kind"] = _simple(EVENT_KINDS)
    common = {"_source": str(Path(source).name), "lists": lists}

    med = ref["medellin_territorios"]
    medellin = {
        "entity": "medellin",
        "name": "Distrito de Medellín",
        "divipola": med["divipola_municipio"],
        "draft": False,
        "territories": [
            {
                "code": t["code"],
                "kind": t["type"],
                "name": t["name"],
                "zone": "rural" if t["type"] == "corregimiento" else "urbana",
                "subregion": t.get("zona", ""),
                "confirmed": True,
            }
            for t in med["values"]
        ],
        "offices": [{"code": c, "name": n, "acronym": a} for c, n, a in MEDELLIN_OFFICES],
    }
    car = ref["cartago_territorios"]
    cartago_terr = [
        {
            "code": f"C{t['code']}",
            "kind": "comuna",
            "name": t["name"],
            "zone": "urbana",
            "subregion": "",
            "confirmed": bool(t.get("confirmed")),
        }
        for t in car["comunas"]["values"]
    ]
    for t in car["centros_poblados_divipola"]["values"]:
        if "cabecera" in t["type"]:
            continue
        cartago_terr.append(
            {
                "code": t["code"],
                "kind": "corregimiento",
                "name": t["name"],
                "zone": "rural",
                "subregion": "",
                "confirmed": False,
                "active": bool(t.get("active", True)),
            }
        )
    cartago = {
        "entity": "cartago",
        "name": "Municipio de Cartago",
        "divipola": car["divipola_municipio"],
        "draft": True,
        "draft_note": car["status"],
        "territories": cartago_terr,
        "offices": [{"code": c, "name": n, "acronym": a} for c, n, a in CARTAGO_OFFICES],
    }
    written = []
    for name, payload in (("common", common), ("medellin", medellin), ("cartago", cartago)):
        path = DATA / f"{name}.json"
        if name == "medellin" and path.exists():
            # keep barrios added to the shipped file by hand
            old = json.loads(path.read_text(encoding="utf-8"))
            payload["territories"] += [
                t for t in old.get("territories", []) if t["kind"] in ("barrio", "vereda")
            ]
            if "_barrios_note" in old:
                payload["_barrios_note"] = old["_barrios_note"]
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(path)
    return written
