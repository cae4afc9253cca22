"""Background tasks of notifications: e-mail a stored message in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from tongban.notifications.models import Message


@task()
def email_message(*, message_id: int) -> bool:
    message = Message.objects.select_related("recipient").filter(pk=message_id, emailed_at__isnull=True).first()
    if message is None or not message.recipient.email:
        return False
    language = message.recipient.preferred_language
    send_mail(
        message.subject(language),
        message.body(language),
        settings.DEFAULT_FROM_EMAIL,
        [message.recipient.email],
        fail_silently=False,
    )
    Message.objects.filter(pk=message.pk).update(emailed_at=timezone.now())
    return True
