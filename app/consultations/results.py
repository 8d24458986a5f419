"""Results of a consultation: the overall ranking and rankings by territory or population group,
protected by the shared disclosure layer (`app.characterization.disclosure`: small noise fixed
per cell, marker under k; the steward sees exact counts). The tallies keep no record keys, so
each published cell is keyed by its identity (consultation, breakdown, group, topic) and count
(`disclosure.protect_hashed`): the same cell reads the same on every page and export. Every
figure counts responses. Read from the running tallies (a few hundred rows, whatever the
number of responses), so the page stays fast with hundreds of thousands of responses.

The same `Results` object feeds the results page, the staff page and the CSV/XLSX export, so an
export always equals the page it was downloaded from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app.catalogs import queries as catalogs
from app.characterization import disclosure
from app.characterization.disclosure import display
from app.characterization.forms import QUESTIONS
from app.consultations import tally
from app.consultations.models import (
    RULE_DEVICE,
    RULE_DOCUMENT,
    VERIFIED_RULES,
    Consultation,
    ConsultationTopic,
)
from app.consultations.queries import PublicConsultation
from app.extensions import db

TOP = 3  # topics shown per group
# Breakdowns offered (when the consultation asked the variable); territory is always asked.
GROUP_VARIABLES = (
    "life_course",
    "sex",
    "gender_identity",
    "sexual_orientation",
    "ethnicity",
    "victim",
    "migrant",
    "campesino",
    "value_group",
)


def dimensions(consultation: Consultation | PublicConsultation) -> list[tuple[str, str]]:
    """(code, label) of the breakdowns this consultation can show."""
    out = [("territory", _("Comuna o corregimiento")), ("zone", _("Zona"))]
    asked = set(consultation.variables or ())
    labels = {
        "life_course": _("Curso de vida"),
        "sex": _("Sexo al nacer"),
        "gender_identity": _("Identidad de género"),
        "sexual_orientation": _("Orientación sexual"),
        "ethnicity": _("Pertenencia étnica"),
        "victim": _("Víctimas del conflicto"),
        "migrant": _("Situación migratoria"),
        "campesino": _("Población campesina"),
        "value_group": _("Grupo de valor"),
    }
    out += [(v, labels.get(v) or str(QUESTIONS[v])) for v in GROUP_VARIABLES if v in asked]
    return out


@dataclass
class Results:
    consultation: Consultation | PublicConsultation  # staff pages: the row; public pages: the cached read
    viewer: disclosure.Viewer
    respondents: str
    characterised: str
    ranking: list[dict]  # {rank, topic_id, label, value, display}
    dimension: str
    dimension_label: str
    dimensions: list[tuple[str, str]]
    groups: list[dict] = field(default_factory=list)  # {code, label, people, top: [{rank, label, display}]}
    note: str = ""
    legend: str = ""
    by_rule: list[dict] = field(
        default_factory=list
    )  # {rule, label, verified, display}: how votes were checked
    verified_only: bool = False  # ranking from verified responses only (no group breakdown then)

    def export_rows(self) -> tuple[list[str], list[list]]:
        """Header and rows of the export: exactly the figures the page shows."""
        header = [_("Sección"), _("Grupo"), _("Puesto"), _("Tema"), _("Respuestas")]
        rows: list[list] = [[_("Respuestas"), "", "", "", self.respondents]]
        rows += [
            [_("Regla de una respuesta por persona"), r["label"], "", "", r["display"]] for r in self.by_rule
        ]
        if self.verified_only:
            rows.append([_("Solo respuestas verificadas"), "", "", "", ""])
        rows += [[_("Ranking general"), "", r["rank"], r["label"], r["display"]] for r in self.ranking]
        rows.append([_("Respuestas con caracterización"), "", "", "", self.characterised])
        for g in self.groups:
            rows.append([self.dimension_label, g["label"], "", _("Respuestas del grupo"), g["people"]])
            rows += [
                [self.dimension_label, g["label"], t["rank"], t["label"], t["display"]] for t in g["top"]
            ]
        return header, rows


def rule_label(rule: str) -> str:
    return {
        RULE_DOCUMENT: _("Con documento de identidad: una por persona (verificadas)"),
        RULE_DEVICE: _("Desde un navegador: una por navegador (sin verificar identidad)"),
    }.get(rule, rule)


def _by_rule(counts: dict, shown) -> list[dict]:
    """Responses per one-answer rule, each figure protected like every other cell (`shown`)."""
    rules = sorted(
        {c for (d, c, t) in counts if d == "rule" and not t}, key=lambda r: (r not in VERIFIED_RULES, r)
    )
    return [
        {
            "rule": r,
            "label": rule_label(r),
            "verified": r in VERIFIED_RULES,
            "display": display(shown(counts.get(("rule", r, 0), 0), "rule", r, 0)),
        }
        for r in rules
    ]


def _group_labels(dimension: str) -> dict:
    """code -> label of a dimension's groups, in catalog order (territories: comunas first)."""
    if dimension == "territory":
        return catalogs.territory_names() | dict(catalogs.territory_choices())
    return catalogs.labels(dimension)


def compute(
    consultation: Consultation | PublicConsultation,
    dimension: str = "territory",
    viewer: disclosure.Viewer | None = None,
    *,
    verified_only: bool = False,
) -> Results:
    """Results of `consultation` broken down by `dimension` (falls back to territory), protected
    for `viewer` (default: the public). `verified_only`: the ranking counts only responses that
    passed a rule identifying a person (VERIFIED_RULES); groups are not broken down then (the
    tallies cross rules with topics, not with profiles)."""
    viewer = viewer or disclosure.public()
    dims = dimensions(consultation)
    if dimension not in dict(dims):
        dimension = "territory"
    cid = consultation.id

    def shown(n: int, dim: str, code, topic: int) -> int | None:
        return disclosure.protect_hashed(n, viewer, "consultation", cid, dim, code or "", topic)

    topics = {
        t.id: t
        for t in db.session.scalars(select(ConsultationTopic).where(ConsultationTopic.consultation_id == cid))
    }
    counts = tally.read(cid, dimension)
    if verified_only:
        votes: dict[int, int] = {}
        for (d, c, t), n in counts.items():
            if d == "rule" and c in VERIFIED_RULES and t:
                votes[t] = votes.get(t, 0) + n
    else:
        votes = {t: n for (d, _c, t), n in counts.items() if d == "all" and t}
    shown_topics = [t for t in topics.values() if t.active or votes.get(t.id)]
    shown_topics.sort(key=lambda t: (-votes.get(t.id, 0), t.position, t.id))
    ranked_as = "verified" if verified_only else "all"
    protected = {t.id: shown(votes.get(t.id, 0), ranked_as, "", t.id) for t in shown_topics}
    ranking = [
        {
            "rank": i,
            "topic_id": t.id,
            "label": t.title,
            "value": protected[t.id],
            "display": display(protected[t.id]),
        }
        for i, t in enumerate(shown_topics, start=1)
    ]

    total = counts.get(("all", "", 0), 0)
    if verified_only:
        total = sum(counts.get(("rule", r, 0), 0) for r in VERIFIED_RULES)
    characterised = counts.get(("profiled", "", 0), 0)
    people = {c: n for (d, c, t), n in counts.items() if d == dimension and not t}
    cells = {(c, t): n for (d, c, t), n in counts.items() if d == dimension and t}
    # Profiles that left this question unanswered: the "profiled" count minus the answered codes.
    unanswered = characterised - sum(people.values())
    if unanswered:
        people[None] = unanswered
    for t in shown_topics:
        rest = counts.get(("profiled", "", t.id), 0) - sum(n for (c, tid), n in cells.items() if tid == t.id)
        if rest:
            cells[(None, t.id)] = rest

    labels = _group_labels(dimension)
    order = list(labels)
    codes = sorted(people, key=lambda c: (c is None, order.index(c) if c in labels else len(order), str(c)))
    groups = []
    for code in codes if not verified_only else ():
        visible = [(shown(cells.get((code, t.id), 0), dimension, code, t.id), t) for t in shown_topics]
        visible = sorted(((n, t) for n, t in visible if n), key=lambda p: (-p[0], p[1].position, p[1].id))[
            :TOP
        ]
        groups.append(
            {
                "code": code,
                "label": labels.get(code) or (_("Sin responder") if code in (None, "") else str(code)),
                "people": display(shown(people[code], dimension, code, 0)),
                "top": [
                    {"rank": i, "label": t.title, "display": display(n)}
                    for i, (n, t) in enumerate(visible, 1)
                ],
            }
        )
    return Results(
        consultation=consultation,
        viewer=viewer,
        respondents=display(shown(total, "verified" if verified_only else "all", "", 0)),
        characterised=display(shown(characterised, "profiled", "", 0)),
        ranking=ranking,
        dimension=dimension,
        dimension_label=dict(dims)[dimension],
        dimensions=dims,
        groups=groups,
        note=disclosure.note(viewer),
        legend=disclosure.legend(viewer),
        by_rule=_by_rule(counts, shown),
        verified_only=verified_only,
    )
