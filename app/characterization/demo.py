"""Demo data: about 5,000 plausible profiles over capabilities, objects, territories and groups."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from app.catalogs import queries as catalogs
from app.characterization import summary
from app.characterization.disclosure import new_record_key
from app.characterization.models import Profile, ProfileDisability
from app.core import registry, time
from app.core.db import random_id
from app.extensions import db

DEMO_SIZE = 5000

# Rough shares for a Colombian city's participation exercises (more adults and women than the
# population, few minors, a visible minority of victims, afro and rural participants).
WEIGHTS = {
    "life_course": {"AD": 4, "JU": 22, "AT": 52, "VE": 18, "99": 4},
    "sex": {"1": 41, "2": 56, "3": 0.5, "99": 2.5},
    "gender_identity": {"1": 39, "2": 52, "3": 0.6, "4": 0.8, "6": 0.6, "99": 7},
    "sexual_orientation": {"1": 80, "2": 2.5, "3": 1.5, "4": 2.5, "99": 13.5},
    "ethnicity": {"1": 1.5, "2": 0.2, "3": 0.1, "4": 0.2, "5": 9, "6": 80, "9": 9},
    "victim": {"1": 12, "2": 3, "3": 75, "99": 10},
    "migrant": {"1": 3, "2": 0.5, "4": 1, "6": 93, "99": 2.5},
    "campesino": {"1": 9, "2": 85, "99": 6},
    "value_group": {
        "CIU": 62,
        "JAC": 12,
        "OSC": 9,
        "ACA": 3,
        "PRI": 2,
        "SER": 7,
        "MED": 1,
        "VEE": 3,
        "OTR": 1,
    },
}
DISABILITY = {"08": 82, "01": 6, "02": 3, "03": 2, "04": 1, "05": 1.5, "99": 4.5}
SKIP = 0.06  # share of sensitive questions left unanswered


def _pick(rng, weights: dict):
    codes = list(weights)
    return rng.choices(codes, [weights[c] for c in codes])[0]


def contexts(rng) -> list[dict]:
    """Objects from the capabilities (hook), or synthetic ones when none are registered."""
    found = [o for o in registry.get().call("characterization_objects") if o.get("capability")]
    if found:
        return found
    today = time.today()
    return [
        {"capability": cap, "object_id": str(i), "date": today - timedelta(days=rng.randint(0, 360))}
        for cap in ("events", "consultations", "ballot", "surveys")
        for i in range(1, 7)
    ]


def demo_profiles(size: int = DEMO_SIZE) -> int:
    """Add `size` demo profiles; skip when the table already holds that many. Returns rows added."""
    if (db.session.scalar(select(func.count()).select_from(Profile)) or 0) >= size * 0.8:
        return 0
    rng = random.Random(20260101)
    tops = catalogs.top_territories()
    if not tops:
        return 0
    # Urban comunas are bigger; rural corregimientos smaller but present.
    territory_weights = [4 if t.zone != "rural" else 1.5 for t in tops]
    objects = contexts(rng)
    profiles, disabilities = [], []
    for _ in range(size):
        obj = rng.choice(objects)
        on = obj.get("date") or time.today()
        if hasattr(on, "date"):
            on = on.date()
        on = on if isinstance(on, date) else time.today()
        terr = rng.choices(tops, territory_weights)[0]
        kids = [c for c in terr.children if c.active]
        row = {
            "id": random_id(),
            "record_key": new_record_key(),  # disability rows copy it
            "capability": obj["capability"],
            "object_id": str(obj["object_id"]),
            "on_date": on,
            "channel": rng.choices(["web", "paper", "staff"], [75, 20, 5])[0],
            "zone": "1" if terr.zone != "rural" else rng.choice(["2", "3", "3"]),
            "territory": terr.code,
            "subterritory": rng.choice(kids).code if kids and rng.random() < 0.85 else None,
            "organisation": None,
            "has_disability": None,
        }
        for name, weights in WEIGHTS.items():
            row[name] = None if rng.random() < SKIP else _pick(rng, weights)
        if terr.zone == "rural" and row["campesino"] == "2" and rng.random() < 0.5:
            row["campesino"] = "1"
        if row["value_group"] in ("JAC", "OSC", "VEE") and rng.random() < 0.5:
            row["organisation"] = rng.choice(
                ["JAC del barrio", "Mesa de mujeres", "Colectivo juvenil", "Veeduría de salud"]
            )
        if rng.random() >= SKIP:
            code = _pick(rng, DISABILITY)
            row["has_disability"] = None if code == "99" else code != "08"
            disabilities.append({"profile_id": row["id"], "code": code, "record_key": row["record_key"]})
        profiles.append(row)
    db.session.execute(insert(Profile.__table__), profiles)
    db.session.execute(insert(ProfileDisability.__table__), disabilities)
    declared: dict[str, list] = {}
    for d in disabilities:
        declared.setdefault(d["profile_id"], []).append((d["code"], d["record_key"]))
    summary.apply(db.session.connection(), [(row, declared.get(row["id"], [])) for row in profiles])
    db.session.commit()
    return len(profiles)


def demo_baseline() -> int:
    """Load the population baseline shipped for the demo's entity, unless one is loaded."""
    from flask import current_app

    from app.characterization import baseline, dashboard

    entity = current_app.config.get("PARTICIPA_DEMO_ENTITY") or current_app.config.get("ENTITY_CATALOG", "")
    if dashboard.has_baseline() or baseline.shipped(entity) is None:
        return 0
    return baseline.load_shipped(entity)
