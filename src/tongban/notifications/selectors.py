"""Reads of the inbox."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.identity.models import Account
from tongban.notifications.models import Message


def inbox(*, recipient: Account, limit: int = 50) -> QuerySet[Message]:
    return Message.objects.filter(recipient=recipient).order_by("-created_at", "-id")[:limit]


def unread_count(*, recipient: Account) -> int:
    return Message.objects.filter(recipient=recipient, read_at__isnull=True).count()
