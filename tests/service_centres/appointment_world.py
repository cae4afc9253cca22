"""A small world for appointment tests: a centre open Monday to Friday 09:00-12:00 with two
comprehensive windows, a service of 30 minutes at a window, and a fixed ``now`` (a Monday in a
year the work calendar does not list, so only weekends are days off)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from tests.factories import PersonFactory, ServiceCentreFactory
from tests.services import make_service
from tongban.catalogue.models import ServiceItem
from tongban.core.actors import Actor
from tongban.identity.models import Person, ServiceCentre
from tongban.service_centres.appointments import Booking, appointment_book
from tongban.service_centres.models import Appointment, OpeningHours, Window, WindowScope

TZ = timezone.get_default_timezone()
MONDAY = date(2031, 9, 29)
NOW = datetime.combine(MONDAY, time(8), tzinfo=TZ)
ACTOR = Actor.system("tests")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


TUESDAY_9 = at(date(2031, 9, 30), 9)


@dataclass
class Place:
    centre: ServiceCentre
    item: ServiceItem


def make_place(*, windows: int = 2, code: str = "appt-svc", centre_code: str | None = None) -> Place:
    item = make_service(code=code).item
    item.window_minutes = 30
    item.save(update_fields=["window_minutes"])
    centre = ServiceCentreFactory(**({"code": centre_code} if centre_code else {}))
    for weekday in range(5):
        OpeningHours.objects.create(centre=centre, weekday=weekday, start=time(9), end=time(12))
    for number in range(windows):
        Window.objects.create(centre=centre, number=str(number + 1), scope=WindowScope.COMPREHENSIVE)
    return Place(centre=centre, item=item)


def book(
    place: Place, person: Person | None = None, *, starts_at: datetime = TUESDAY_9, **extra: object
) -> Appointment:
    if person is None:
        person = PersonFactory.create()
    assert person.account is not None
    return appointment_book(
        person=person,
        account=person.account,
        booking=Booking(centre=place.centre, item=place.item, starts_at=starts_at, **extra),
        language="en",
        now=NOW,
        actor=ACTOR,
    )
