"""Centres' opening (regular, public holiday, exception) and which centres handle a service."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, transaction

from tests.factories import AgencyFactory, ServiceCentreFactory
from tests.services import make_service
from tongban.core.workdays import WorkCalendar
from tongban.service_centres.hours_text import DEFAULT_WEEK, parse_hours, week_from_text
from tongban.service_centres.models import OpeningException, OpeningHours, Window, WindowScope
from tongban.service_centres.selectors import centre_week, centres_for_service
from tongban.service_centres.slots import Interval

MONDAY = date(2031, 9, 29)  # a Monday; Wednesday 1 October is the National Day holiday below
CALENDAR = WorkCalendar(holidays=[date(2031, 10, 1)], known_years=[2031])


def lunch_break_week(centre: object) -> None:
    for weekday in range(5):
        OpeningHours.objects.create(centre=centre, weekday=weekday, start=time(9), end=time(12))
        OpeningHours.objects.create(centre=centre, weekday=weekday, start=time(13, 30), end=time(17))


@pytest.mark.django_db
def test_week_follows_weekly_hours_the_public_holiday_and_the_centres_exceptions() -> None:
    centre = ServiceCentreFactory()
    lunch_break_week(centre)
    OpeningException.objects.create(centre=centre, date=date(2031, 9, 30), closed=True)  # Tuesday: closed
    OpeningException.objects.create(centre=centre, date=date(2031, 10, 4), start=time(9), end=time(12))  # Saturday
    other = ServiceCentreFactory()
    OpeningException.objects.create(centre=other, date=MONDAY, closed=True)  # another centre's: no effect

    week = centre_week(centre, MONDAY, CALENDAR)

    assert [day.day for day in week] == [MONDAY + timedelta(days=offset) for offset in range(7)]
    monday, tuesday, wednesday, thursday, _friday, saturday, sunday = week
    assert monday.intervals == (Interval(time(9), time(12)), Interval(time(13, 30), time(17)))
    assert not monday.special
    assert tuesday.closed and tuesday.exception and tuesday.special
    assert wednesday.closed and wednesday.holiday and wednesday.special
    assert thursday.intervals == monday.intervals
    assert saturday.intervals == (Interval(time(9), time(12)),) and saturday.special
    assert sunday.closed and not sunday.special


@pytest.mark.django_db
def test_an_exception_may_open_a_centre_on_a_public_holiday() -> None:
    centre = ServiceCentreFactory()
    lunch_break_week(centre)
    OpeningException.objects.create(centre=centre, date=date(2031, 10, 1), start=time(10), end=time(15))
    assert centre_week(centre, date(2031, 10, 1), CALENDAR)[0].intervals == (Interval(time(10), time(15)),)


@pytest.mark.django_db
def test_constraints_refuse_a_reversed_interval_and_a_closure_with_times() -> None:
    centre = ServiceCentreFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(centre=centre, weekday=0, start=time(17), end=time(9))
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningException.objects.create(centre=centre, date=MONDAY, closed=True, start=time(9), end=time(12))
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningException.objects.create(centre=centre, date=MONDAY, closed=False)


@pytest.mark.django_db
def test_centres_for_service_follow_window_scopes_in_one_query(django_assert_num_queries: object) -> None:
    item = make_service(code="scoped").item
    other_agency = AgencyFactory()
    comprehensive, by_agency, by_service, unrelated, inactive = (ServiceCentreFactory(code=code) for code in "abcde")
    Window.objects.create(centre=comprehensive, number="1", scope=WindowScope.COMPREHENSIVE)
    Window.objects.create(centre=by_agency, number="1", scope=WindowScope.AGENCIES).agencies.add(
        item.agency, other_agency
    )
    Window.objects.create(centre=by_service, number="2", scope=WindowScope.SERVICES).services.add(item)
    Window.objects.create(centre=unrelated, number="1", scope=WindowScope.AGENCIES).agencies.add(other_agency)
    Window.objects.create(centre=unrelated, number="2", scope=WindowScope.SERVICES)
    Window.objects.create(centre=inactive, number="1", scope=WindowScope.COMPREHENSIVE, active=False)

    with django_assert_num_queries(1):
        found = [centre.code for centre in centres_for_service(item)]
    assert found == ["a", "b", "c"]


def test_free_text_hours_are_read_or_replaced_by_the_default_week() -> None:
    assert parse_hours("Mon–Fri 9:00–17:00, Sat 9:00–12:00") == (
        *((weekday, time(9), time(17)) for weekday in range(5)),
        (5, time(9), time(12)),
    )
    assert parse_hours("Mon–Fri 9:00–17:00 (English spoken)") == tuple((d, time(9), time(17)) for d in range(5))
    assert parse_hours("By appointment") is None
    assert parse_hours("Mon–Fri 17:00–9:00") is None
    assert week_from_text("") == DEFAULT_WEEK
    assert len(DEFAULT_WEEK) == 10 and DEFAULT_WEEK[1] == (0, time(13, 30), time(17))
