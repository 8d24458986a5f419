"""The one clock, the one conversion to Bogotá time and the one business-day calendar.

Datetimes are stored as naive UTC. Colombia (America/Bogota) is UTC-5 all year (no DST).
A naive datetime always means UTC; a local time is always *aware* (it carries America/Bogota),
so it can never be mistaken for UTC and converted a second time. Pages, PDFs and exports show a
time only through `format_datetime` / `format_date` / `format_time` (the Jinja filters
`datetime`, `date` and `time` call them) or `wall_clock` (spreadsheet cells, file names), which
accept either kind and convert exactly once.
Tests move the clock with `freeze(dt)`.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BOGOTA = ZoneInfo("America/Bogota")
_frozen: datetime | None = None


def now() -> datetime:
    """Current time, naive UTC (what the database stores)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


def local_now() -> datetime:
    """Current time in Bogotá (aware)."""
    return to_local(now())


def today() -> date:
    """Today's date in Bogotá."""
    return local_now().date()


def to_local(dt: datetime) -> datetime:
    """Naive UTC (or any aware datetime) -> aware Bogotá time. Idempotent: converting a local
    time again gives the same time."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(BOGOTA)


def wall_clock(dt: datetime) -> datetime:
    """Naive UTC (or aware) -> naive Bogotá wall-clock time, for spreadsheet cells and text that
    is not formatted by the filters (XlsxWriter refuses aware datetimes)."""
    return to_local(dt).replace(tzinfo=None)


def from_local(dt: datetime) -> datetime:
    """Bogotá time (naive wall clock, as typed in a form, or aware) -> naive UTC (stored)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BOGOTA)
    return dt.astimezone(UTC).replace(tzinfo=None)


def format_datetime(value: datetime | None, fmt: str = "long") -> str:
    """A stored time read in Bogotá, in the page's language: '9 de diciembre de 2026, 5:48 p. m.'
    ('short' stays compact for tables). Naive means UTC."""
    from flask_babel import format_date as _date
    from flask_babel import format_datetime as _datetime
    from flask_babel import format_time as _time

    if not value:
        return ""
    local = to_local(value)
    if fmt == "short":
        return _datetime(local, "short")
    return f"{_date(local, 'long')}, {_time(local, 'short')}"


def format_date(value: date | datetime | None, fmt: str = "long") -> str:
    """A date (as is) or a stored time's Bogotá date, in the page's language."""
    from flask_babel import format_date as _date

    if not value:
        return ""
    return _date(to_local(value) if isinstance(value, datetime) else value, fmt)


def format_time(value: datetime | None, fmt: str = "short") -> str:
    """A stored time's Bogotá clock time ('8:18 a. m.'), in the page's language."""
    from flask_babel import format_time as _time

    return _time(to_local(value), fmt) if value else ""


@contextlib.contextmanager
def freeze(at: datetime):
    """Freeze `now()` at a naive-UTC datetime (for tests and demo data)."""
    global _frozen
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous


@lru_cache(maxsize=64)
def _colombian_holidays(year: int):
    """Colombia's national holidays of a year (Ley Emiliani moves included), built once."""
    return holidays.country_holidays("CO", years=[year])


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a Colombian national holiday (moved holidays included)."""
    return day.weekday() < 5 and day not in _colombian_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start`, counting from the day after `start`
    (Ley 1755 de 2015: terms run from the day after filing)."""
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (negative if `end` < `start`)."""
    if end < start:
        return -business_days_between(end, start)
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count
