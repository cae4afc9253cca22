"""The in-app inbox (one message per notice, stored in both languages), what each person chose to
receive by which channel, and one delivery record per message and outside channel (e-mail, SMS)
that the background sender works through and operators can see."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.core import bilingual
from tongban.identity.models import Account


class Message(models.Model):
    recipient = models.ForeignKey(  # led by the index notifications_inbox: none of its own
        Account, on_delete=models.PROTECT, related_name="messages", db_index=False
    )
    case_number = models.CharField(max_length=20, blank=True)
    event = models.CharField(max_length=40, blank=True, help_text="The event type whose template it was written from.")
    subject_zh = models.CharField(max_length=200)
    subject_en = models.CharField(max_length=300)
    body_zh = models.TextField()
    body_en = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notifications_inbox")]

    def __str__(self) -> str:
        return self.subject_en

    def subject(self, language: str) -> str:
        return bilingual.localized(self, "subject", language)

    def body(self, language: str) -> str:
        return bilingual.localized(self, "body", language)


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")


class Preference(models.Model):
    """A person's choice of the outside channels that carry her notices (the inbox always does).
    No row: the defaults (e-mail on when there is an address, SMS off)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="notification_preference")
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by text message"), default=False)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.account_id}: email={self.email} sms={self.sms}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    RETRY = "retry", _("Failed, will be retried")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, given up")


class Delivery(models.Model):
    """One message on one outside channel: written with the message (so nothing is sent for a
    change that rolled back), claimed by the sending task, retried with back-off."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254, help_text="Where it went: the e-mail address or phone number.")
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(
        max_length=64, blank=True, help_text="The task run (its result id) that holds the claim while sending."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_ref = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "channel"], name="notifications_delivery_once")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending", "retry"]),
                name="notifications_delivery_due",
            ),
            models.Index(fields=["status", "-created_at"], name="notifications_delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.channel} {self.status}"


class ReminderSent(models.Model):
    """That the reminder ``key`` was sent (``reminder:case-due:officer 17:2026-12-07``…): a scheduled
    reminder job inserts it in the same transaction as the message, under the unique key, so
    running the job twice — or on two nodes — sends each reminder once."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
