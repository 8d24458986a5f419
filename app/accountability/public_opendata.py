"""Open data at /datos-abiertos: every capability's datasets (`registry.open_datasets`) as CSV
(UTF-8) and JSON, with their data dictionary and the metadata datos.gov.co asks of a dataset
(title, description, publisher, contact, category, keywords, licence, update frequency,
language, coverage, dates). URLs are stable: /datos-abiertos/<key>.csv|json.

Figures about people come protected from the capabilities (`app.characterization.published`):
a hidden count is an empty cell (CSV) or null (JSON), explained in the dictionary.
"""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _

from app.core import exports, registry, time

LICENSE = "Creative Commons Atribución-CompartirIgual 4.0 Internacional (CC BY-SA 4.0)"
LICENSE_URL = "https://creativecommons.org/licenses/by-sa/4.0/deed.es"


def datasets() -> list[registry.OpenDataset]:
    out: list[registry.OpenDataset] = []
    for provider in registry.get().open_datasets:
        out.extend(provider())
    return sorted(out, key=lambda d: d.key)


def dataset(key: str) -> registry.OpenDataset:
    found = next((d for d in datasets() if d.key == key), None)
    if found is None:
        abort(404)
    return found


def metadata(d: registry.OpenDataset) -> dict:
    """The dataset's metadata with datos.gov.co's field names (Spanish, as the portal shows them)."""
    cfg = current_app.config
    base = cfg["PARTICIPA_BASE_URL"]
    return {
        "titulo": str(d.title),
        "descripcion": str(d.description),
        "entidad_publicadora": cfg.get("ENTITY_NAME", ""),
        "nit": cfg.get("ENTITY_NIT", ""),
        "correo_contacto": cfg.get("ENTITY_EMAIL", ""),
        "categoria": str(d.category),
        "etiquetas": ["participación ciudadana", "rendición de cuentas", d.key.replace("-", " ")],
        "licencia": LICENSE,
        "licencia_url": LICENSE_URL,
        "frecuencia_actualizacion": str(d.frequency),
        "idioma": "Español",
        "cobertura_geografica": cfg.get("ENTITY_NAME", ""),
        "fecha_actualizacion": time.local_now().date().isoformat(),
        "url_csv": base + url_for("opendata.csv_file", key=d.key),
        "url_json": base + url_for("opendata.json_file", key=d.key),
        "diccionario": [{"columna": n, "tipo": t, "descripcion": str(desc)} for n, t, desc in d.columns],
    }


def index():
    return render_template(
        "accountability/opendata.html", datasets=datasets(), license=LICENSE, license_url=LICENSE_URL
    )


def csv_file(key: str):
    d = dataset(key)
    return exports.csv_response(
        f"{d.key}.csv",
        [c[0] for c in d.columns],
        d.rows(),
        what=f"opendata.{d.key}",
        filters={},
        personal=False,
        separator="coma",  # open data: plain UTF-8 CSV with commas, as datos.gov.co publishes
    )


def _json_value(value):
    return value.isoformat() if isinstance(value, date) else value


def json_file(key: str):
    d = dataset(key)
    names = [c[0] for c in d.columns]
    response = jsonify(
        {
            "metadatos": metadata(d),
            "datos": [dict(zip(names, map(_json_value, row), strict=True)) for row in d.rows()],
        }
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def catalog():
    return jsonify(
        {"entidad": current_app.config.get("ENTITY_NAME", ""), "conjuntos": [metadata(d) for d in datasets()]}
    )


def register(app) -> None:
    registry.get(app).add_nav(
        registry.NavItem("opendata.index", lambda: _("Datos abiertos"), area="public", order=85)
    )
