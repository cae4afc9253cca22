"""The working-day calendar: listed holidays, make-up working days, and the fallback for unknown years.

Pure tests, no database: the calendar is built straight from the ``chinesecalendar`` package data.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core.workdays import FIXED_DATE_HOLIDAYS, WorkCalendar

PACKAGE_YEARS = range(2004, 2027)
CALENDAR = WorkCalendar(holidays=constants.holidays, makeup_workdays=constants.workdays, known_years=PACKAGE_YEARS)


def brute_force_between(calendar: WorkCalendar, start: date, end: date) -> int:
    """Reference implementation of ``workdays_between``: step through every day."""
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += calendar.is_workday(day)
    return sign * count


def test_accepted_on_friday_day_one_is_monday() -> None:
    assert CALENDAR.add_workdays(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert CALENDAR.next_workday(date(2026, 11, 27)) == date(2026, 11, 30)
    assert CALENDAR.add_workdays(date(2026, 11, 27), 0) == date(2026, 11, 27)


def test_spring_festival_2026_is_skipped_and_its_makeup_saturdays_count() -> None:
    # The package's data: holiday Sun 15 - Mon 23 February; make-up working days Sat 14 and Sat 28 February.
    assert CALENDAR.is_workday(date(2026, 2, 14)) and date(2026, 2, 14).weekday() == 5
    assert CALENDAR.is_workday(date(2026, 2, 28)) and date(2026, 2, 28).weekday() == 5
    for offset in range(9):
        day = date(2026, 2, 15) + timedelta(days=offset)
        assert not CALENDAR.is_workday(day), day
        assert CALENDAR.is_holiday(day), day
    assert CALENDAR.is_workday(date(2026, 2, 24))
    assert CALENDAR.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)  # the make-up Saturday
    assert CALENDAR.add_workdays(date(2026, 2, 14), 1) == date(2026, 2, 24)
    # Fri 13 Feb: Sat 14, Tue 24, Wed 25, Thu 26, Fri 27, Sat 28 (make-up), Mon 2 March.
    assert CALENDAR.add_workdays(date(2026, 2, 13), 7) == date(2026, 3, 2)
    assert CALENDAR.workdays_between(date(2026, 2, 13), date(2026, 3, 2)) == 7


def test_national_day_2026() -> None:
    for day in range(1, 8):
        assert not CALENDAR.is_workday(date(2026, 10, day))
    assert CALENDAR.is_workday(date(2026, 9, 20))  # Sunday, make-up working day
    assert CALENDAR.is_workday(date(2026, 10, 10))  # Saturday, make-up working day
    assert not CALENDAR.is_workday(date(2026, 10, 11))
    assert CALENDAR.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    assert CALENDAR.workdays_between(date(2026, 9, 30), date(2026, 10, 12)) == 4  # 8, 9, 10 (Sat), 12


def test_agrees_with_the_package_on_every_day_it_knows() -> None:
    day = date(2004, 1, 1)
    while day <= date(2026, 12, 31):
        assert CALENDAR.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    assert CALENDAR.workdays_between(date(2003, 12, 31), date(2026, 12, 31)) == len(
        chinese_calendar.get_workdays(date(2004, 1, 1), date(2026, 12, 31))
    )


def test_unknown_year_falls_back_to_monday_to_friday_minus_fixed_date_holidays() -> None:
    assert FIXED_DATE_HOLIDAYS == ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))
    assert not CALENDAR.is_known_year(2031)
    assert CALENDAR.unknown_years(date(2026, 12, 1), date(2031, 1, 5)) == [2027, 2028, 2029, 2030, 2031]
    assert CALENDAR.unknown_years(date(2031, 1, 5), date(2026, 12, 1)) == [2027, 2028, 2029, 2030, 2031]
    assert CALENDAR.unknown_years(date(2026, 1, 1), date(2026, 12, 31)) == []
    # 2031: 1 Jan is a Wednesday, 1-2 May Thursday-Friday, 1-3 October Wednesday-Friday.
    for month, day in FIXED_DATE_HOLIDAYS:
        assert not CALENDAR.is_workday(date(2031, month, day))
        assert CALENDAR.is_holiday(date(2031, month, day))
    assert CALENDAR.is_workday(date(2031, 1, 2))
    assert CALENDAR.is_workday(date(2031, 1, 23))  # Spring Festival 2031 is not known yet: a working day
    assert not CALENDAR.is_workday(date(2031, 1, 4))  # Saturday
    assert CALENDAR.next_workday(date(2031, 9, 30)) == date(2031, 10, 6)  # Tue -> skip Wed-Fri and the weekend
    assert CALENDAR.workdays_between(date(2031, 4, 30), date(2031, 5, 5)) == 1  # only Mon 5 May


def test_listed_days_override_the_fallback_in_an_unknown_year() -> None:
    calendar = WorkCalendar(
        holidays=[date(2031, 1, 22), date(2031, 1, 1)],  # an operator entered part of 2031
        makeup_workdays=[date(2031, 1, 26)],  # a Sunday
        known_years=PACKAGE_YEARS,
    )
    assert not calendar.is_workday(date(2031, 1, 22))
    assert calendar.is_workday(date(2031, 1, 26))
    # 1 January is listed and a fixed-date holiday: counted once, not twice.
    assert calendar.workdays_between(date(2030, 12, 31), date(2031, 1, 3)) == 2
    assert calendar.unknown_years(date(2031, 1, 1), date(2031, 1, 1)) == [2031]


def test_a_known_year_uses_only_its_listed_days() -> None:
    calendar = WorkCalendar(known_years=[2031])
    assert calendar.is_workday(date(2031, 1, 1))  # known, and nothing listed: an ordinary Wednesday
    assert WorkCalendar().unknown_years(date(2031, 1, 1), date(2031, 1, 1)) == [2031]


def test_a_day_cannot_be_both_holiday_and_makeup_workday() -> None:
    with pytest.raises(ValueError, match="2026-02-14"):
        WorkCalendar(holidays=[date(2026, 2, 14)], makeup_workdays=[date(2026, 2, 14)])


def test_negative_workdays_are_refused() -> None:
    with pytest.raises(ValueError):
        CALENDAR.add_workdays(date(2026, 1, 5), -1)


def test_repr_names_the_known_years() -> None:
    assert "2004-2026" in repr(CALENDAR)
    assert "known years none" in repr(WorkCalendar())


# --- properties --------------------------------------------------------------------------------

any_day = st.dates(min_value=date(2003, 6, 1), max_value=date(2033, 6, 30))
nearby_days = st.dates(min_value=date(2026, 9, 1), max_value=date(2032, 2, 28))


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """Random calendars around the package's last year and the unknown years after it."""
    listed = draw(st.lists(nearby_days, unique=True, max_size=60))
    cut = draw(st.integers(min_value=0, max_value=len(listed)))
    known = draw(st.sets(st.integers(min_value=2026, max_value=2032)))
    return WorkCalendar(holidays=listed[:cut], makeup_workdays=listed[cut:], known_years=known)


@given(calendars(), nearby_days, nearby_days)
def test_counting_matches_stepping_day_by_day(calendar: WorkCalendar, start: date, end: date) -> None:
    assert calendar.workdays_between(start, end) == brute_force_between(calendar, start, end)


@given(any_day, any_day)
@settings(max_examples=200)
def test_counting_matches_stepping_on_the_package_calendar(start: date, end: date) -> None:
    assert CALENDAR.workdays_between(start, end) == brute_force_between(CALENDAR, start, end)


@given(calendars(), nearby_days, st.integers(min_value=0, max_value=120))
def test_add_then_count_is_consistent(calendar: WorkCalendar, start: date, workdays: int) -> None:
    due = calendar.add_workdays(start, workdays)
    assert calendar.workdays_between(start, due) == workdays
    assert calendar.workdays_between(due, start) == -workdays
    if workdays:
        assert calendar.is_workday(due)
        # ... and it is the first day that reaches the count.
        assert calendar.workdays_between(start, due - timedelta(days=1)) == workdays - 1


@given(any_day, st.integers(min_value=1, max_value=60))
def test_add_on_the_package_calendar(start: date, workdays: int) -> None:
    due = CALENDAR.add_workdays(start, workdays)
    assert CALENDAR.workdays_between(start, due) == workdays
    assert CALENDAR.is_workday(due) and due > start
