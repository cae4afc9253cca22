"""The working-day calendar as data: listed holidays and make-up working days, and the years known;
and the rate-limit counters of ``core.ratelimit``'s database store (``RateCounter``) and the
scheduler's claims of periods (``ScheduledRun``), at the end.

``tongban.core.workdays`` holds the rules; these tables hold the dates. ``calendar_seed`` fills
them from the ``chinesecalendar`` package (``source`` "chinesecalendar <version>"); operators
correct and extend them (``source`` "operator"), and the seed never overwrites an operator's row.

Every process keeps the calendar in memory (``tongban.core.calendar``) and compares one token,
:class:`CalendarRevision`, to know when to reload. The token changes in the same transaction as
the calendar: through the ``post_save``/``post_delete`` receivers at the end of this module for
single-row writes, or by calling :meth:`CalendarRevision.bump` after bulk writes (``bulk_create``
and ``QuerySet.update`` send no signals).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from tongban.core.validators import validate_plain_text

#: ``source`` of rows entered or corrected by an operator; the seed leaves them alone.
SOURCE_OPERATOR = "operator"
#: ``source`` of rows written by ``calendar_seed`` starts with this, followed by the package version.
SOURCE_PACKAGE_PREFIX = "chinesecalendar"


def is_seeded_source(source: str) -> bool:
    """True if a row was written by ``calendar_seed`` (and may therefore be rewritten by it)."""
    return source == SOURCE_PACKAGE_PREFIX or source.startswith(SOURCE_PACKAGE_PREFIX + " ")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")


class CalendarDay(models.Model):
    """A date that breaks the Monday-to-Friday rule: a public holiday (weekend days inside a holiday
    block included) or a make-up working day (调休上班) on a Saturday or Sunday."""

    day = models.DateField(_("date"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60, validators=[validate_plain_text])
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True, validators=[validate_plain_text])
    source = models.CharField(
        _("source"),
        max_length=64,
        default=SOURCE_OPERATOR,
        validators=[validate_plain_text],
        help_text='"operator", or "chinesecalendar <version>" for seeded rows.',
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CalendarDayKind.values), name="core_calendarday_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.kind} {self.name_zh}"

    def clean(self) -> None:
        super().clean()
        if self.kind == CalendarDayKind.MAKEUP_WORKDAY and self.day is not None and self.day.weekday() < 5:
            message = _("A make-up working day falls on a Saturday or a Sunday; this date is a working day anyway.")
            raise ValidationError({"kind": ValidationError(message, code="makeup_on_weekday")})


class CalendarYear(models.Model):
    """A year the calendar has (``complete``) or is getting the State Council's schedule for.

    Only complete years are *known*; in any other year the fixed-date fallback applies and the
    back office warns. A year whose ``source`` is "operator" belongs to the operators: the seed
    adds and changes nothing in it.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    complete = models.BooleanField(
        _("complete"), default=False, help_text="All holidays and make-up working days of the year are listed."
    )
    source = models.CharField(_("source"), max_length=64, default=SOURCE_OPERATOR, validators=[validate_plain_text])

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return f"{self.year} ({'complete' if self.complete else 'incomplete'}, {self.source})"


class CalendarRevision(models.Model):
    """One row whose ``token`` changes whenever the calendar tables change, in the same transaction.

    A fresh random token (not a counter) so that a rolled-back change can never reuse a value
    another process has already cached.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar revision {self.token[:8]}"

    @classmethod
    def current_token(cls) -> str:
        """The token now ("" before the calendar was ever written)."""
        with connection.cursor() as cursor:  # static: every deadline shown reads it
            cursor.execute(f"SELECT token FROM {cls._meta.db_table} WHERE id = 1")  # noqa: S608 - metadata only
            row = cursor.fetchone()
        return str(row[0]) if row else ""

    @classmethod
    def bump(cls) -> str:
        """Give the calendar a new token; call it inside the transaction that changed the calendar."""
        token = uuid.uuid4().hex
        cls.objects.update_or_create(pk=1, defaults={"token": token})
        return token


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
@receiver(post_save, sender=CalendarYear)
@receiver(post_delete, sender=CalendarYear)
def _calendar_changed(sender: type[models.Model], **kwargs: Any) -> None:
    CalendarRevision.bump()


class RateCounter(models.Model):
    """One rate-limit counter or block of ``core.ratelimit``'s database store (used when there is
    no shared Redis cache). ``key`` is the limit's name and a keyed hash of what it counts (a user
    name, an address): no personal data. Written only by single atomic upserts; rows whose window
    has ended are deleted by ``ratelimit.cleanup``. Not audited: security counters, not business
    events; the refusals and challenges they cause are audited."""

    key = models.CharField(primary_key=True, max_length=100)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.FloatField(db_index=True, help_text="When the window or block ends (Unix time, seconds).")

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")

    def __str__(self) -> str:
        return f"{self.key} = {self.count}"


class ScheduledRun(models.Model):
    """A periodic job's claim of one period (``core.schedule``): inserted with the enqueue of its
    task in one transaction, unique per (job, slot), so that each slot runs once on any number of
    scheduler nodes. Not audited: the scheduler's bookkeeping; the work it enqueues audits its own
    writes. Rows older than ``RETENTION["scheduled_runs"]`` days are deleted by the retention job."""

    job = models.CharField(max_length=64)
    slot = models.DateTimeField(help_text="Start of the period this run is for.")
    enqueued_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="core_scheduledrun_once")]
        indexes = [models.Index(fields=["slot"], name="core_scheduledrun_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
