"""Reads of the inbox, and of the delivery records operators watch."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, QuerySet

from tongban.identity.models import Account
from tongban.notifications.models import Delivery, DeliveryStatus, Message


def inbox(*, recipient: Account, limit: int = 50) -> QuerySet[Message]:
    return Message.objects.filter(recipient=recipient).order_by("-created_at", "-id")[:limit]


def unread_count(*, recipient: Account) -> int:
    return Message.objects.filter(recipient=recipient, read_at__isnull=True).count()


def deliveries(*, status: str = "", channel: str = "", limit: int = 100) -> list[Delivery]:
    """The newest deliveries, optionally of one status and channel, with their messages (one
    query; ``notifications_delivery_status`` serves the status filter)."""
    rows = Delivery.objects.select_related("message").order_by("-created_at", "-id")
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    return list(rows[:limit])


def delivery_counts(*, since: datetime) -> dict[str, int]:
    """How many deliveries of each status were written since ``since`` (one index range per status)."""
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for row in Delivery.objects.filter(created_at__gte=since).values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts
