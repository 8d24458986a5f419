"""The one clock and the one business-day calendar.

Datetimes are stored as naive UTC. Colombia (America/Bogota) is UTC-5 all year (no DST).
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
    """Current time in Bogotá, naive."""
    return to_local(now())


def today() -> date:
    """Today's date in Bogotá."""
    return local_now().date()


def to_local(dt: datetime) -> datetime:
    """Naive UTC -> naive Bogotá time."""
    return dt.replace(tzinfo=UTC).astimezone(BOGOTA).replace(tzinfo=None)


def from_local(dt: datetime) -> datetime:
    """Naive Bogotá time -> naive UTC."""
    return dt.replace(tzinfo=BOGOTA).astimezone(UTC).replace(tzinfo=None)


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
