"""Registries through which capabilities plug into shared pages without importing each other.

A capability's `register(app)` adds its entries; shared pages (home, site map, search, the
staff menu, `flask participa demo`, the export list) read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from app.core import hooks as hook_declarations

if TYPE_CHECKING:
    from app.core.retention import DataSubjectSource, RetentionRule


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Callable[[], str]  # lazy, so it is translated per request
    area: str = "public"  # "public" or "staff"
    permission: str | None = None  # staff items: the permission needed to see it
    order: int = 50


@dataclass(frozen=True)
class ReportPeriod:
    """The period an accountability report covers: a year, or one event (then `event_id`)."""

    start: date
    end: date  # inclusive
    label: str
    event_id: int | None = None


@dataclass
class ReportTable:
    caption: str
    header: list[str]
    rows: list[list[str]]  # text cells, figures already protected (see characterization.disclosure)


@dataclass
class ReportSection:
    """One section of the accountability report, given by a capability's `report_sections` entry.
    `order` places it (10 topics, 20 events, 30 ballot, 40 surveys, 50 plans, 60 commitments…)."""

    key: str
    order: int
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    # Light per row of a table (0-based table index -> [status code per row]) for status lights.
    lights: dict[int, list[str]] = field(default_factory=dict)


@dataclass
class OpenDataset:
    """An open dataset at /datos-abiertos/<key>.csv|json (fields asked by datos.gov.co). `columns`
    is the data dictionary: (name, type, description) with type one of text, integer, number, date.
    `people` names the columns that count people: they hold protected figures only (None = hidden)."""

    key: str
    title: str
    description: str
    category: str
    frequency: str
    columns: list[tuple[str, str, str]]
    rows: Callable[[], list[list]]
    people: tuple[str, ...] = ()


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    # Home page: callables returning a list of dicts {title, text, url, action} of what a
    # citizen can do now (open consultations, events signing in today…).
    home: list[Callable[[], list[dict]]] = field(default_factory=list)
    # Site search: callables (query) -> list of dicts {title, url, kind, text}.
    search: list[Callable[[str], list[dict]]] = field(default_factory=list)
    # Demo data: (order, name, callable()) run by `flask participa demo`.
    demo: list[tuple[int, str, Callable[[], None]]] = field(default_factory=list)

    # Retention (app/core/retention.py): each capability adds a RetentionRule per kind of record
    # with personal data; `run_purge()` calls every rule's `purge(cutoff, now) -> int` inside one
    # transaction. Rules must not commit.
    retention: list[RetentionRule] = field(default_factory=list)
    # Data-subject requests: DataSubjectSource(name, label, find(subject) -> [HeldRecord],
    # erase(subject, ids) -> int) answers "what do you hold for this person" and deletes it.
    data_subjects: list[DataSubjectSource] = field(default_factory=list)

    # Accountability report: callables (period) -> list of ReportSection, one or more per capability.
    report_sections: list[Callable[[ReportPeriod], list[ReportSection]]] = field(default_factory=list)

    # Open data: callables () -> list of OpenDataset.
    open_datasets: list[Callable[[], list[OpenDataset]]] = field(default_factory=list)

    # Declared hooks (app/core/hooks.py): capabilities connect providers, others call them.
    hooks: dict[str, list[Callable]] = field(default_factory=dict)

    def add_hook(self, name: str, fn: Callable) -> None:
        """Connect `fn` to the declared hook `name`; an undeclared name or a provider whose
        parameters do not match the declaration fails here, at start-up."""
        hook_declarations.get(name).check(fn)
        self.hooks.setdefault(name, []).append(fn)

    def call(self, name: str, *args, **kwargs) -> list:
        """Call every provider of hook `name`; flatten list results, skip None."""
        hook_declarations.get(name)
        out: list = []
        for fn in self.hooks.get(name, []):
            result = fn(*args, **kwargs)
            if isinstance(result, list | tuple):
                out.extend(result)
            elif result is not None:
                out.append(result)
        return out

    def add_nav(self, *items: NavItem) -> None:
        self.nav.extend(items)
        self.nav.sort(key=lambda i: i.order)


def get(app=None) -> Registry:
    from flask import current_app

    app = app or current_app
    return app.extensions.setdefault("participa", Registry())
