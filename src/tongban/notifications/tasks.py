"""Background sending of notices: one task per delivery (a message on one outside channel), safe
to run twice and to be killed at any point (ADR 0041, ADR 0050).

1. **Claim**: one conditional UPDATE moves the delivery from pending/retry to ``sending`` and
   records which run holds it (``claimed_by``, the task result's id). A second copy of the task
   finds nothing to claim and stops: a delivery that was sent, or that a live run holds, is never
   sent again. A claim is taken over only from a dead run: the same job run again by RQ (which
   reruns a job only once its previous run has ended or was declared abandoned after its
   timeout, see ``core.rq``), or any run once the claim is older than ``NOTIFY_STALE_SECONDS``.
2. **Send** through the channel (Django's e-mail backend; the SMS gateway plugin), in the
   recipient's language, with an idempotency key per delivery: the SMS gateway's ``reference``
   ``tongban-<id>``, the e-mail's fixed ``Message-ID`` (and ``X-Tongban-Delivery``).
3. **Record**: ``sent`` with the provider's id, in one transaction with the message's
   ``emailed_at``, and only while the claim is still this run's; or, on failure, ``retry`` with the
   next attempt after exponential back-off (``notifications.backoff``) and the task re-enqueued with
   ``run_after``; after ``NOTIFY_MAX_ATTEMPTS`` tries, or at once for a permanent refusal, ``failed``.

On RQ the job also has an explicit ``Retry`` and a short timeout (``NOTIFY_JOB_*``, registered in
``apps.py``): a worker killed mid-task has its job run again. The sweep job (every minute,
``core.schedule``) re-enqueues deliveries that are due but have no task: retries on a backend
without deferred tasks, and claims whose worker died (on the database backend, whose worker has no
retries, this is the only way back). A worker killed between the provider's acceptance and the
``sent`` UPDATE leaves a claim that is retried: at-least-once at the gateway, made once by the
idempotency key where the gateway de-duplicates on it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskContext

from tongban.notifications.backoff import gives_up, next_attempt_at
from tongban.notifications.models import Channel, Delivery, DeliveryStatus, Message
from tongban.notifications.sms.base import GatewayError, gateway


def _claim(delivery_id: int, now: datetime, run: str) -> bool:
    stale = now - timedelta(seconds=settings.NOTIFY_STALE_SECONDS)
    claimable = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRY]) | Q(
        Q(claimed_at__lt=stale) | Q(claimed_by=run), status=DeliveryStatus.SENDING
    )
    return bool(
        Delivery.objects.filter(claimable, pk=delivery_id).update(
            status=DeliveryStatus.SENDING, claimed_at=now, claimed_by=run
        )
    )


def email_message_id(delivery: Delivery) -> str:
    """The e-mail's Message-ID: the same for every try of one delivery, so that a mail server or
    reader can recognise a second copy sent after a lost answer."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "tongban.invalid"
    return f"<tongban-delivery-{delivery.pk}@{domain}>"


def _send(delivery: Delivery, message: Message) -> str:
    language = message.recipient.preferred_language
    subject, body = message.subject(language), message.body(language)
    if delivery.channel == Channel.EMAIL:
        sent = EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [delivery.address],
            headers={"Message-ID": email_message_id(delivery), "X-Tongban-Delivery": str(delivery.pk)},
        ).send(fail_silently=False)
        if not sent:
            raise GatewayError("the e-mail backend accepted no message")
        return ""
    text = subject if not body else f"{subject}\n{body}"
    return gateway().send(phone=delivery.address, text=text[:500], reference=f"tongban-{delivery.pk}")


@task(takes_context=True)
def deliver(context: TaskContext, *, delivery_id: int) -> str:
    """Send one delivery (see the module docstring); returns its status afterwards. A retry is
    enqueued on the queue this run came from."""
    now = timezone.now()
    run = str(context.task_result.id)
    if not _claim(delivery_id, now, run):
        return "not-claimed"
    delivery = Delivery.objects.select_related("message__recipient").get(pk=delivery_id)
    attempts = delivery.attempts + 1
    try:
        provider_ref = _send(delivery, delivery.message)
    except (GatewayError, OSError) as exc:  # OSError: SMTP and network failures
        temporary = getattr(exc, "temporary", True)
        done = not temporary or gives_up(attempts=attempts, max_attempts=settings.NOTIFY_MAX_ATTEMPTS)
        retry_at = (
            None
            if done
            else next_attempt_at(
                attempts=attempts,
                now=now,
                base_seconds=settings.NOTIFY_RETRY_BASE_SECONDS,
                cap_seconds=settings.NOTIFY_RETRY_CAP_SECONDS,
            )
        )
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, claimed_by=run).update(
            status=DeliveryStatus.FAILED if done else DeliveryStatus.RETRY,
            attempts=attempts,
            next_attempt_at=retry_at,
            last_error=f"{exc.__class__.__name__}: {exc}"[:300],
        )
        if retry_at is not None and deliver.get_backend().supports_defer:
            queue = context.task_result.task.queue_name
            deliver.using(queue_name=queue, run_after=retry_at).enqueue(delivery_id=delivery_id)
        return DeliveryStatus.FAILED if done else DeliveryStatus.RETRY
    sent_at = timezone.now()
    with transaction.atomic():  # the sent marker and the message's e-mail date together
        recorded = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, claimed_by=run).update(
            status=DeliveryStatus.SENT,
            attempts=attempts,
            sent_at=sent_at,
            provider_ref=provider_ref[:100],
            last_error="",
        )
        if recorded and delivery.channel == Channel.EMAIL:
            Message.objects.filter(pk=delivery.message_id, emailed_at__isnull=True).update(emailed_at=sent_at)
    return DeliveryStatus.SENT


@task()
def sweep_deliveries(*, slot: str = "") -> int:
    """Enqueue every delivery that is due and has no live task (see the module docstring)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFY_STALE_SECONDS)
    due = Delivery.objects.filter(
        Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRY], next_attempt_at__lte=now - timedelta(seconds=60))
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
    ).values_list("pk", flat=True)[:1000]
    count = 0
    for delivery_id in due:
        deliver.enqueue(delivery_id=delivery_id)
        count += 1
    return count
