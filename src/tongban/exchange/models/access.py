"""The resource catalogue, grants, consents and the access log."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.audit.models import ChainedRecord
from tongban.core import bilingual
from tongban.core.validators import validate_plain_text
from tongban.identity.models import Account, Agency, Firm, Person


class Classification(models.TextChoices):
    OPEN = "open", _("Open")
    SHARED = "shared", _("Shared on grant")
    RESTRICTED = "restricted", _("Restricted: needs the subject's consent or a case's legal basis")


class DataResource(models.Model):
    """A kind of record an agency publishes for other agencies: e.g. the population registry record."""

    code = models.SlugField(max_length=60, unique=True)
    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="data_resources")
    name_zh = models.CharField(max_length=120, validators=[validate_plain_text])
    name_en = models.CharField(max_length=200, validators=[validate_plain_text])
    description_zh = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    classification = models.CharField(max_length=16, choices=Classification.choices)
    subject_kind = models.CharField(max_length=8, choices=[("person", _("Person")), ("firm", _("Firm"))])
    #: [{"name": "birth_date", "label": {"zh": "出生日期", "en": "Date of birth"}}]
    fields = models.JSONField(default=list)
    provider = models.CharField(max_length=60, help_text="Code of the provider plugin that answers for it.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def field_names(self) -> list[str]:
        return [spec["name"] for spec in self.fields]

    def field_label(self, name: str, language: str) -> str:
        for spec in self.fields:
            if spec["name"] == name:
                label = spec.get("label", {})
                return bilingual.pick(label.get("zh"), label.get("en"), language) or name
        return name

    def name(self, language: str) -> str:
        return bilingual.localized(self, "name", language)


class GrantStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Grant(models.Model):
    """A consuming agency's access to some fields of a resource, for one purpose, until a date."""

    consumer = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="grants", db_index=False)
    resource = models.ForeignKey(DataResource, on_delete=models.PROTECT, related_name="grants")
    purpose = models.CharField(
        max_length=60, help_text="A service item code, or a platform purpose such as identity-verification."
    )
    fields = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=GrantStatus.choices, default=GrantStatus.REQUESTED)
    justification = models.TextField(blank=True)
    requested_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["consumer", "resource", "purpose", "status"], name="exchange_grant_lookup")]

    def __str__(self) -> str:
        return f"{self.consumer.code} → {self.resource.code} for {self.purpose}"

    def is_active(self, now: datetime) -> bool:
        return self.status == GrantStatus.APPROVED and self.revoked_at is None and now < self.expires_at


class Consent(models.Model):
    """A data subject's consent: this agency may use this resource about me for this purpose."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="consents", db_index=False
    )
    firm = models.ForeignKey(Firm, null=True, blank=True, on_delete=models.PROTECT, related_name="consents")
    consumer = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey(DataResource, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=60)
    given_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "consumer", "resource", "purpose"], name="exchange_consent_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, firm__isnull=True) | Q(person__isnull=True, firm__isnull=False),
                name="exchange_consent_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"consent {self.pk}"

    def is_active(self, now: datetime) -> bool:
        return self.withdrawn_at is None and self.given_at <= now < self.expires_at


class AccessOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Provider failed")


class AccessLogEntry(ChainedRecord):
    """One access to someone's data through the exchange — answered, refused or failed. A stream of
    the audit mechanism: append-only, hash-chained, signed checkpoints (``manage.py exchange_verify``)."""

    STREAM: ClassVar[str] = "access"

    at = models.DateTimeField()
    consumer = models.CharField(max_length=32, help_text="Consuming agency code.")
    actor_kind = models.CharField(max_length=16)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    subject_kind = models.CharField(max_length=8)
    subject_ref = models.CharField(max_length=64, help_text="person:<public id> or firm:<USCC>")
    resource = models.CharField(max_length=60)
    fields = models.JSONField(default=list)
    purpose = models.CharField(max_length=60, help_text="Service item code.")
    basis = models.CharField(max_length=24, help_text="grant, consent, case, application, own_application")
    case_number = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=16, choices=AccessOutcome.choices)
    reason = models.CharField(max_length=200, blank=True)

    class Meta(ChainedRecord.Meta):
        indexes = [
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="exchange_log_pending"),
            models.Index(fields=["subject_ref", "-id"], name="exchange_log_subject"),
            models.Index(fields=["at", "consumer", "resource", "outcome"], name="exchange_log_stats"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} read {self.resource} of {self.subject_ref} ({self.outcome})"
