"""A service centre's structured opening hours, its exceptional days and its windows.

The centre itself (``identity.ServiceCentre``) stays in identity, where clerks belong to it; this
app adds what the public pages, appointments and the queue need:

* ``Appointment``: a person's booked place in one slot of one service at one centre. A slot's
  places are numbered; the partial unique constraint ``sc_appointment_place`` on (centre, item,
  start, place) over the places not cancelled is what makes a double booking impossible under any
  concurrency (ADR 0037).
* ``Ticket``: a queue number issued on arrival (A… for appointments, B… for walk-ins), called to a
  window, finished or marked no-show; it records waiting and service times.
* ``Visit``: a ticket served on a case — how many in-person visits a case needed (one-stop).
* ``Delivery``: how a case's paper result reaches the applicant — pickup at a centre or post
  (ADR 0040).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.cases.models import Case
from tongban.catalogue.models import ServiceItem
from tongban.core.fields import EncryptedTextField
from tongban.core.validators import validate_plain_text
from tongban.forms.models import Application
from tongban.identity.models import Account, Agency, Firm, Person, Power, ServiceCentre


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


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    ARRIVED = "arrived", _("Arrived")
    NO_SHOW = "no_show", _("Did not come")


class Appointment(models.Model):
    """A booked place in one slot: ``place`` numbers the slot's places from 0 up to the number of
    windows serving the service that day; a cancelled appointment frees its place."""

    code = models.CharField(max_length=12, unique=True, help_text="The booking code shown and put in the QR code.")
    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="appointments", db_index=False)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="appointments", db_index=False)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.PositiveSmallIntegerField()
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments", db_index=False)
    firm = models.ForeignKey(Firm, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    power = models.ForeignKey(Power, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    booked_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    status = models.CharField(max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    language = models.CharField(max_length=8, default="zh-hans", help_text="The language of its notices.")
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "item", "starts_at", "place"],
                condition=~Q(status="cancelled"),
                name="sc_appointment_place",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="sc_appointment_ends_after"),
        ]
        indexes = [
            models.Index(fields=["person", "starts_at"], name="sc_appointment_person"),
            models.Index(fields=["centre", "starts_at"], name="sc_appointment_centre"),
            models.Index(
                fields=["starts_at"],
                condition=Q(status="booked", reminded_at__isnull=True),
                name="sc_appointment_remind",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    DONE = "done", _("Finished")
    NO_SHOW = "no_show", _("Did not come")


class TicketSource(models.TextChoices):
    CLERK = "clerk", _("By a clerk")
    KIOSK = "kiosk", _("At the kiosk")
    PHONE = "phone", _("By phone, with a booking code")


class Ticket(models.Model):
    """A queue number for one visit to a centre on one day: ``letter`` + ``number`` (A007), unique
    per centre, day and letter. Waiting time runs from ``issued_at`` to the first ``called_at``;
    service time from ``called_at`` to ``finished_at``."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="tickets", db_index=False)
    day = models.DateField()
    letter = models.CharField(max_length=1)
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=8, choices=TicketSource.choices)
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket"
    )
    person = models.ForeignKey(  # led by the index sc_ticket_person: none of its own
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    item = models.ForeignKey(ServiceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    for_window = models.ForeignKey(
        Window,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Transferred to this window: only it calls the ticket.",
    )
    clerk = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    identified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a clerk checked the visitor's document against the person record: only then do the "
        "person's drafts and cases open at the window (a booking code names a person, it does not prove who came).",
    )
    issued_at = models.DateTimeField()
    first_called_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    calls = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "letter", "number"], name="sc_ticket_number"),
        ]
        indexes = [
            models.Index(fields=["centre", "day", "status", "issued_at"], name="sc_ticket_queue"),
            models.Index(fields=["centre", "day", "-called_at"], name="sc_ticket_called"),
            models.Index(fields=["person", "-issued_at"], name="sc_ticket_person"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.letter}{self.number:03d}"


class Visit(models.Model):
    """A ticket served on a case: the case needed one in-person visit (counted for one-stop)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="visits", db_index=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="visits", db_index=False)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "case"], name="sc_visit_once")]
        indexes = [models.Index(fields=["case", "at"], name="sc_visit_case")]

    def __str__(self) -> str:
        return f"{self.ticket_id} on {self.case_id}"


class DeliveryMethod(models.TextChoices):
    PICKUP = "pickup", _("Pickup at a service centre")
    POST = "post", _("By post")


class DeliveryStatus(models.TextChoices):
    CHOSEN = "chosen", pgettext_lazy("delivery", "Waiting for the result")
    READY = "ready", pgettext_lazy("delivery", "Ready")
    DISPATCHED = "dispatched", pgettext_lazy("delivery", "Posted")
    HANDED_OVER = "handed_over", pgettext_lazy("delivery", "Handed over")


class Delivery(models.Model):
    """How a case's paper result reaches the applicant (ADR 0040): pickup at ``centre`` or post to
    ``address`` (encrypted at rest). Changeable while ``chosen``; ``ready`` once the case is
    approved and the agency marked the paper ready; then ``dispatched`` (post, with its tracking
    number) or ``handed_over`` (pickup, after the clerk checked the collector's identity)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="delivery")
    method = models.CharField(max_length=8, choices=DeliveryMethod.choices)
    centre = models.ForeignKey(
        ServiceCentre, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries", db_index=False
    )
    recipient = EncryptedTextField(blank=True, default="")
    address = EncryptedTextField(blank=True, default="")
    phone = EncryptedTextField(blank=True, default="")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.CHOSEN)
    chosen_at = models.DateTimeField()
    chosen_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    ready_at = models.DateTimeField(null=True, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who posted it or handed it over.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(method="pickup", centre__isnull=False) | Q(method="post", centre__isnull=True),
                name="sc_delivery_pickup_has_centre",
            ),
            models.CheckConstraint(
                condition=~Q(status="dispatched") | ~Q(tracking_number=""),
                name="sc_delivery_dispatched_tracked",
            ),
        ]
        indexes = [
            models.Index(fields=["centre", "status"], name="sc_delivery_centre_status"),
            # The results by post waiting for a clerk or officer to send them (the clerks' "To post").
            models.Index(fields=["ready_at"], condition=Q(method="post", status="ready"), name="sc_delivery_to_post"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.method} {self.status}"
