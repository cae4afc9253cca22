"""Ratings (``Review``), the rectification tickets low ratings open (``Rectification``) and the
anonymous "was this page helpful?" answers (``PageHelpfulness``).

One rating per case, one per served ticket, one per appointment: partial unique constraints.
A review stores the agency, service and centre it concerns so that the public aggregates are one
GROUP BY over an index (``Meta.indexes``), never a join through cases or tickets.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case
from tongban.catalogue.models import ServiceItem
from tongban.identity.models import Account, Agency, Person, ServiceCentre
from tongban.reviews.rules import LEVELS
from tongban.service_centres.models import Appointment, Ticket


class Channel(models.TextChoices):
    CASE = "case", _("Case")
    TICKET = "ticket", _("Window visit")
    APPOINTMENT = "appointment", _("Appointment")


class Review(models.Model):
    channel = models.CharField(max_length=12, choices=Channel.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", db_index=False)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    item = models.ForeignKey(
        ServiceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    centre = models.ForeignKey(
        ServiceCentre, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    level = models.PositiveSmallIntegerField(
        choices=list(LEVELS.items()), help_text="The level given first (kept after a re-rating)."
    )
    reasons = models.JSONField(default=list, blank=True)
    comment = models.TextField(blank=True, help_text="Plain text; never published.")
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    rerated_level = models.PositiveSmallIntegerField(choices=list(LEVELS.items()), null=True, blank=True)
    rerated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(channel="case"), name="reviews_once_per_case"),
            models.UniqueConstraint(fields=["ticket"], condition=Q(channel="ticket"), name="reviews_once_per_ticket"),
            models.UniqueConstraint(
                fields=["appointment"], condition=Q(channel="appointment"), name="reviews_once_per_appointment"
            ),
            models.CheckConstraint(
                condition=Q(channel="case", case__isnull=False)
                | Q(channel="ticket", ticket__isnull=False)
                | Q(channel="appointment", appointment__isnull=False),
                name="reviews_channel_object",
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="reviews_level_range"),
            models.CheckConstraint(
                condition=Q(rerated_level__isnull=True) | Q(rerated_level__gte=1, rerated_level__lte=5),
                name="reviews_rerated_level_range",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="reviews_person"),
            models.Index(fields=["agency", "created_at", "level"], name="reviews_agency_agg"),
            models.Index(fields=["item", "created_at", "level"], name="reviews_item_agg"),
            models.Index(fields=["centre", "created_at", "level"], name="reviews_centre_agg"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} review {self.pk}: {self.level}"

    @property
    def current_level(self) -> int:
        return self.rerated_level or self.level


class Responsible(models.TextChoices):
    AGENCY = "agency", _("The agency")
    CENTRE = "centre", _("The centre's head")
    CITY = "city", _("The city operator")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("Awaiting contact")
    CONTACTED = "contacted", _("Contacted")
    RECTIFIED = "rectified", _("Rectified")


class Rectification(models.Model):
    """A rectification ticket (整改工单) opened by a rating of level 1 or 2."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="rectification")
    responsible = models.CharField(max_length=8, choices=Responsible.choices)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    centre = models.ForeignKey(
        ServiceCentre, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN)
    opened_at = models.DateTimeField()
    contact_due_on = models.DateField()
    rectify_due_on = models.DateField()
    complex = models.BooleanField(default=False)
    contacted_at = models.DateTimeField(null=True, blank=True)
    contact_note = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    answered_on_time = models.BooleanField(null=True, blank=True, help_text="Answered by the rectify deadline.")
    answered_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "status", "rectify_due_on"], name="reviews_rect_agency"),
            models.Index(fields=["centre", "status", "rectify_due_on"], name="reviews_rect_centre"),
            models.Index(
                fields=["rectify_due_on"],
                condition=Q(answered_at__isnull=True, escalated_at__isnull=True),
                name="reviews_rect_pending",
            ),
            models.Index(
                fields=["escalated_at"], condition=Q(escalated_at__isnull=False), name="reviews_rect_escalated"
            ),
        ]

    def __str__(self) -> str:
        return f"rectification {self.pk} ({self.status})"


class PageHelpfulness(models.Model):
    """One anonymous answer to "was this page helpful?": the page's path, the answer and the day.
    Nothing else (no address, no account, no session)."""

    path = models.CharField(max_length=200)
    helpful = models.BooleanField()
    on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["path", "on"], name="reviews_helpful_path")]

    def __str__(self) -> str:
        return f"{self.path} {self.helpful} {self.on}"
