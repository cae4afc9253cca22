"""Slot generation (pure): opening by weekday, the working-day calendar (holidays close, make-up
days open), a centre's own closures and extra days, handling time, windows and bookings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tongban.core.workdays import WorkCalendar
from tongban.service_centres.slots import Interval, WeeklyHours, day_slots, next_free, opening_on, slots_between

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = Interval(time(9), time(12))
AFTERNOON = Interval(time(13, 30), time(17))
WEEKDAYS = dict.fromkeys(range(5), (MORNING, AFTERNOON))
# 2026: 1-3 Jan holiday (Thu-Sat), Sunday 4 Jan a make-up working day (illustrative data).
CALENDAR = WorkCalendar(
    holidays=[date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)],
    makeup_workdays=[date(2026, 1, 4)],
    known_years=[2026],
)


def opening(
    day: date, *, weekly: WeeklyHours = WEEKDAYS, exceptions: Mapping[date, Sequence[Interval]] | None = None
) -> tuple[Interval, ...]:
    return opening_on(day, weekly=weekly, exceptions=exceptions or {}, calendar=CALENDAR)


def test_a_regular_weekday_opens_with_its_hours_and_a_weekend_is_closed() -> None:
    assert opening(date(2026, 1, 5)) == (MORNING, AFTERNOON)  # Monday
    assert opening(date(2026, 1, 10)) == ()  # Saturday


def test_a_public_holiday_closes_even_a_centre_open_that_weekday() -> None:
    saturdays_too = {**WEEKDAYS, 5: (MORNING,)}
    assert opening(date(2026, 1, 1)) == ()  # Thursday, New Year
    assert opening(date(2026, 1, 3), weekly=saturdays_too) == ()  # Saturday inside the block
    assert opening(date(2026, 1, 10), weekly=saturdays_too) == (MORNING,)


def test_a_make_up_working_day_opens_with_the_working_day_hours() -> None:
    assert opening(date(2026, 1, 4)) == (MORNING, AFTERNOON)  # Sunday worked
    sunday_hours = {**WEEKDAYS, 6: (MORNING,)}
    assert opening(date(2026, 1, 4), weekly=sunday_hours) == (MORNING,)


def test_the_centres_own_exceptions_come_first() -> None:
    closure = {date(2026, 1, 5): ()}
    extra = {date(2026, 1, 1): (MORNING,), date(2026, 1, 11): (AFTERNOON,)}
    assert opening(date(2026, 1, 5), exceptions=closure) == ()
    assert opening(date(2026, 1, 1), exceptions=extra) == (MORNING,)  # opens on the holiday
    assert opening(date(2026, 1, 11), exceptions=extra) == (AFTERNOON,)  # an extra Sunday


def test_slots_fit_the_intervals_and_carry_one_place_per_window() -> None:
    slots = day_slots(
        date(2026, 1, 5), opening=(MORNING, AFTERNOON), handling_minutes=40, windows=3, booked={}, tz=SHANGHAI
    )
    starts = [slot.start.time() for slot in slots]
    # 9:00-12:00 holds four 40-minute slots (the fifth would end at 12:20); 13:30-17:00 holds five.
    assert starts == [
        time(9),
        time(9, 40),
        time(10, 20),
        time(11),
        time(13, 30),
        time(14, 10),
        time(14, 50),
        time(15, 30),
        time(16, 10),
    ]
    assert {slot.capacity for slot in slots} == {3}
    assert slots[0].start.tzinfo is SHANGHAI and slots[-1].end == datetime(2026, 1, 5, 16, 50, tzinfo=SHANGHAI)


def test_bookings_lead_time_and_windows_shape_what_is_free() -> None:
    nine = datetime(2026, 1, 5, 9, tzinfo=SHANGHAI)
    ten = datetime(2026, 1, 5, 10, tzinfo=SHANGHAI)
    slots = day_slots(
        date(2026, 1, 5), opening=(MORNING,), handling_minutes=60, windows=2, booked={nine: 2, ten: 1}, tz=SHANGHAI
    )
    assert [(slot.start.hour, slot.free) for slot in slots] == [(9, 0), (10, 1), (11, 2)]
    assert [slot.start.hour for slot in next_free(slots, limit=1)] == [10]
    later = day_slots(
        date(2026, 1, 5), opening=(MORNING,), handling_minutes=60, windows=2, booked={}, tz=SHANGHAI, not_before=ten
    )
    assert [slot.start.hour for slot in later] == [10, 11]
    assert day_slots(date(2026, 1, 5), opening=(MORNING,), handling_minutes=60, windows=0, booked={}, tz=SHANGHAI) == []
    assert (
        day_slots(date(2026, 1, 5), opening=(MORNING,), handling_minutes=240, windows=2, booked={}, tz=SHANGHAI) == []
    )
    with pytest.raises(ValueError):
        day_slots(date(2026, 1, 5), opening=(MORNING,), handling_minutes=0, windows=1, booked={}, tz=SHANGHAI)
    with pytest.raises(ValueError):
        Interval(time(12), time(9))


def test_slots_between_walks_the_calendar_day_by_day() -> None:
    slots = list(
        slots_between(
            date(2026, 1, 1),
            date(2026, 1, 6),
            weekly=dict.fromkeys(range(5), (MORNING,)),
            exceptions={date(2026, 1, 6): ()},
            calendar=CALENDAR,
            handling_minutes=90,
            windows_on=lambda day: 1 if day.weekday() == 6 else 2,
            booked={},
            tz=SHANGHAI,
        )
    )
    # 1-3 Jan holiday, 4 Jan make-up Sunday (one window), 5 Jan Monday (two), 6 Jan closed.
    assert [(slot.start.day, slot.start.hour, slot.start.minute, slot.capacity) for slot in slots] == [
        (4, 9, 0, 1),
        (4, 10, 30, 1),
        (5, 9, 0, 2),
        (5, 10, 30, 2),
    ]
