"""The in-app inbox: one message per notice, stored in both languages."""

from __future__ import annotations

from django.db import models

from tongban.core import bilingual
from tongban.identity.models import Account


class Message(models.Model):
    recipient = models.ForeignKey(  # led by the index notifications_inbox: none of its own
        Account, on_delete=models.PROTECT, related_name="messages", db_index=False
    )
    case_number = models.CharField(max_length=20, blank=True)
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
