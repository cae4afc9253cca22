"""Notifications' part of the personal-data export (``core.personal_data``): the person's inbox,
with where each message went. Two queries."""

from __future__ import annotations

from typing import Any

from tongban.identity.models import Person
from tongban.notifications.models import Message


def inbox_section(person: Person) -> list[dict[str, Any]]:
    if person.account_id is None:
        return []
    messages = (
        Message.objects.filter(recipient_id=person.account_id)
        .prefetch_related("deliveries")
        .order_by("created_at", "id")
    )
    return [
        {
            "case_number": message.case_number,
            "subject_zh": message.subject_zh,
            "subject_en": message.subject_en,
            "body_zh": message.body_zh,
            "body_en": message.body_en,
            "created_at": message.created_at,
            "read_at": message.read_at,
            "emailed_at": message.emailed_at,
            "deliveries": [
                {
                    "channel": delivery.channel,
                    "address": delivery.address,
                    "status": delivery.status,
                    "attempts": delivery.attempts,
                    "sent_at": delivery.sent_at,
                }
                for delivery in message.deliveries.all()
            ],
        }
        for message in messages
    ]
