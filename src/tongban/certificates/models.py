"""Certificate data: every e-certificate issued, with its signed forms and its revocation.

A certificate is immutable once issued (its JWS and credential are signatures over its content);
the only later change is revocation, recorded with who, when and why.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import CertificateType
from tongban.core import bilingual
from tongban.identity.models import Agency, AgencyOffice, Firm, Person, ServiceArea


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class RevocationReason(models.TextChoices):
    """The public reason for a revocation: a fixed, translated list (verifiers read it; the officer's
    own words stay in the back office)."""

    ISSUED_IN_ERROR = "issued_in_error", _("Issued in error")
    REPLACED = "replaced", _("Replaced by a new certificate")
    HOLDER_REQUEST = "holder_request", _("At the holder's request")
    CONDITIONS_NOT_MET = "conditions_not_met", _("The conditions for it are no longer met")
    IMPROPERLY_OBTAINED = "improperly_obtained", _("Obtained by false statements or other improper means")


class Certificate(models.Model):
    number = models.CharField(max_length=24, unique=True)
    certificate_type = models.ForeignKey(CertificateType, on_delete=models.PROTECT, related_name="certificates")
    # The holder, issuer and applicant firm each lead a composite index (Meta): none of their own.
    holder_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates", db_index=False
    )
    holder_firm = models.ForeignKey(
        Firm, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates", db_index=False
    )
    holder_name_zh = models.CharField(max_length=200)
    holder_name_en = models.CharField(max_length=200)
    subject = models.CharField(
        max_length=80, help_text="The JWS sub: urn:tongban:person:<uuid> or urn:tongban:firm:<USCC>."
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="certificates", db_index=False)
    case_number = models.CharField(max_length=20, blank=True, help_text="The case it was issued on.")
    applicant_firm = models.ForeignKey(
        Firm,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_for_staff",
        help_text="The firm whose application produced it (its staff with the power see it).",
        db_index=False,
    )
    area = models.CharField(max_length=32, choices=ServiceArea.choices, blank=True)
    issued_at = models.DateTimeField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    fields = models.JSONField(default=dict)
    jws = models.TextField(help_text="Compact JWS (EdDSA) of the certificate.")
    credential = models.TextField(help_text="The same certificate as a VC 2.0 credential (vc+jwt).")
    key_id = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: The issuing office (the office of the case it was issued on; empty for certificates issued
    #: outside a case): only its staff revoke it. ``four_eyes``: it was issued under four eyes, so
    #: its revocation needs them too (an officer proposes, a supervisor of the office confirms).
    office = models.ForeignKey(
        AgencyOffice, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    four_eyes = models.BooleanField(default=False)
    revoked_reason = models.CharField(max_length=300, blank=True, help_text="Internal: never shown publicly.")
    revoked_reason_code = models.CharField(max_length=24, choices=RevocationReason.choices, blank=True)
    revoked_by_id = models.BigIntegerField(null=True, blank=True)
    revocation_proposed_at = models.DateTimeField(null=True, blank=True)
    revocation_proposed_by_id = models.BigIntegerField(null=True, blank=True)
    revocation_proposed_reason = models.CharField(max_length=300, blank=True)
    revocation_proposed_code = models.CharField(max_length=24, choices=RevocationReason.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["holder_person", "-issued_at"], name="cert_holder_person"),
            models.Index(fields=["holder_firm", "-issued_at"], name="cert_holder_firm"),
            models.Index(fields=["applicant_firm", "area", "-issued_at"], name="cert_applicant_firm"),
            models.Index(fields=["agency", "-issued_at"], name="cert_agency"),
            models.Index(fields=["case_number"], name="cert_case_number", condition=~Q(case_number="")),
            models.Index(
                fields=["valid_until"],
                name="cert_valid_until",
                condition=Q(revoked_at__isnull=True, valid_until__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(holder_person__isnull=False, holder_firm__isnull=True)
                | Q(holder_person__isnull=True, holder_firm__isnull=False),
                name="certificates_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def status(self, now: datetime) -> CertificateStatus:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if now < self.valid_from:
            return CertificateStatus.NOT_YET_VALID
        if self.valid_until is not None and now >= self.valid_until:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def public_reason(self) -> str:
        """The revocation's reason as verifiers read it (from the fixed list), or ''."""
        return str(RevocationReason(self.revoked_reason_code).label) if self.revoked_reason_code else ""

    def holder_name(self, language: str) -> str:
        return bilingual.localized(self, "holder_name", language)
