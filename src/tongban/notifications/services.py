"""Sending notices, through one call for every context: the message goes into the recipient's
in-app inbox in both languages, and one delivery record is written per outside channel the
person chose (e-mail, SMS), in the caller's transaction — so nothing goes out for a change that
rolled back. The sending task, queued with the same transaction (``core.tasks``), sends each in the
recipient's language and retries failures with back-off (``notifications.tasks``).

Texts come from template files per event type (``notifications.templates``); older callers may
still pass a ``render`` callable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import translation

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.core.db import insert_object
from tongban.core.tasks import enqueue_with_commit
from tongban.identity.models import Account
from tongban.notifications import templates
from tongban.notifications.models import Channel, Delivery, Message, Preference
from tongban.notifications.tasks import deliver

#: Renders (subject, body) in the active language.
Render = Callable[[], tuple[str, str]]


def _in(language: str, render: Render) -> tuple[str, str]:
    with translation.override(language):
        return render()


def channels_for(account: Account, preference: Preference | None) -> dict[str, str]:
    """The outside channels a notice to ``account`` goes by, with the address for each."""
    wants_email = preference.email if preference is not None else True
    wants_sms = preference.sms if preference is not None else False
    chosen: dict[str, str] = {}
    if wants_email and account.email:
        chosen[Channel.EMAIL] = account.email
    if wants_sms and account.phone:
        chosen[Channel.SMS] = account.phone
    return chosen


def message_send(
    *,
    recipient: Account,
    now: datetime,
    event: str = "",
    context: Mapping[str, Any] | None = None,
    render: Render | None = None,
    case_number: str = "",
) -> Message:
    """Put a notice in the recipient's inbox in both languages and queue its e-mail and SMS
    deliveries with the caller's transaction. Give ``event`` (a template folder) and its
    ``context``, or a ``render`` callable."""
    if render is None:
        if not event:
            raise ValueError("message_send needs an event template or a render callable")
        render = templates.renderer(event, context or {})
    subject_zh, body_zh = _in("zh-hans", render)
    subject_en, body_en = _in("en", render)
    message = insert_object(  # a static INSERT: every case transition sends one (Message has no signals)
        Message(
            recipient=recipient,
            case_number=case_number,
            event=event[:40],
            subject_zh=subject_zh[:200],
            subject_en=subject_en[:300],
            body_zh=body_zh,
            body_en=body_en,
            created_at=now,
        )
    )
    preference = Preference.objects.filter(account=recipient).first()
    for channel, address in channels_for(recipient, preference).items():
        delivery = insert_object(
            Delivery(message=message, channel=channel, address=address, created_at=now, next_attempt_at=now)
        )
        enqueue_with_commit(deliver, delivery_id=delivery.pk)
    return message


@transaction.atomic
def message_mark_read(*, message: Message, recipient: Account, now: datetime) -> None:
    Message.objects.filter(pk=message.pk, recipient=recipient, read_at__isnull=True).update(read_at=now)


@transaction.atomic
def preference_set(*, account: Account, email: bool, sms: bool, actor: Actor, now: datetime) -> Preference:
    """Save which outside channels carry the person's notices (the inbox always does)."""
    preference, _created = Preference.objects.update_or_create(
        account=account, defaults={"email": email, "sms": sms, "updated_at": now}
    )
    audit_record(
        action="notifications.preference_set",
        actor=actor,
        object_type="account",
        object_id=account.pk,
        data={"email": email, "sms": sms},
    )
    return preference
