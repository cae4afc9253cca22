"""The scheduled catch-up of the fact tables (``statistics.catch_up``, every few minutes)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from tongban.statistics.services import facts_catch_up


@task()
def catch_up(*, slot: str = "") -> int:
    """Bring the fact tables up to date; safe to run twice (the watermarks say what was counted)."""
    return sum(facts_catch_up(now=timezone.now()).values())
