"""Reads about service centres: their opening on given days (through the pure ``slots`` rules),
which centres handle a service, the public list with its filters, a service's free slots at a
centre and a person's appointments — each in a fixed, small
number of queries whatever the number of centres."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.cases.models import Case
from tongban.cases.workflow import FINAL
from tongban.catalogue.models import ServiceItem
from tongban.core.errors import NotFoundError
from tongban.core.workdays import WorkCalendar
from tongban.forms.models import Application, ApplicationStatus
from tongban.identity.models import Agency, Person, ServiceCentre
from tongban.service_centres.models import (
    Appointment,
    AppointmentStatus,
    OpeningException,
    OpeningHours,
    Window,
    WindowScope,
)
from tongban.service_centres.slots import Interval, Slot, WeeklyHours, opening_on, slots_between

#: How many days "the week" on a centre's page shows, today first.
WEEK_DAYS = 7


@dataclass(frozen=True)
class DayOpening:
    """A centre's opening on one day, and why it differs from the weekly hours if it does."""

    day: date
    intervals: tuple[Interval, ...]
    regular: tuple[Interval, ...]  # what the weekly hours alone would give
    holiday: bool  # a public holiday of the working-day calendar
    exception: bool  # the centre's own exception for the date decided it

    @property
    def closed(self) -> bool:
        return not self.intervals

    @property
    def special(self) -> bool:
        return self.intervals != self.regular


def weekly_hours(rows: Iterable[OpeningHours]) -> WeeklyHours:
    weekly: dict[int, list[Interval]] = defaultdict(list)
    for row in rows:
        weekly[row.weekday].append(Interval(row.start, row.end))
    return weekly


def exception_map(rows: Iterable[OpeningException]) -> dict[date, list[Interval]]:
    """The centre's exceptions by date: a closure is an empty list (it wins over any interval
    rows of the same date)."""
    found: dict[date, list[Interval]] = {}
    closed: set[date] = set()
    for row in rows:
        found.setdefault(row.date, [])
        if row.closed:
            closed.add(row.date)
        elif row.start is not None and row.end is not None:
            found[row.date].append(Interval(row.start, row.end))
    return {day: ([] if day in closed else intervals) for day, intervals in found.items()}


def days_opening(
    days: Sequence[date],
    *,
    hours: Iterable[OpeningHours],
    exceptions: Iterable[OpeningException],
    calendar: WorkCalendar,
) -> list[DayOpening]:
    """The opening on each of ``days`` from already-read rows (no query)."""
    weekly = weekly_hours(hours)
    special = exception_map(exceptions)
    return [
        DayOpening(
            day=day,
            intervals=opening_on(day, weekly=weekly, exceptions=special, calendar=calendar),
            regular=tuple(sorted(weekly.get(day.weekday(), ()))),
            holiday=calendar.is_holiday(day),
            exception=day in special,
        )
        for day in days
    ]


def centre_week(centre: ServiceCentre, today: date, calendar: WorkCalendar) -> list[DayOpening]:
    """The centre's opening from ``today`` for :data:`WEEK_DAYS` days (two queries)."""
    days = [today + timedelta(days=offset) for offset in range(WEEK_DAYS)]
    return days_opening(
        days,
        hours=OpeningHours.objects.filter(centre=centre),
        exceptions=OpeningException.objects.filter(centre=centre, date__range=(days[0], days[-1])),
        calendar=calendar,
    )


def _covers(item: ServiceItem) -> Q:
    return (
        Q(scope=WindowScope.COMPREHENSIVE)
        | Q(scope=WindowScope.AGENCIES, agencies=item.agency_id)
        | Q(scope=WindowScope.SERVICES, services=item.pk)
    )


def windows_for_service(item: ServiceItem) -> QuerySet[Window]:
    """The active windows whose scope covers ``item``: comprehensive, its agency's, or its own."""
    return Window.objects.filter(_covers(item), active=True).distinct()


def centres_for_service(item: ServiceItem) -> QuerySet[ServiceCentre]:
    """The centres with at least one active window that can handle ``item`` (one query)."""
    windows = Window.objects.filter(_covers(item), centre=OuterRef("pk"), active=True)
    return ServiceCentre.objects.filter(Exists(windows)).order_by("code")


def public_centres(*, district: str = "", service: ServiceItem | None = None, today: date) -> list[ServiceCentre]:
    """The centres of the public list, filtered, each with its weekly hours and today's
    exceptions prefetched (``opening_hours``, ``today_exceptions``): three queries whatever the
    number of centres."""
    centres = centres_for_service(service) if service is not None else ServiceCentre.objects.order_by("code")
    if district:
        centres = centres.filter(district=district)
    return list(
        centres.prefetch_related(
            "opening_hours",
            Prefetch(
                "opening_exceptions", queryset=OpeningException.objects.filter(date=today), to_attr="today_exceptions"
            ),
        )
    )


def centre_districts() -> list[str]:
    """The district codes that have at least one centre, for the list's filter."""
    return list(
        ServiceCentre.objects.exclude(district="").values_list("district", flat=True).distinct().order_by("district")
    )


@dataclass(frozen=True)
class Handles:
    """What a centre's active windows handle together."""

    everything: bool
    agencies: list[Agency]
    services: list[ServiceItem]


def centre_handles(centre: ServiceCentre) -> Handles:
    """A comprehensive window means every service; otherwise the union of the windows' agencies
    and services (three queries at most)."""
    windows = Window.objects.filter(centre=centre, active=True)
    if windows.filter(scope=WindowScope.COMPREHENSIVE).exists():
        return Handles(everything=True, agencies=[], services=[])
    agencies = list(
        Agency.objects.filter(windows__in=windows.filter(scope=WindowScope.AGENCIES)).distinct().order_by("code")
    )
    services = list(
        ServiceItem.objects.filter(windows__in=windows.filter(scope=WindowScope.SERVICES))
        .exclude(agency__in=agencies)
        .select_related("published_version")
        .distinct()
        .order_by("code")
    )
    return Handles(everything=False, agencies=agencies, services=services)


# --- Appointments ------------------------------------------------------------------------------


def service_capacity(centre: ServiceCentre, item: ServiceItem) -> int:
    """How many places each slot of ``item`` has at ``centre``: its active windows that can serve
    the item (one query). Windows have no per-day schedule, so this holds for every open day."""
    return windows_for_service(item).filter(centre=centre).count()


def booked_counts(centre: ServiceCentre, item: ServiceItem, first: date, last: date) -> dict[datetime, int]:
    """The places held (not cancelled) per slot start of ``item`` at ``centre`` between two local
    days (one grouped query)."""
    tz = timezone.get_default_timezone()
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    rows = (
        Appointment.objects.filter(centre=centre, item=item, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=AppointmentStatus.CANCELLED)
        .values("starts_at")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["starts_at"]: row["n"] for row in rows}


def free_slots(
    *,
    centre: ServiceCentre,
    item: ServiceItem,
    first: date,
    last: date,
    not_before: datetime,
    calendar: WorkCalendar,
    capacity: int | None = None,
    count_booked: bool = True,
) -> list[Slot]:
    """Every slot of ``item`` at ``centre`` from ``first`` to ``last`` with its places and bookings
    (full ones included: callers filter on ``free``); four queries whatever the number of days
    (without ``count_booked`` the bookings are not read and every slot shows all its places)."""
    capacity = service_capacity(centre, item) if capacity is None else capacity
    if capacity <= 0:
        return []
    return list(
        slots_between(
            first,
            last,
            weekly=weekly_hours(OpeningHours.objects.filter(centre=centre)),
            exceptions=exception_map(OpeningException.objects.filter(centre=centre, date__range=(first, last))),
            calendar=calendar,
            handling_minutes=item.window_minutes,
            windows_on=lambda _day: capacity,
            booked=booked_counts(centre, item, first, last) if count_booked else {},
            tz=timezone.get_default_timezone(),
            not_before=not_before,
        )
    )


def appointments_of_person(person: Person) -> QuerySet[Appointment]:
    """The person's appointments, newest slot first, with what their list shows (one query)."""
    return (
        Appointment.objects.filter(person=person)
        .select_related("centre", "item__published_version", "firm", "case", "application")
        .order_by("-starts_at", "-id")
    )


def appointment_of_person(person: Person, code: str) -> Appointment:
    """The person's appointment with this booking code, or NotFoundError (another's: not found)."""
    found = appointments_of_person(person).filter(code=code).first()
    if found is None:
        raise NotFoundError(_("No such appointment."))
    return found


@dataclass(frozen=True)
class Linkable:
    """A person's drafts and open cases of one service that an appointment may be linked to."""

    drafts: list[Application]
    cases: list[Case]


def linkable_for(person: Person, item: ServiceItem, *, limit: int = 20) -> Linkable:
    """The person's own drafts and open cases of ``item`` (theirs or a firm's they filed): two queries."""
    drafts = list(
        Application.objects.filter(person=person, status=ApplicationStatus.DRAFT, version__item=item)
        .select_related("firm")
        .order_by("-updated_at")[:limit]
    )
    cases = list(
        Case.objects.filter(applicant=person, item=item)
        .exclude(status__in=FINAL)
        .select_related("firm")
        .order_by("-submitted_at")[:limit]
    )
    return Linkable(drafts=drafts, cases=cases)


@dataclass(frozen=True)
class ExceptionDay:
    """A centre's exception on one date, as the back office lists it."""

    day: date
    intervals: tuple[tuple[time, time], ...]  # empty: closed
    note_zh: str
    note_en: str

    @property
    def closed(self) -> bool:
        return not self.intervals


@dataclass(frozen=True)
class CentreEditing:
    """What the back office's centre page shows and edits."""

    week: dict[int, list[tuple[time, time]]]
    exceptions: list[ExceptionDay]
    windows: list[Window]


def centre_editing(*, centre: ServiceCentre, since: date) -> CentreEditing:
    """The centre's weekly rows, its exceptions from ``since`` on, and every window with what its
    scope lists (five queries)."""
    week: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for row in OpeningHours.objects.filter(centre=centre).order_by("weekday", "start"):
        week[row.weekday].append((row.start, row.end))
    by_day: dict[date, list[OpeningException]] = defaultdict(list)
    for exception in OpeningException.objects.filter(centre=centre, date__gte=since).order_by("date", "start"):
        by_day[exception.date].append(exception)
    exceptions = [
        ExceptionDay(
            day=day,
            intervals=()
            if any(row.closed for row in rows)
            else tuple((row.start, row.end) for row in rows if row.start and row.end),
            note_zh=rows[0].note_zh,
            note_en=rows[0].note_en,
        )
        for day, rows in by_day.items()
    ]
    windows = list(
        Window.objects.filter(centre=centre)
        .prefetch_related("agencies", "services__published_version")
        .order_by("number")
    )
    return CentreEditing(week=dict(week), exceptions=exceptions, windows=windows)
