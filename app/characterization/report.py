"""Accountability report section: who took part, by territory and population group (protected)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.characterization import published, queries
from app.characterization.queries import Filters
from app.core.registry import ReportPeriod, ReportSection, ReportTable

REPORT_VARIABLES = (
    "territory",
    "zone",
    "life_course",
    "sex",
    "gender_identity",
    "ethnicity",
    "victim",
    "migrant",
    "value_group",
)


def filters_for(period: ReportPeriod) -> Filters:
    if period.event_id is not None:
        return Filters(capability="events", object_id=str(period.event_id))
    return Filters(date_from=period.start, date_to=period.end)


def breakdown(variable: str, filters: Filters) -> tuple[list[list[str]], str]:
    """Rows [label, people] of one variable and its total, protected."""
    counts = queries.totals(variable, filters, keyed=True)
    codes = [c for c in queries.ordered_codes(variable, counts) if counts.get(c, (0, 0))[0]]
    cells, total = published.protect_keyed({c: counts[c] for c in codes})
    labels = queries.code_labels(variable)
    return [[labels.get(c) or c, published.text(cells[c])] for c in codes], published.text(total)


def sections(period: ReportPeriod) -> list[ReportSection]:
    filters = filters_for(period)
    total = queries.total(filters, keyed=True)
    section = ReportSection("participation", 15, _("Participación por territorio y grupo poblacional"))
    section.paragraphs.append(
        _(
            "Personas que respondieron la caracterización en el periodo (eventos, consultas, "
            "urna y encuestas): %(n)s.",
            n=published.text(published.protect_one(total)),
        )
    )
    if not total[0]:
        return [section]
    names = queries.variable_labels()
    for variable in REPORT_VARIABLES:
        rows, shown_total = breakdown(variable, filters)
        if rows:
            section.tables.append(
                ReportTable(
                    names[variable], [names[variable], _("Personas")], rows + [[_("Total"), shown_total]]
                )
            )
    section.paragraphs.append(published.note())
    return [section]
