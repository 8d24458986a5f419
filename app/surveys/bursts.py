"""Bursts of open-link answers from one device or one address, flagged on the staff results page.

The counting, thresholds and purge are `app.core.bursts` (shared with consultations); the tables
are this capability's own (`survey_source`, `survey_burst`), so they go with their survey. Answers
through an attendee's one-time link are not counted: each link answers once, and a room of
attendees on one Wi-Fi answering with their links is not a burst.
"""

from __future__ import annotations

from app.core.bursts import THRESHOLDS, Bursts
from app.surveys.models import SurveyBurst, SurveySource

__all__ = ["THRESHOLDS", "count", "flagged", "purge"]

_bursts = Bursts("survey", "survey_id", SurveySource, SurveyBurst)
count, purge, flagged, source_hash = _bursts.count, _bursts.purge, _bursts.flagged, _bursts.source_hash
