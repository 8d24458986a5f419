"""Open data (issue 15): every dataset is non-empty, every column is in its dictionary, the
metadata datos.gov.co asks for is there, and no figure about people is below k."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from app.core import time

KEYS = {
    "resultados-consultas",
    "asistencia-eventos",
    "estadisticas-urna",
    "resultados-encuestas",
    "avance-planes",
}
METADATA = (
    "titulo",
    "descripcion",
    "entidad_publicadora",
    "correo_contacto",
    "categoria",
    "etiquetas",
    "licencia",
    "frecuencia_actualizacion",
    "idioma",
    "cobertura_geografica",
    "fecha_actualizacion",
    "url_csv",
    "url_json",
    "diccionario",
)


def _protected(value, k: int) -> bool:
    """A count of people as published: hidden (empty / null), zero, or at least k."""
    if value in (None, ""):
        return True
    return int(value) == 0 or int(value) >= k


def _make_small_group(db) -> tuple[str, str]:
    """Leave only 2 attendees of the first closed event in one value group (a count under k)."""
    from sqlalchemy import select

    from app.characterization.models import Profile
    from app.events.models import Event

    event = db.session.scalar(select(Event).where(Event.status == "closed").order_by(Event.starts_at))
    group = db.session.scalars(
        select(Profile).where(
            Profile.capability == "events", Profile.object_id == str(event.id), Profile.value_group == "MED"
        )
    ).all()
    assert len(group) > 2
    for profile in group[2:]:
        db.session.delete(profile)
    db.session.commit()
    return event.title, "Medios de comunicación"


def test_every_dataset_in_csv_and_json_with_dictionary_and_protection(app, client, demo, db):
    k = app.config.get("PARTICIPA_SUPPRESSION_K", 5)
    event_title, small_group = _make_small_group(db)
    with time.freeze(datetime(2026, 11, 25, 15, 0)):
        page = client.get("/datos-abiertos/")
        assert page.status_code == 200
        catalog = client.get("/datos-abiertos/catalogo.json").get_json()
        assert {c["url_csv"].rsplit("/", 1)[1][:-4] for c in catalog["conjuntos"]} == KEYS
        hidden_seen = 0
        for key in sorted(KEYS):
            assert f"/datos-abiertos/{key}.csv" in page.get_data(as_text=True)
            meta_json = client.get(f"/datos-abiertos/{key}.json")
            assert meta_json.status_code == 200
            body = meta_json.get_json()
            meta = body["metadatos"]
            assert [f for f in METADATA if not meta.get(f)] == [], key
            assert (
                meta["entidad_publicadora"] == "Alcaldía de Medellín" and "CC BY-SA 4.0" in meta["licencia"]
            )
            dictionary = [c["columna"] for c in meta["diccionario"]]
            assert [
                c
                for c in meta["diccionario"]
                if not c["descripcion"] or c["tipo"] not in ("text", "integer", "number", "date")
            ] == [], key
            assert body["datos"], f"{key}.json is empty"
            assert all(
                set(row) == set(dictionary) for row in body["datos"]
            )  # keys: JSON objects are unordered

            response = client.get(f"/datos-abiertos/{key}.csv")
            assert response.status_code == 200 and response.mimetype == "text/csv"
            text = response.get_data().decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text)))
            assert rows[0] == dictionary, key  # every column is in the dictionary, in order
            assert len(rows) > 1 and len(rows) - 1 == len(body["datos"]), f"{key}.csv is empty"
            people = [c["columna"] for c in meta["diccionario"] if c["columna"] in ("personas", "respuestas")]
            for column in people:
                index = dictionary.index(column)
                for row in rows[1:]:
                    assert _protected(row[index], k), (key, row)
                    hidden_seen += row[index] == ""
                for row in body["datos"]:
                    assert _protected(row[column], k), (key, row)
        assert (
            hidden_seen >= 2
        )  # the small group and one more cell, so it cannot be worked out from the total
        events = client.get("/datos-abiertos/asistencia-eventos.json").get_json()["datos"]
        small = next(r for r in events if r["evento"] == event_title and r["grupo"] == small_group)
        assert small["personas"] is None
    assert client.get("/datos-abiertos/no-existe.csv").status_code == 404
