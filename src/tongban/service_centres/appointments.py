"""Writes about appointments: book, cancel and move a place in a slot, mark no-shows, send the
day-before reminders. Each is one transaction with its audit event; notices go through the inbox
(in the same transaction) and e-mail (a task that runs once it commits).

**No double booking, under any concurrency.** A slot's places are numbered 0 … capacity-1 (the
windows that can serve the service at the centre). Booking reads the places already held, then
INSERTs the first free one inside a savepoint; the partial unique constraint
``sc_appointment_place`` (centre, item, start, place) over the rows not cancelled refuses a place
another transaction took first (PostgreSQL makes the second INSERT wait for the first's commit),
and the next place is tried. On PostgreSQL the read and the INSERT are one statement
(``INSERT … SELECT … ON CONFLICT DO NOTHING``), run again when it lost the place. When none is left, :class:`SlotTakenError` carries the next free
slots. Moving an appointment UPDATEs its row to the new slot and place in one statement under the
same constraint: the new place is held before the old one is freed, never neither. ADR 0037.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, FilteredRelation, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from tongban.audit.services import audit_record
from tongban.cases.models import Case
from tongban.catalogue.models import ServiceItem
from tongban.core.actors import Actor
from tongban.core.bilingual import localized
from tongban.core.calendar import get_work_calendar
from tongban.core.clock import now as clock_now
from tongban.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from tongban.forms.models import Application, ApplicationStatus
from tongban.identity.models import Account, Firm, Person, ServiceCentre
from tongban.identity.permissions import acting_authority
from tongban.notifications.services import message_send
from tongban.service_centres import appointment_rules as rules
from tongban.service_centres.models import Appointment, AppointmentStatus
from tongban.service_centres.selectors import free_slots, service_capacity
from tongban.service_centres.slots import Slot, next_free

#: How many free slots a person who lost a race is offered.
OFFERED = 3
#: Attempts at a fresh booking code before giving up (a collision is about one in 10^10).
CODE_ATTEMPTS = 5
#: Appointments reminded or marked per transaction by the jobs.
JOB_BATCH = 200


class SlotTakenError(ConflictError):
    """The slot has no free place left (someone was quicker); ``next_free`` are the next slots
    with one, to offer instead."""

    code = "slot_taken"

    def __init__(self, next_free_slots: list[Slot]) -> None:
        super().__init__(_("This slot was just taken. Please choose another time."))
        self.next_free = next_free_slots


@dataclass(frozen=True)
class Booking:
    """What the person asked for: a service at a centre at a slot start, maybe for a firm, maybe
    about a draft or a case."""

    centre: ServiceCentre
    item: ServiceItem
    starts_at: datetime
    firm: Firm | None = None
    application: Application | None = None
    case: Case | None = None


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def _slot_at(booking: Booking, *, capacity: int, now: datetime) -> Slot:
    """The slot starting at ``booking.starts_at``, or a ValidationError if it is not one: outside
    the opening hours, not on the service's grid, too soon or beyond the horizon."""
    day = _local(booking.starts_at).date()
    first, last = rules.bookable_range(_local(now).date(), horizon_days=settings.APPOINTMENT_HORIZON_DAYS)
    if not first <= day <= last:
        raise ValidationError(
            {
                "starts_at": _("Appointments can be booked up to %(days)d days ahead.")
                % {"days": last.toordinal() - first.toordinal()}
            }
        )
    not_before = rules.earliest_start(now, lead_minutes=settings.APPOINTMENT_LEAD_MINUTES)
    slots = free_slots(
        centre=booking.centre,
        item=booking.item,
        first=day,
        last=day,
        not_before=not_before,
        calendar=get_work_calendar(),
        capacity=capacity,
        count_booked=False,  # whether a place is free is the constraint's to say
    )
    slot = next((s for s in slots if s.start == booking.starts_at), None)
    if slot is None:
        raise ValidationError({"starts_at": _("This time cannot be booked. Please choose one of the times offered.")})
    return slot


def offered_slots(booking: Booking, *, capacity: int, now: datetime, limit: int = OFFERED) -> list[Slot]:
    """The next free slots from the asked-for day on, within the horizon: the asked-for week first
    (what a person who lost a race for a slot nearly always gets), the rest of the horizon only if
    that week is full, so that losing a race costs about what booking does."""
    today = _local(now).date()
    first, last = rules.bookable_range(today, horizon_days=settings.APPOINTMENT_HORIZON_DAYS)
    first = max(first, _local(booking.starts_at).date())
    found: list[Slot] = []
    for start, end in ((first, min(last, first + timedelta(days=6))), (first + timedelta(days=7), last)):
        if start > end:
            continue
        found += next_free(
            free_slots(
                centre=booking.centre,
                item=booking.item,
                first=start,
                last=end,
                not_before=max(
                    rules.earliest_start(now, lead_minutes=settings.APPOINTMENT_LEAD_MINUTES), booking.starts_at
                ),
                calendar=get_work_calendar(),
                capacity=capacity,
            ),
            limit=limit - len(found),
        )
        if len(found) >= limit:
            break
    return found


def _check_links(booking: Booking, person: Person) -> None:
    """A linked draft or case must be the person's (for the same firm, if acting for one)."""
    firm_id = booking.firm.pk if booking.firm else None
    application = booking.application
    if application is not None and (
        application.person_id != person.pk
        or application.firm_id != firm_id
        or application.status != ApplicationStatus.DRAFT
    ):
        raise NotFoundError(_("No such draft."))
    case = booking.case
    if case is not None and (case.applicant_id != person.pk or case.firm_id != firm_id):
        raise NotFoundError(_("No such case."))


def _lock_and_check_person(person: Person, now: datetime) -> None:
    """Lock the person's row (one booking at a time per person: the cap holds even against the
    person's own parallel posts), then the no-show block and the cap of future appointments — the
    lock and the read of the person's recent no-shows and future bookings in one statement."""
    since = now - timedelta(days=settings.APPOINTMENT_NO_SHOW_WINDOW_DAYS)
    # Model rows, not values(): FOR UPDATE OF names the person's table only through its columns
    # (PostgreSQL cannot lock the nullable side of the outer join).
    rows = [
        (getattr(row, "held_status"), getattr(row, "held_end"))  # noqa: B009 - annotations
        for row in Person.objects.annotate(
            counted=FilteredRelation(
                "appointments",
                condition=Q(appointments__status=AppointmentStatus.NO_SHOW, appointments__ends_at__gte=since)
                | Q(appointments__status=AppointmentStatus.BOOKED, appointments__starts_at__gt=now),
            ),
            held_status=F("counted__status"),
            held_end=F("counted__ends_at"),
        )
        .select_for_update(of=("self",))
        .filter(pk=person.pk)
        .only("pk")
    ]
    _check_no_shows([end for status, end in rows if status == AppointmentStatus.NO_SHOW], now)
    _check_cap(sum(1 for status, _end in rows if status == AppointmentStatus.BOOKED))


def _check_no_shows(ends: list[datetime], now: datetime) -> None:
    until = rules.no_show_blocked_until(
        ends,
        now=now,
        limit=settings.APPOINTMENT_NO_SHOW_LIMIT,
        window_days=settings.APPOINTMENT_NO_SHOW_WINDOW_DAYS,
        block_days=settings.APPOINTMENT_NO_SHOW_BLOCK_DAYS,
    )
    if until is not None:
        raise PermissionDeniedError(
            _(
                "You missed %(count)d appointments without cancelling them, so you cannot book online until "
                "%(date)s. You can still come to a service centre without an appointment."
            )
            % {"count": settings.APPOINTMENT_NO_SHOW_LIMIT, "date": formats.date_format(_local(until).date())},
            code="no_show_block",
        )


def _check_cap(held: int) -> None:
    if held >= settings.APPOINTMENT_MAX_FUTURE:
        raise ValidationError(
            _(
                "You already hold %(count)d future appointments, the most one person may hold. "
                "Cancel one to book another."
            )
            % {"count": held}
        )


def _places(booking: Booking, capacity: int, *, exclude: int | None = None) -> list[int]:
    """The places of the slot not held by another appointment, lowest first."""
    rows = Appointment.objects.filter(centre=booking.centre, item=booking.item, starts_at=booking.starts_at).exclude(
        status=AppointmentStatus.CANCELLED
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    held = set(rows.values_list("place", flat=True))
    return [place for place in range(capacity) if place not in held]


def _insert(appointment: Appointment) -> bool:
    """INSERT in a savepoint; False if the place was taken meanwhile. A booking-code collision
    draws a new code and tries the same place again."""
    for _attempt in range(CODE_ATTEMPTS):
        appointment.code = rules.booking_code()
        try:
            with transaction.atomic():
                appointment.save(force_insert=True)
        except IntegrityError:
            appointment.pk = None
            if Appointment.objects.filter(code=appointment.code).exists():
                continue  # the code, not the place
            return False
        return True
    raise ConflictError(_("Please try again."))


#: PostgreSQL: the lowest place nobody holds, INSERTed unless another transaction took it meanwhile,
#: in one round trip instead of a read of the places and a savepoint around each INSERT. It answers
#: (free places seen, id, place): no id with a free place seen means the place (or, once in 10^10,
#: the booking code) was taken between the read and the INSERT — the statement is run again, and
#: READ COMMITTED shows it the other transaction's row.
_INSERT_FIRST_FREE = """
WITH free AS (
    SELECT p.place FROM generate_series(0, %s - 1) AS p(place)
    WHERE NOT EXISTS (
        SELECT 1 FROM {table} a
        WHERE a.centre_id = %s AND a.item_id = %s AND a.starts_at = %s AND a.place = p.place
          AND a.status <> 'cancelled'
    )
    ORDER BY p.place LIMIT 1
), inserted AS (
    INSERT INTO {table} ({columns}, place)
    SELECT {values}, free.place FROM free
    ON CONFLICT DO NOTHING
    RETURNING id, place
)
SELECT (SELECT count(*) FROM free), (SELECT id FROM inserted), (SELECT place FROM inserted)
"""


def _book_place(appointment: Appointment, booking: Booking, capacity: int) -> bool:
    """Hold the lowest free place of the booking's slot for the appointment; False when the slot is
    full."""
    if connection.vendor != "postgresql":  # SQLite: one writer at a time, so no race to lose
        for place in _places(booking, capacity):
            appointment.place = place
            if _insert(appointment):
                return True
        return False
    fields = [f for f in Appointment._meta.concrete_fields if f.name not in ("id", "place")]
    sql = _INSERT_FIRST_FREE.format(
        table=connection.ops.quote_name(Appointment._meta.db_table),
        columns=", ".join(connection.ops.quote_name(f.column) for f in fields),
        values=", ".join(["%s"] * len(fields)),
    )
    for _attempt in range(capacity + CODE_ATTEMPTS):
        appointment.code = rules.booking_code()
        values = [f.get_db_prep_save(getattr(appointment, f.attname), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [capacity, appointment.centre_id, appointment.item_id, appointment.starts_at, *values],
            )
            free, pk, place = cursor.fetchone()
        if pk is not None:
            appointment.pk, appointment.place = pk, place
            appointment._state.adding, appointment._state.db = False, connection.alias
            return True
        if not free:
            return False
    raise ConflictError(_("Please try again."))


def _notice(appointment: Appointment, *, reminder: bool, now: datetime) -> None:
    account = appointment.person.account
    if account is None:
        return

    def render() -> tuple[str, str]:
        when = formats.date_format(_local(appointment.starts_at), "DATETIME_FORMAT")
        values = {
            "service": localized(appointment.item.published_version, "name") or appointment.item.code,
            "centre": localized(appointment.centre, "name"),
            "address": localized(appointment.centre, "address"),
            "when": when,
            "code": appointment.code,
        }
        if reminder:
            subject = _("Reminder: your appointment tomorrow at %(centre)s") % values
        else:
            subject = _("Appointment booked: %(when)s at %(centre)s") % values
        body = (
            _(
                "Service: %(service)s\nCentre: %(centre)s, %(address)s\nTime: %(when)s\nBooking code: %(code)s\n\n"
                "Show the booking code (or its QR code in My appointments) when you arrive to take a queue ticket. "
                "Bring the originals of the materials the service guide lists. If you cannot come, cancel the "
                "appointment in My appointments so that someone else can have the slot."
            )
            % values
        )
        return subject, body

    with translation.override(appointment.language):
        message_send(recipient=account, render=render, now=now)


def _audit(action: str, appointment: Appointment, actor: Actor, **extra: Any) -> None:
    audit_record(
        action=f"service_centres.{action}",
        actor=actor,
        object_type="appointment",
        object_id=appointment.code,
        data={
            "centre": appointment.centre.code,
            "item": appointment.item.code,
            "starts_at": appointment.starts_at.isoformat(),
            "place": appointment.place,
            "person": appointment.person_id,
            "firm": appointment.firm.uscc if appointment.firm else None,
            **extra,
        },
    )


@transaction.atomic
def appointment_book(
    *, person: Person, account: Account, booking: Booking, language: str, now: datetime, actor: Actor
) -> Appointment:
    """Book a place in ``booking``'s slot for ``person`` (signed in as ``account``), for a firm
    under a live power if ``booking.firm``; raises SlotTakenError when the slot is full."""
    if person.account_id != account.pk:
        raise PermissionDeniedError(_("You can only book appointments for yourself."))
    authority = (
        acting_authority(person=person, firm=booking.firm, area=booking.item.area, now=now)
        if booking.firm is not None
        else None
    )
    _check_links(booking, person)
    _lock_and_check_person(person, now)
    capacity = service_capacity(booking.centre, booking.item)
    if capacity <= 0:
        raise ValidationError({"centre": _("This centre does not handle this service.")})
    slot = _slot_at(booking, capacity=capacity, now=now)
    appointment = Appointment(
        centre=booking.centre,
        item=booking.item,
        starts_at=slot.start,
        ends_at=slot.end,
        person=person,
        firm=booking.firm,
        power=authority.power if authority else None,
        booked_by=account,
        application=booking.application,
        case=booking.case,
        language=language,
        created_at=now,
    )
    if not _book_place(appointment, booking, capacity):
        raise SlotTakenError(offered_slots(booking, capacity=capacity, now=now))
    if authority is not None and booking.firm is not None:
        actor = actor.for_firm(booking.firm.uscc, authority.power.pk if authority.power else None)
    _audit(
        "appointment_booked",
        appointment,
        actor,
        power=authority.power.pk if authority and authority.power else None,
        application=str(booking.application.public_id) if booking.application else None,
        case=booking.case.number if booking.case else None,
    )
    _notice(appointment, reminder=False, now=now)
    return appointment


def _own_booked(appointment: Appointment, person: Person, now: datetime) -> Appointment:
    locked = Appointment.objects.select_for_update().filter(pk=appointment.pk, person=person).first()
    if locked is None:
        raise NotFoundError(_("No such appointment."))
    if locked.status != AppointmentStatus.BOOKED:
        raise ConflictError(_("This appointment is no longer booked."))
    if locked.starts_at < rules.earliest_start(now, lead_minutes=settings.APPOINTMENT_LEAD_MINUTES):
        raise ConflictError(_("This appointment starts too soon to be changed online. Please contact the centre."))
    locked.centre, locked.item, locked.person = appointment.centre, appointment.item, person
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, person: Person, now: datetime, actor: Actor) -> Appointment:
    """Cancel the person's own booked appointment (frees its place)."""
    locked = _own_booked(appointment, person, now)
    Appointment.objects.filter(pk=locked.pk).update(status=AppointmentStatus.CANCELLED, cancelled_at=now)
    locked.status, locked.cancelled_at = AppointmentStatus.CANCELLED, now
    _audit("appointment_cancelled", locked, actor)
    return locked


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, person: Person, starts_at: datetime, now: datetime, actor: Actor
) -> Appointment:
    """Move the person's own booked appointment to another slot of the same service at the same
    centre, keeping its code: one UPDATE takes the new place and frees the old one."""
    locked = _own_booked(appointment, person, now)
    booking = Booking(centre=locked.centre, item=locked.item, starts_at=starts_at)
    if starts_at == locked.starts_at:
        raise ValidationError({"starts_at": _("Choose a different time.")})
    capacity = service_capacity(locked.centre, locked.item)
    slot = _slot_at(booking, capacity=capacity, now=now)
    before = locked.starts_at
    for place in _places(booking, capacity, exclude=locked.pk):
        try:
            with transaction.atomic():
                Appointment.objects.filter(pk=locked.pk).update(
                    starts_at=slot.start, ends_at=slot.end, place=place, reminded_at=None
                )
        except IntegrityError:
            continue
        locked.starts_at, locked.ends_at, locked.place, locked.reminded_at = slot.start, slot.end, place, None
        break
    else:
        raise SlotTakenError(offered_slots(booking, capacity=capacity, now=now))
    _audit("appointment_rescheduled", locked, actor, before=before.isoformat())
    _notice(locked, reminder=False, now=now)
    return locked


# --- Scheduled jobs ----------------------------------------------------------------------------


def appointments_remind(*, now: datetime, actor: Actor) -> int:
    """Send the reminder of every appointment booked for tomorrow (local) not reminded yet; each
    batch marks ``reminded_at`` and queues its notices in one transaction, so running it twice
    sends each reminder once. Returns how many were sent."""
    tomorrow = _local(now).date() + timedelta(days=1)
    tz = timezone.get_default_timezone()
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=tz)
    end = start + timedelta(days=1)
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                Appointment.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    status=AppointmentStatus.BOOKED,
                    reminded_at__isnull=True,
                    starts_at__gte=start,
                    starts_at__lt=end,
                )
                .select_related("centre", "item__published_version", "person__account")
                .order_by("starts_at", "id")[:JOB_BATCH]
            )
            if not batch:
                return sent
            Appointment.objects.filter(pk__in=[a.pk for a in batch]).update(reminded_at=now)
            for appointment in batch:
                _notice(appointment, reminder=True, now=now)
            audit_record(
                action="service_centres.appointments_reminded",
                actor=actor,
                object_type="appointment",
                data={"codes": [a.code for a in batch], "day": tomorrow.isoformat()},
            )
            sent += len(batch)


def appointments_mark_no_show(*, now: datetime, actor: Actor) -> int:
    """Mark as no-shows the appointments still booked (nobody arrived) some time after their end."""
    cutoff = rules.no_show_cutoff(now, after_minutes=settings.APPOINTMENT_NO_SHOW_AFTER_MINUTES)
    marked = 0
    while True:
        with transaction.atomic():
            codes = dict(
                Appointment.objects.select_for_update(skip_locked=True)
                .filter(status=AppointmentStatus.BOOKED, ends_at__lt=cutoff)
                .order_by("ends_at", "id")
                .values_list("pk", "code")[:JOB_BATCH]
            )
            if not codes:
                return marked
            Appointment.objects.filter(pk__in=list(codes)).update(status=AppointmentStatus.NO_SHOW)
            audit_record(
                action="service_centres.appointments_no_show",
                actor=actor,
                object_type="appointment",
                data={"codes": sorted(codes.values())},
            )
            marked += len(codes)


@task()
def reminders_job(*, slot: str | None = None) -> int:
    """The daily job (APPOINTMENT_REMINDERS_AT): the reminders of the day after the slot's day."""
    del slot  # run late, it still reminds of tomorrow's appointments: the day after today
    return appointments_remind(now=clock_now(), actor=Actor.system("appointment_reminders"))


@task()
def no_show_job(*, slot: str | None = None) -> int:
    """The hourly job: mark the no-shows."""
    return appointments_mark_no_show(now=clock_now(), actor=Actor.system("appointment_no_shows"))
