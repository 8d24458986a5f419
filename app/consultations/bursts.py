"""Bursts of ballots from one device or one address, flagged on the staff results page.

The counting, thresholds and purge are `app.core.bursts` (shared with surveys); the tables are
this capability's own (`consultation_source`, `consultation_burst`), so they go with their
consultation.
"""

from __future__ import annotations

from app.consultations.models import ConsultationBurst, ConsultationSource
from app.core.bursts import THRESHOLDS, Bursts

__all__ = ["THRESHOLDS", "count", "flagged", "purge"]

_bursts = Bursts("consultation", "consultation_id", ConsultationSource, ConsultationBurst)
count, purge, flagged, source_hash = _bursts.count, _bursts.purge, _bursts.flagged, _bursts.source_hash
