"""Reads the back office needs that belong to no single context: the audit trail viewer."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.audit.models import AuditEvent


def audit_events(
    *, action: str = "", object_type: str = "", object_id: str = "", limit: int = 100
) -> QuerySet[AuditEvent]:
    """The newest audit events, optionally filtered; one query, index-backed."""
    events = AuditEvent.objects.order_by("-id")
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
        if object_id:
            events = events.filter(object_id=object_id)
    return events[:limit]
