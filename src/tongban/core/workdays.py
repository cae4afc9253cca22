"""The working-day calendar of mainland China as data: public holidays and make-up working days.

A day is a working day by these rules, first match wins:

1. it is listed as a **make-up working day** (调休上班, a Saturday or Sunday worked in exchange
   for a longer holiday) -> working day;
2. it is listed as a **public holiday** (including the weekend days inside a holiday block)
   -> not a working day;
3. its year is **not known** to the calendar and it is one of the fixed-date public holidays in
   :data:`FIXED_DATE_HOLIDAYS` -> not a working day;
4. otherwise Monday to Friday are working days, Saturday and Sunday are not.

A year is *known* when the holidays and make-up working days the State Council published for it
have been loaded completely (``core.CalendarYear.complete``). For an unknown year only the
fixed-date holidays of rule 3 are subtracted: the lunar holidays (Spring Festival, Qingming,
Dragon Boat, Mid-Autumn) and every make-up working day are missing, so deadlines in such a year
come out earlier than they will really be. :meth:`WorkCalendar.unknown_years` tells callers when
that happened so that operators can be warned to load the year.

Pure module: no Django, no database, no clock. A :class:`WorkCalendar` is built once per process
from at most a few thousand dates (``tongban.core.calendar`` loads it) and then answers
``is_workday`` in O(1), ``workdays_between`` in O(log n + years spanned) and ``add_workdays(d, n)``
in O(n + the non-working days on the way).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import accumulate

#: (month, day) of the public holidays whose Gregorian date is fixed by the 全国年节及纪念日放假办法
#: as revised by State Council Decree No. 795 (in force since 1 January 2025): New Year's Day
#: (1 January), Labour Day (1-2 May) and National Day (1-3 October). Used only for years the
#: calendar does not know. The lunar holidays cannot be placed without the published schedule.
FIXED_DATE_HOLIDAYS: tuple[tuple[int, int], ...] = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


def _weekdays_through(ordinal: int) -> int:
    """How many Mondays to Fridays have a proleptic ordinal in ``1 .. ordinal`` (ordinal 1 is a Monday)."""
    return (ordinal // 7) * 5 + min(ordinal % 7, 5)


class WorkCalendar:
    """Immutable answer to "is this a working day?" for any date, built from calendar data.

    ``holidays`` and ``makeup_workdays`` are the listed days (rules 1 and 2 of the module
    docstring); ``known_years`` are the years whose lists are complete. A day may not be both a
    holiday and a make-up working day.
    """

    __slots__ = ("_exception_ordinals", "_exception_prefix", "_holidays", "_known_years", "_makeup_workdays")

    def __init__(
        self,
        *,
        holidays: Iterable[date] = (),
        makeup_workdays: Iterable[date] = (),
        known_years: Iterable[int] = (),
    ) -> None:
        self._holidays = frozenset(holidays)
        self._makeup_workdays = frozenset(makeup_workdays)
        self._known_years = frozenset(known_years)
        clash = self._holidays & self._makeup_workdays
        if clash:
            days = ", ".join(day.isoformat() for day in sorted(clash))
            raise ValueError(f"A day cannot be both a holiday and a make-up working day: {days}")
        # Listed days that change the Monday-to-Friday answer, with a prefix sum of the change, so
        # that counting working days over any span is a subtraction and two binary searches.
        changes = sorted(
            [(day.toordinal(), -1) for day in self._holidays if day.weekday() < _SATURDAY]
            + [(day.toordinal(), 1) for day in self._makeup_workdays if day.weekday() >= _SATURDAY]
        )
        self._exception_ordinals = [ordinal for ordinal, _ in changes]
        self._exception_prefix = [0, *accumulate(change for _, change in changes)]

    def __repr__(self) -> str:
        years = sorted(self._known_years)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return (
            f"<WorkCalendar {len(self._holidays)} holidays, {len(self._makeup_workdays)} make-up working days, "
            f"known years {span}>"
        )

    @property
    def known_years(self) -> frozenset[int]:
        """The years whose holidays and make-up working days are completely listed."""
        return self._known_years

    def is_known_year(self, year: int) -> bool:
        return year in self._known_years

    def unknown_years(self, first: date, last: date) -> list[int]:
        """The years from ``first`` to ``last`` (either order, inclusive) that the calendar does not know."""
        low, high = min(first, last), max(first, last)
        return [year for year in range(low.year, high.year + 1) if year not in self._known_years]

    def is_holiday(self, day: date) -> bool:
        """True for a listed public holiday, or a fixed-date holiday of an unknown year (rules 2-3)."""
        if day in self._makeup_workdays:
            return False
        return day in self._holidays or self._fallback_holiday(day)

    def is_workday(self, day: date) -> bool:
        """True if ``day`` is a working day (see the module docstring for the rules)."""
        if day in self._makeup_workdays:
            return True
        if day in self._holidays or self._fallback_holiday(day):
            return False
        return day.weekday() < _SATURDAY

    def _fallback_holiday(self, day: date) -> bool:
        return day.year not in self._known_years and (day.month, day.day) in FIXED_DATE_HOLIDAYS

    def workdays_between(self, start: date, end: date) -> int:
        """How many working days lie after ``start`` up to and including ``end``.

        ``start`` itself is never counted, so ``workdays_between(d, add_workdays(d, n)) == n``.
        If ``end`` is before ``start`` the answer is ``-workdays_between(end, start)``.
        """
        if end < start:
            return -self.workdays_between(end, start)
        low, high = start.toordinal(), end.toordinal()
        count = _weekdays_through(high) - _weekdays_through(low)
        ordinals = self._exception_ordinals
        count += (
            self._exception_prefix[bisect_right(ordinals, high)] - self._exception_prefix[bisect_right(ordinals, low)]
        )
        for year in range(start.year, end.year + 1):
            if year in self._known_years:
                continue
            for month, day_of_month in FIXED_DATE_HOLIDAYS:
                day = date(year, month, day_of_month)
                if (
                    start < day <= end
                    and day.weekday() < _SATURDAY
                    and day not in self._holidays
                    and day not in self._makeup_workdays
                ):
                    count -= 1
        return count

    def add_workdays(self, day: date, workdays: int) -> date:
        """The ``workdays``-th working day after ``day`` (``day`` itself is not counted; 0 gives ``day``).

        Accepted on Friday 27 November 2026, ``add_workdays(accepted_on, 1)`` is Monday 30 November.
        """
        if workdays < 0:
            raise ValueError(f"workdays must not be negative, got {workdays}")
        remaining = workdays
        while remaining:
            day += _ONE_DAY
            if self.is_workday(day):
                remaining -= 1
        return day

    def next_workday(self, day: date) -> date:
        """The first working day after ``day``."""
        return self.add_workdays(day, 1)
