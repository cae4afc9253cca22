"""The scheduled escalation of overdue rectification tickets (``reviews.escalate``)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from tongban.reviews.services import rectifications_escalate


@task()
def escalate_overdue(*, slot: str = "") -> int:
    """Escalate the tickets overdue now; safe to run twice (the service skips escalated ones)."""
    return rectifications_escalate(now=timezone.now())
