"""The one place that reads the wall clock, so that rules can be given ``now`` explicitly."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """The current, time-zone aware instant."""
    return timezone.now()
