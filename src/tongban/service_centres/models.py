"""A service centre's structured opening hours, its exceptional days and its windows.

The centre itself (``identity.ServiceCentre``) stays in identity, where clerks belong to it; this
app adds what the public pages and, later, appointments and queues need.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import ServiceItem
from tongban.core.validators import validate_plain_text
from tongban.identity.models import Agency, ServiceCentre


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One regular opening interval on a weekday; several per weekday make a lunch break."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="opening_hours", db_index=False)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["centre_id", "weekday", "start"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "weekday", "start"], name="sc_hours_one_start"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="sc_hours_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="sc_hours_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.weekday} {self.start}-{self.end}"


class OpeningException(models.Model):
    """A date on which the centre departs from its weekly hours: a closure (``closed``, no times)
    or one extra opening interval (several rows for several intervals on the date). It wins over
    the working-day calendar (a centre may open on a public holiday)."""

    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.CASCADE, related_name="opening_exceptions", db_index=False
    )
    date = models.DateField()
    closed = models.BooleanField(default=False)
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)
    note_zh = models.CharField(max_length=200, blank=True, validators=[validate_plain_text])
    note_en = models.CharField(max_length=200, blank=True, validators=[validate_plain_text])

    class Meta:
        ordering = ["centre_id", "date", "start"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "date", "start"], name="sc_exception_one_start"),
            models.UniqueConstraint(
                fields=["centre", "date"], condition=Q(closed=True), name="sc_exception_one_closure"
            ),
            models.CheckConstraint(
                condition=Q(closed=True, start__isnull=True, end__isnull=True)
                | Q(closed=False, start__isnull=False, end__isnull=False, end__gt=F("start")),
                name="sc_exception_closed_or_interval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.date} {'closed' if self.closed else f'{self.start}-{self.end}'}"


class WindowScope(models.TextChoices):
    SERVICES = "services", _("Listed services")
    AGENCIES = "agencies", _("Services of listed agencies")
    COMPREHENSIVE = "comprehensive", _("Comprehensive (any service)")


class Window(models.Model):
    """A counter at a centre and what it may handle: the listed services, any service of the
    listed agencies, or any service at all (综合窗口)."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="windows", db_index=False)
    number = models.CharField(max_length=10)
    label_zh = models.CharField(max_length=100, blank=True, validators=[validate_plain_text])
    label_en = models.CharField(max_length=150, blank=True, validators=[validate_plain_text])
    scope = models.CharField(max_length=16, choices=WindowScope.choices)
    services = models.ManyToManyField(ServiceItem, blank=True, related_name="windows")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="windows")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["centre_id", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="sc_window_number")]
        indexes = [models.Index(fields=["scope"], condition=Q(active=True), name="sc_window_active_scope")]

    def __str__(self) -> str:
        return f"{self.centre_id} #{self.number}"
