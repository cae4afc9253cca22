"""Identity's retention rule (``core.retention``): login sessions that expired more than the
limit ago. Sessions are not records of a case or of the person's affairs, so their deletion is
audited as one count per batch, not one event per session (ADR 0030)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sessions.models import Session
from django.db import transaction

from tongban.audit.services import audit_record
from tongban.core.actors import Actor


def expired_sessions(*, cutoff: datetime, now: datetime, batch_size: int) -> int:
    """Delete up to ``batch_size`` sessions that expired before ``cutoff``, with one audit event.

    Rows only: with Redis, a session's cache entry expires by itself when the session does."""
    with transaction.atomic():
        keys = list(
            Session.objects.filter(expire_date__lt=cutoff)
            .order_by("expire_date")
            .values_list("session_key", flat=True)[:batch_size]
        )
        if not keys:
            return 0
        Session.objects.filter(session_key__in=keys).delete()
        audit_record(
            action="retention.sessions_deleted",
            actor=Actor.system("retention"),
            object_type="session",
            data={"count": len(keys), "expired_before": cutoff.isoformat()},
        )
    return len(keys)
