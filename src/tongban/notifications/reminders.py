"""Reminders sent at most once: ``remind_once`` writes a ``ReminderSent`` marker under a unique key
and the message in one transaction, so a reminder job is safe to run twice, to resume after a
crash, and to run on several nodes at once. The contexts own their jobs (cases: officers' cases
due soon and supplements awaited; certificates: expiring; service_centres: appointments;
reviews: rectification tickets due) and choose keys that name what and which period."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from tongban.identity.models import Account
from tongban.notifications.models import ReminderSent
from tongban.notifications.services import message_send


def remind_once(
    *, key: str, recipient: Account, event: str, context: Mapping[str, Any], now: datetime, case_number: str = ""
) -> bool:
    """Send the reminder unless ``key`` was sent before; True if it was sent now."""
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: a key sent before fails here alone
                ReminderSent.objects.create(key=key[:120], sent_at=now)
        except IntegrityError:
            return False
        message_send(recipient=recipient, event=event, context=context, now=now, case_number=case_number)
    return True
