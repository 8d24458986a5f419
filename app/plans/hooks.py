"""What plans give other pages through the registry: home cards, search results, the sections of
an event's page, links for a consultation topic, and transparency items."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.plans import queries


def _action_url(plan, action) -> str:
    return url_for("plans.detail", plan_id=plan.id, _anchor=f"accion-{action.id}")


def home() -> list[dict]:
    """One card when there are published plans: follow their progress."""
    if not queries.has_published():
        return []
    return [
        {
            "title": _("Avance de los planes de mejoramiento"),
            "text": _("Mira qué se comprometió la administración, quién responde y cómo va cada acción."),
            "url": url_for("plans.index"),
            "action": _("Ver el avance"),
        }
    ]


def search(query: str) -> list[dict]:
    out = []
    for plan, action in queries.search(query):
        if action is None:
            out.append(
                {
                    "title": plan.name,
                    "url": url_for("plans.detail", plan_id=plan.id),
                    "kind": _("Plan de mejoramiento"),
                    "text": plan.objective[:200],
                }
            )
        else:
            out.append(
                {
                    "title": action.title[:200],
                    "url": _action_url(plan, action),
                    "kind": _("Acción de un plan"),
                    "text": plan.name,
                }
            )
    return out


def event_page_sections(event_id: int) -> list[dict]:
    """Actions of published plans that answer this event."""
    linked = queries.actions_linked("event", event_id)
    if not linked:
        return []
    return [
        {
            "title": _("Acciones de mejora que responden a este evento"),
            "items": [
                {"text": _("%(action)s (%(plan)s)", action=a.title, plan=p.name), "url": _action_url(p, a)}
                for p, a in linked
            ],
        }
    ]


def topic_links(topic_id: int) -> list[dict]:
    """Links to the plan actions that answer a consultation topic."""
    return [
        {"text": _("%(action)s (%(plan)s)", action=a.title, plan=p.name), "url": _action_url(p, a)}
        for p, a in queries.actions_linked("topic", topic_id)
    ]


def transparency_items(section: str) -> list[dict]:
    """'planeacion': each published plan with its progress; 'control': its follow-up and findings."""
    if section not in ("planeacion", "control"):
        return []
    out = []
    for plan in queries.list_plans(published_only=True):
        overview = queries.plan_overview(plan)
        pct = overview["progress"]
        if section == "planeacion":
            out.append(
                {
                    "title": plan.name,
                    "url": url_for("plans.detail", plan_id=plan.id),
                    "text": _(
                        "Plan %(year)s: %(actions)s acciones, avance %(pct)s %%.",
                        year=plan.years_label,
                        actions=len(plan.actions),
                        pct=_pct(pct),
                    ),
                }
            )
        else:
            out.append(
                {
                    "title": _("Seguimiento: %(name)s", name=plan.name),
                    "url": url_for("plans.detail", plan_id=plan.id, _anchor="seguimiento"),
                    "text": _(
                        "Avance %(pct)s %%; %(late)s tareas atrasadas; %(findings)s hallazgos registrados.",
                        pct=_pct(pct),
                        late=overview["counts"]["late"],
                        findings=len(plan.findings),
                    ),
                }
            )
    return out


def _pct(value) -> str:
    return "—" if value is None else f"{value:.0f}"
