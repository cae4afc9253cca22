"""Sending notices: into the in-app inbox and, by e-mail, through a task queued in the caller's
transaction (sent by the background worker once that commits, in the recipient's language). SMS
joins behind the same call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import translation

from tongban.core.db import insert_object
from tongban.core.tasks import enqueue_with_commit
from tongban.identity.models import Account
from tongban.notifications.models import Message
from tongban.notifications.tasks import email_message

#: Renders (subject, body) in the active language.
Render = Callable[[], tuple[str, str]]


def _in(language: str, render: Render) -> tuple[str, str]:
    with translation.override(language):
        return render()


def message_send(*, recipient: Account, render: Render, now: datetime, case_number: str = "") -> Message:
    """Put a notice in the recipient's inbox in both languages and e-mail it after commit."""
    subject_zh, body_zh = _in("zh-hans", render)
    subject_en, body_en = _in("en", render)
    message = insert_object(  # a static INSERT: every case transition sends one (Message has no signals)
        Message(
            recipient=recipient,
            case_number=case_number,
            subject_zh=subject_zh[:200],
            subject_en=subject_en[:300],
            body_zh=body_zh,
            body_en=body_en,
            created_at=now,
        )
    )
    if recipient.email:
        enqueue_with_commit(email_message, message_id=message.pk)
    return message


@transaction.atomic
def message_mark_read(*, message: Message, recipient: Account, now: datetime) -> None:
    Message.objects.filter(pk=message.pk, recipient=recipient, read_at__isnull=True).update(read_at=now)
