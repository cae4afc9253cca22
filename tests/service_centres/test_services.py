"""City operators edit a centre's week, its exceptional days and its windows, audited; anyone
else is refused and nothing changes."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from tests.factories import AgencyFactory, ServiceCentreFactory, StaffRoleFactory
from tests.services import make_service
from tongban.audit.models import AuditEvent
from tongban.core.actors import Actor
from tongban.core.errors import PermissionDeniedError
from tongban.core.workdays import WorkCalendar
from tongban.service_centres.models import OpeningException, OpeningHours, Window, WindowScope
from tongban.service_centres.selectors import centre_week, centres_for_service
from tongban.service_centres.services import (
    opening_exception_clear,
    opening_exception_set,
    opening_hours_replace,
    window_save,
)
from tongban.service_centres.slots import Interval

pytestmark = pytest.mark.django_db

MONDAY = date(2031, 9, 29)
WEEK = [(weekday, time(9), time(12)) for weekday in range(5)] + [(0, time(13), time(17))]


def operator() -> tuple[object, Actor]:
    account = StaffRoleFactory.create(city_operator=True).account
    return account, Actor(kind="account", account_id=account.pk, label=account.username)


def test_an_operator_replaces_the_week_audited_and_a_repeat_records_nothing() -> None:
    centre = ServiceCentreFactory.create()
    account, actor = operator()
    opening_hours_replace(centre=centre, rows=WEEK, editor=account, actor=actor)
    assert OpeningHours.objects.filter(centre=centre).count() == 6
    [event] = AuditEvent.objects.filter(action="service_centres.hours_replaced")
    assert event.object_id == centre.code and event.data["before"] == [] and "0 13:00-17:00" in event.data["hours"]

    opening_hours_replace(centre=centre, rows=list(reversed(WEEK)), editor=account, actor=actor)
    assert AuditEvent.objects.filter(action="service_centres.hours_replaced").count() == 1
    week = centre_week(centre, MONDAY, WorkCalendar(known_years=[2031]))
    assert week[0].intervals == (Interval(time(9), time(12)), Interval(time(13), time(17)))


def test_overlapping_or_reversed_intervals_and_bad_weekdays_are_refused() -> None:
    centre = ServiceCentreFactory.create()
    account, actor = operator()
    for rows in ([(0, time(9), time(12)), (0, time(11), time(14))], [(1, time(12), time(9))], [(7, time(9), time(12))]):
        with pytest.raises(ValidationError):
            opening_hours_replace(centre=centre, rows=rows, editor=account, actor=actor)
    assert not OpeningHours.objects.exists() and not AuditEvent.objects.exists()


def test_exceptions_close_or_open_a_day_and_can_be_cleared() -> None:
    centre = ServiceCentreFactory.create()
    account, actor = operator()
    opening_hours_replace(centre=centre, rows=WEEK, editor=account, actor=actor)
    calendar = WorkCalendar(known_years=[2031])
    opening_exception_set(centre=centre, day=MONDAY, intervals=[], note_en="Training", editor=account, actor=actor)
    assert centre_week(centre, MONDAY, calendar)[0].closed
    opening_exception_set(centre=centre, day=MONDAY, intervals=[(time(10), time(11))], editor=account, actor=actor)
    assert OpeningException.objects.filter(centre=centre, date=MONDAY).count() == 1  # the closure was replaced
    assert centre_week(centre, MONDAY, calendar)[0].intervals == (Interval(time(10), time(11)),)
    opening_exception_clear(centre=centre, day=MONDAY, editor=account, actor=actor)
    assert not centre_week(centre, MONDAY, calendar)[0].exception
    actions = list(AuditEvent.objects.filter(object_id=centre.code).values_list("action", flat=True))
    assert actions.count("service_centres.exception_set") == 2 and "service_centres.exception_cleared" in actions


def test_windows_are_saved_with_their_scope_and_decide_who_handles_a_service() -> None:
    item = make_service(code="windowed").item
    centre = ServiceCentreFactory.create()
    account, actor = operator()
    window = window_save(
        centre=centre, number="1", scope=WindowScope.SERVICES, services=[item], editor=account, actor=actor
    )
    assert list(centres_for_service(item)) == [centre]
    window_save(
        centre=centre,
        number="1",
        scope=WindowScope.AGENCIES,
        agencies=[AgencyFactory.create()],
        editor=account,
        actor=actor,
    )
    window.refresh_from_db()
    assert window.scope == WindowScope.AGENCIES and not window.services.exists()
    assert list(centres_for_service(item)) == []
    with pytest.raises(ValidationError):
        window_save(centre=centre, number="2", scope=WindowScope.SERVICES, editor=account, actor=actor)
    assert Window.objects.filter(centre=centre).count() == 1
    assert AuditEvent.objects.filter(action="service_centres.window_saved").count() == 2


def test_anyone_but_a_city_operator_is_refused() -> None:
    centre = ServiceCentreFactory.create()
    clerk = StaffRoleFactory.create(clerk=True).account
    actor = Actor(kind="account", account_id=clerk.pk, label=clerk.username)
    with pytest.raises(PermissionDeniedError):
        opening_hours_replace(centre=centre, rows=WEEK, editor=clerk, actor=actor)
    with pytest.raises(PermissionDeniedError):
        opening_exception_set(centre=centre, day=MONDAY, intervals=[], editor=clerk, actor=actor)
    with pytest.raises(PermissionDeniedError):
        window_save(centre=centre, number="1", scope=WindowScope.COMPREHENSIVE, editor=clerk, actor=actor)
    assert not OpeningHours.objects.exists() and not Window.objects.exists() and not AuditEvent.objects.exists()
