"""Form data: a form definition per service version, applications being filled (drafts) and the
material files uploaded for them.

An :class:`Application` is the applicant's side of a case: it is a draft while being filled, on
any device, step by step, and becomes read-only once submitted (the cases context then holds the
case made from it). Uploaded files live in Django's storage (filesystem or S3), named by their
SHA-256; the row keeps the checksum, the detected type and who uploaded it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import Material, ServiceVersion
from tongban.certificates.models import Certificate
from tongban.core.fields import EncryptedJSONField
from tongban.identity.models import Account, AgencyOffice, Firm, Person, Power, ServiceCentre


class FormDefinition(models.Model):
    """The form of one service version: a JSON Schema for the data, and a layout (steps, bilingual
    labels and help, widgets, prefill sources, conditional sections)."""

    version = models.OneToOneField(ServiceVersion, on_delete=models.CASCADE, related_name="form_definition")
    schema = models.JSONField(help_text="JSON Schema (2020-12) of the data.")
    layout = models.JSONField(help_text="Steps and field presentation; see docs/forms.md.")
    points_table = models.SlugField(max_length=40, blank=True, help_text="Catalogue points table to score with.")
    points_fields = models.JSONField(default=dict, blank=True, help_text="Points factor code -> field name.")

    def __str__(self) -> str:
        return f"form of {self.version}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ABANDONED = "abandoned", _("Deleted draft")


class ApplicationChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    WINDOW = "window", _("At a window")


class Application(models.Model):
    """An application form being filled (a draft) or submitted, by a person for themselves or for
    a firm under a power. Filled at a service-centre window on the person's behalf (帮办), it
    records the hand that entered it: ``channel`` window, the clerk and the centre (ADR 0039)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(  # led by the index forms_application_person: none of its own
        Person, on_delete=models.PROTECT, related_name="applications", db_index=False
    )
    firm = models.ForeignKey(Firm, null=True, blank=True, on_delete=models.PROTECT, related_name="applications")
    power = models.ForeignKey(Power, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT)
    data = EncryptedJSONField(default=dict, blank=True)  # personal data: encrypted at rest (ADR 0029)
    #: field name -> prefill source (e.g. "person.latin_name"), for "where did this value come from".
    sources = models.JSONField(default=dict, blank=True)
    step = models.PositiveSmallIntegerField(default=0)
    #: What the once-only lookups (held certificates, certificate prefill) were last made for: a
    #: digest of the applicant, the firm and the persons the form names. A save whose digest is
    #: unchanged makes no new data-exchange read; a GET never makes one (ADR 0026).
    looked_up_for = models.CharField(max_length=64, blank=True, default="")
    office = models.ForeignKey(
        AgencyOffice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The office the applicant chose, for district-level services.",
    )
    channel = models.CharField(max_length=8, choices=ApplicationChannel.choices, default=ApplicationChannel.ONLINE)
    entered_by = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The clerk who last entered it at a window on the applicant's behalf.",
    )
    entered_at_centre = models.ForeignKey(
        ServiceCentre, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "status", "-updated_at"], name="forms_application_person"),
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class Upload(models.Model):
    """A material file uploaded for an application (or its supplement)."""

    application = models.ForeignKey(  # led by the index forms_upload_current: none of its own
        Application, on_delete=models.PROTECT, related_name="uploads", db_index=False
    )
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    for_supplement = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["application", "material", "superseded_at"], name="forms_upload_current")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:8]})"


class HeldCertificate(models.Model):
    """A material the applicant need not upload: a valid e-certificate the government issued
    (免交) stands in for it. Re-checked when the application is shown and when it is submitted."""

    application = models.ForeignKey(  # led by the unique pair forms_held_once: none of its own
        Application, on_delete=models.CASCADE, related_name="held", db_index=False
    )
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    attached_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "material"], name="forms_held_once")]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.material_id}<-{self.certificate_id}"
