"""Selector: the working-day calendar from the database, built once per process, and its warnings.

``get_work_calendar()`` costs one primary-key query (the :class:`CalendarRevision` token) while the
cached :class:`WorkCalendar` is current, and two more to rebuild it when another transaction (in
any process) has changed the calendar. Call it once per request or job, then compute deadlines
for as many cases as needed with no further database access.

Years the calendar does not know fall back to Monday to Friday minus the fixed-date holidays
(``tongban.core.workdays``); :func:`unknown_years_warning` gives the back office the sentence to
show operators so that they load the year before deadlines depend on it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext, ngettext

from tongban.core.models import CalendarDay, CalendarDayKind, CalendarRevision, CalendarYear
from tongban.core.workdays import WorkCalendar

_lock = threading.Lock()
_cached: tuple[str, WorkCalendar] | None = None


def load_work_calendar() -> WorkCalendar:
    """Build a :class:`WorkCalendar` from the tables, bypassing the cache (two queries)."""
    holidays: list[date] = []
    makeup_workdays: list[date] = []
    for day, kind in CalendarDay.objects.values_list("day", "kind"):
        (makeup_workdays if kind == CalendarDayKind.MAKEUP_WORKDAY else holidays).append(day)
    known_years = CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
    return WorkCalendar(holidays=holidays, makeup_workdays=makeup_workdays, known_years=known_years)


def get_work_calendar() -> WorkCalendar:
    """The current calendar: cached per process, rebuilt when its revision token has changed."""
    global _cached  # noqa: PLW0603  (the per-process cache is this module's one piece of state)
    token = CalendarRevision.current_token()
    cached = _cached
    if cached is not None and cached[0] == token:
        return cached[1]
    with _lock:
        cached = _cached
        if cached is not None and cached[0] == token:
            return cached[1]
        # The token was read before the rows, so the rows are at least as new as the token: if the
        # calendar changes meanwhile, the next call sees a new token and rebuilds again.
        calendar = load_work_calendar()
        _cached = (token, calendar)
        return calendar


def clear_calendar_cache() -> None:
    """Forget this process's cached calendar (tests; the token check makes it unnecessary otherwise)."""
    global _cached  # noqa: PLW0603
    with _lock:
        _cached = None


def _format_fixed_holidays() -> str:
    return gettext("1 January, 1–2 May and 1–3 October")


def unknown_years_message(years: Sequence[int]) -> str | None:
    """The warning for operators about ``years`` the calendar does not know (None if there are none)."""
    if not years:
        return None
    listed = ", ".join(str(year) for year in sorted(set(years)))
    return ngettext(
        "The working-day calendar does not know the public holidays and make-up working days of %(years)s. "
        "Deadlines there count Monday to Friday as working days, except %(fixed)s, so they may be too early. "
        "Add the State Council's holiday schedule for that year and mark the year complete.",
        "The working-day calendar does not know the public holidays and make-up working days of %(years)s. "
        "Deadlines there count Monday to Friday as working days, except %(fixed)s, so they may be too early. "
        "Add the State Council's holiday schedules for those years and mark them complete.",
        len(set(years)),
    ) % {"years": listed, "fixed": _format_fixed_holidays()}


def unknown_years_warning(first: date, last: date, *, calendar: WorkCalendar | None = None) -> str | None:
    """The warning if any year from ``first`` to ``last`` is unknown to the calendar, else None.

    The back office calls it with today and today plus a year (is next year loaded yet?), or with a
    case's acceptance date and due date; ``Deadline.unknown_years`` gives the same years per case.
    """
    calendar = calendar if calendar is not None else get_work_calendar()
    return unknown_years_message(calendar.unknown_years(first, last))
