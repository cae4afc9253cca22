"""Appointment slots, computed on demand and never stored ahead: a centre's opening on a day, cut
into slots of a service's handling time, each with as many places as the windows that can serve
the service that day, minus the bookings already held.

A centre opens on a day by these rules, first match wins:

1. the centre's own **exception** for that date (an exceptional closure: no intervals; or extra
   opening hours, e.g. a Saturday service day);
2. a **public holiday** of the working-day calendar closes it (including a weekend day inside a
   holiday block);
3. a **make-up working day** (调休上班, a Saturday or Sunday worked) opens it: with that weekday's
   own hours if it has any, otherwise with the hours of its first working weekday (Monday, or the
   next weekday with hours) — the calendar does not say which weekday a make-up day replaces;
4. otherwise the weekday's regular hours (none: closed).

Pure module: no Django models, no database, no clock. Callers pass the calendar
(``core.workdays.WorkCalendar``), ``now`` and the counts of bookings they read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from tongban.core.workdays import WorkCalendar

_SATURDAY = 5


@dataclass(frozen=True, order=True)
class Interval:
    """One stretch of opening within a day, ``start`` inclusive, ``end`` exclusive."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"An opening interval must end after it starts: {self.start}-{self.end}")


#: Regular opening per weekday (0 = Monday … 6 = Sunday); a weekday missing or empty is closed.
WeeklyHours = Mapping[int, Sequence[Interval]]


@dataclass(frozen=True)
class Slot:
    """One bookable time at a centre for one service."""

    start: datetime
    end: datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


def opening_on(
    day: date, *, weekly: WeeklyHours, exceptions: Mapping[date, Sequence[Interval]], calendar: WorkCalendar
) -> tuple[Interval, ...]:
    """The centre's opening intervals on ``day``, sorted (rules 1-4 of the module docstring)."""
    if day in exceptions:
        return tuple(sorted(exceptions[day]))
    if calendar.is_holiday(day):
        return ()
    own = tuple(sorted(weekly.get(day.weekday(), ())))
    if own or not (day.weekday() >= _SATURDAY and calendar.is_workday(day)):
        return own
    for weekday in range(_SATURDAY):  # a make-up working day without weekend hours of its own
        if weekly.get(weekday):
            return tuple(sorted(weekly[weekday]))
    return ()


def day_slots(
    day: date,
    *,
    opening: Sequence[Interval],
    handling_minutes: int,
    windows: int,
    booked: Mapping[datetime, int],
    tz: tzinfo,
    not_before: datetime | None = None,
) -> list[Slot]:
    """The slots of ``day``: each opening interval cut into ``handling_minutes`` from its start (a
    slot that would run past the interval's end is not offered), each with ``windows`` places, less
    ``booked[start]``. Slots starting before ``not_before`` (now plus the booking lead time) are
    left out."""
    if handling_minutes <= 0:
        raise ValueError("A service's handling time must be a positive number of minutes.")
    if windows <= 0:
        return []
    length = timedelta(minutes=handling_minutes)
    slots: list[Slot] = []
    for interval in opening:
        start = datetime.combine(day, interval.start, tzinfo=tz)
        close = datetime.combine(day, interval.end, tzinfo=tz)
        while start + length <= close:
            if not_before is None or start >= not_before:
                slots.append(Slot(start=start, end=start + length, capacity=windows, booked=booked.get(start, 0)))
            start += length
    return slots


def slots_between(
    first: date,
    last: date,
    *,
    weekly: WeeklyHours,
    exceptions: Mapping[date, Sequence[Interval]],
    calendar: WorkCalendar,
    handling_minutes: int,
    windows_on: Callable[[date], int],
    booked: Mapping[datetime, int],
    tz: tzinfo,
    not_before: datetime | None = None,
) -> Iterator[Slot]:
    """Every slot from ``first`` to ``last`` inclusive, day by day; ``windows_on(day)`` says how
    many windows can serve the service that day."""
    day = first
    while day <= last:
        opening = opening_on(day, weekly=weekly, exceptions=exceptions, calendar=calendar)
        if opening:
            yield from day_slots(
                day,
                opening=opening,
                handling_minutes=handling_minutes,
                windows=windows_on(day),
                booked=booked,
                tz=tz,
                not_before=not_before,
            )
        day += timedelta(days=1)


def next_free(slots: Iterator[Slot] | Sequence[Slot], *, limit: int = 3) -> list[Slot]:
    """The first ``limit`` slots with a free place: what a person who lost a race is offered."""
    found: list[Slot] = []
    for slot in slots:
        if slot.free:
            found.append(slot)
            if len(found) == limit:
                break
    return found
