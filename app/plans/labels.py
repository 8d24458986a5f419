"""Translatable labels shared by templates and exports."""

from flask_babel import lazy_gettext as _l

STATUS = {
    "on_track": _l("Al día"),
    "at_risk": _l("En riesgo"),
    "late": _l("Atrasada"),
    "done": _l("Cumplida"),
    "no_goal": _l("Sin meta"),
}
# CSS classes of participa.css for each status.
STATUS_CLASS = {
    "on_track": "status-ok",
    "at_risk": "status-risk",
    "late": "status-late",
    "done": "status-done",
    "no_goal": "",
}
UNIT = {"percentage": _l("Porcentaje"), "number": _l("Número")}
KIND = {"improvement": _l("Plan de mejoramiento"), "action": _l("Plan de acción")}
MONTHS = (
    _l("Enero"),
    _l("Febrero"),
    _l("Marzo"),
    _l("Abril"),
    _l("Mayo"),
    _l("Junio"),
    _l("Julio"),
    _l("Agosto"),
    _l("Septiembre"),
    _l("Octubre"),
    _l("Noviembre"),
    _l("Diciembre"),
)
MONTHS_SHORT = (
    _l("ene"),
    _l("feb"),
    _l("mar"),
    _l("abr"),
    _l("may"),
    _l("jun"),
    _l("jul"),
    _l("ago"),
    _l("sep"),
    _l("oct"),
    _l("nov"),
    _l("dic"),
)


def month_span(task) -> str:
    """'Marzo a septiembre' (or the list of months when they are not contiguous)."""
    months = task.months or list(range(task.start_month, task.end_month + 1))
    if months == list(range(months[0], months[-1] + 1)):
        if len(months) == 1:
            return str(MONTHS[months[0] - 1])
        return f"{MONTHS[months[0] - 1]} – {MONTHS[months[-1] - 1]}"
    return ", ".join(str(MONTHS_SHORT[m - 1]) for m in months)


def number(value) -> str:
    """1.0 -> '1', 2.5 -> '2,5' (Colombian decimal comma); None -> '—'."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def goal_text(task, goal: float | None | str = "plan") -> str:
    """The task's goal over the plan, or `goal` (e.g. one year's target) in the task's unit."""
    goal = task.goal if goal == "plan" else goal
    if goal is None:
        return str(STATUS["no_goal"])
    return f"{number(goal)} %" if task.unit == "percentage" else number(goal)
