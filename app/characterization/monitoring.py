"""Unusual querying: many narrow views by one user in a short time, for the steward.

Every dashboard view and table export writes an audit entry (`view` or `export`) with its
filters. A *narrow* view has two or more intersection conditions (groups, a disability type or a
single event/consultation/survey), or was refused for covering fewer than k participations. A
user with `THRESHOLD` or more narrow views within any `WINDOW` is listed: that is how someone
working towards a single person by slicing the data looks. Reads the audit log of the last
`days` days only.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core import time
from app.core.audit import AuditEntry
from app.extensions import db

WINDOW = timedelta(hours=1)
THRESHOLD = 20
TARGETS = ("characterization.dashboard", "characterization.tables")


def is_narrow(details: dict) -> bool:
    if details.get("refused"):
        return True
    filters = details.get("filters") or {}
    conditions = (
        len(filters.get("where") or {})
        + bool(filters.get("disability_type"))
        + bool(filters.get("object_id"))
    )
    return conditions >= 2


def unusual_querying(days: int = 7, window: timedelta = WINDOW, threshold: int = THRESHOLD) -> list[dict]:
    """[{actor, user_id, views, refused, start, end (stored UTC), examples}] busiest first: for each
    user, the window with most narrow views, when it holds at least `threshold`."""
    since = time.now() - timedelta(days=days)
    stmt = (
        select(AuditEntry.user_id, AuditEntry.actor, AuditEntry.at, AuditEntry.details)
        .where(
            AuditEntry.action.in_(("view", "export")), AuditEntry.target.in_(TARGETS), AuditEntry.at >= since
        )
        .order_by(AuditEntry.user_id, AuditEntry.at)
    )
    per_user: dict = {}
    for user_id, actor, at, details in db.session.execute(stmt):
        if is_narrow(details or {}):
            per_user.setdefault((user_id, actor), []).append((at, details or {}))
    out = []
    for (user_id, actor), entries in per_user.items():
        best, start = (0, 0, 0), 0
        for end in range(len(entries)):
            while entries[end][0] - entries[start][0] > window:
                start += 1
            if end - start + 1 > best[0]:
                best = (end - start + 1, start, end)
        count, first, last = best
        if count >= threshold:
            chosen = entries[first : last + 1]
            examples = []
            for _at, details in chosen:
                where = (details.get("filters") or {}).get("where") or {}
                text = ", ".join(f"{k}={v or '—'}" for k, v in sorted(where.items()))
                if text and text not in examples:
                    examples.append(text)
            out.append(
                {
                    "actor": actor,
                    "user_id": user_id,
                    "views": count,
                    "refused": sum(1 for _at, d in chosen if d.get("refused")),
                    "start": chosen[0][0],
                    "end": chosen[-1][0],
                    "examples": examples[:8],
                }
            )
    return sorted(out, key=lambda row: -row["views"])
