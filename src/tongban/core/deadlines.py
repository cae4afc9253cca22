"""Statutory and promised deadlines of a case in working days, with the clock paused for supplements.

Pure maths: no Django, no database, no clock. The caller passes the :class:`WorkCalendar`, the
case's instants and ``now``; one case costs O(limit + pauses) with no I/O. The rules:

**Time zone.** Every instant (aware ``datetime``) is reduced to its calendar date in
Asia/Shanghai; only dates matter from then on. ``today`` is the local date of ``now``.

**Start.** Deadlines count from the working day *after* the date of acceptance (受理之日的次日起
算): accepted on Friday 2026-11-27, day 1 is Monday 2026-11-30. Acceptance on a holiday or a
weekend is no different: day 1 is the first working day after that date.

**Due date.** The due date of a limit of N working days is the N-th *counted* working day. A
limit of 0 (an instant service, 即办) is due on the day of acceptance.

**Pauses (补正期间不计入审批时限).** Each pause runs from the instant the supplement notice was
issued (``Pause.started_at``) to the instant the complete materials were received
(``Pause.ended_at``). Every date from the local date of the notice to the local date of receipt,
*both inclusive*, is not counted, whether or not the case was paused for the whole of it: the
period "from the day the notice is issued until the day the complete materials are received"
does not count. The clock then resumes (it does not restart) on the first working day after the
day of receipt, with the working days already used still used. Overlapping pauses count once.
A pause still open at ``now`` (``ended_at`` is None or later than ``now``) covers every date up
to and including today; the due dates are then *projections* — what they would be if the
materials arrived today — and move later by one for each further working day the pause lasts.
Pauses that start after ``now`` are ignored (the result is the state as known at ``now``).

**Elapsed and left.** ``workdays_elapsed`` counts the counted working days after the date of
acceptance up to and including today (today counts as used). ``workdays_left_* = limit -
elapsed``: the counted working days left after today. 0 means today is the last day; a negative
number is how many working days the limit has been exceeded by. (On a weekend or holiday right
after the statutory due date the case is already overdue while 0 working days are "left".)

**Status**, first match wins:

1. ``overdue`` — today is later than ``statutory_due_on``. While a pause is open the projected
   due date is after today unless the statutory limit was already used up before the pause
   began, so a paused case is reported overdue exactly when it was overdue before the pause
   (and the ``paused`` flag still says it is paused).
2. ``paused`` — a pause is open at ``now``.
3. ``due_soon`` — at most :data:`DUE_SOON_WORKDAYS` (two) working days are left of the
   *promised* limit; this includes a case past its promised limit but within its statutory one.
4. ``on_track`` — otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from tongban.core.workdays import WorkCalendar

#: The time zone in which instants become dates for deadline purposes.
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A case is due soon when at most this many working days are left of its promised limit.
DUE_SOON_WORKDAYS = 2

_ONE_DAY = timedelta(days=1)


class DeadlineStatus(StrEnum):
    """What a case's time limits say about it now (precedence as listed in the module docstring)."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a time-zone aware datetime, got {moment!r}")


def local_date(moment: datetime) -> date:
    """The calendar date of an aware instant in Asia/Shanghai."""
    _require_aware(moment, "moment")
    return moment.astimezone(SHANGHAI).date()


@dataclass(frozen=True, slots=True)
class Pause:
    """The clock stopped for a supplement: notice issued at ``started_at``, complete materials
    received at ``ended_at`` (None while still awaited)."""

    started_at: datetime
    ended_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(self.started_at, "Pause.started_at")
        if self.ended_at is not None:
            _require_aware(self.ended_at, "Pause.ended_at")
            if self.ended_at < self.started_at:
                raise ValueError(f"A pause cannot end ({self.ended_at}) before it starts ({self.started_at})")

    def is_open_at(self, now: datetime) -> bool:
        """True if the case is waiting for this supplement at ``now``."""
        return self.started_at <= now and (self.ended_at is None or self.ended_at > now)


class DateSpan(NamedTuple):
    """Dates ``first`` to ``last``, both inclusive, that do not count."""

    first: date
    last: date


def paused_spans(pauses: Iterable[Pause], *, now: datetime) -> list[DateSpan]:
    """The local dates the pauses exclude, as sorted, disjoint, non-adjacent spans (see the pause rule)."""
    _require_aware(now, "now")
    today = local_date(now)
    spans: list[DateSpan] = []
    for pause in pauses:
        if pause.started_at > now:
            continue
        last = today if pause.ended_at is None or pause.ended_at > now else local_date(pause.ended_at)
        spans.append(DateSpan(local_date(pause.started_at), last))
    spans.sort()
    merged: list[DateSpan] = []
    for span in spans:
        if merged and span.first <= merged[-1].last + _ONE_DAY:
            if span.last > merged[-1].last:
                merged[-1] = DateSpan(merged[-1].first, span.last)
        else:
            merged.append(span)
    return merged


def counted_workdays_between(calendar: WorkCalendar, start: date, end: date, spans: Sequence[DateSpan]) -> int:
    """Working days after ``start`` up to and including ``end`` that lie outside every span (0 if ``end <= start``)."""
    if end <= start:
        return 0
    count = calendar.workdays_between(start, end)
    for span in spans:
        low = max(start, span.first - _ONE_DAY)
        high = min(end, span.last)
        if low < high:
            count -= calendar.workdays_between(low, high)
    return count


def due_on(calendar: WorkCalendar, *, accepted_on: date, limit_workdays: int, spans: Sequence[DateSpan]) -> date:
    """The ``limit_workdays``-th counted working day after ``accepted_on``, skipping the spans.

    ``spans`` must be sorted and disjoint, as :func:`paused_spans` returns them.
    """
    if limit_workdays < 0:
        raise ValueError(f"limit_workdays must not be negative, got {limit_workdays}")
    cursor = accepted_on
    remaining = limit_workdays
    for span in spans:
        if remaining == 0:
            break
        if span.last <= cursor:
            continue
        before_span = span.first - _ONE_DAY
        if before_span > cursor:
            available = calendar.workdays_between(cursor, before_span)
            if available >= remaining:
                break
            remaining -= available
        cursor = span.last
    return calendar.add_workdays(cursor, remaining)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A case's time limits evaluated at one instant (field meanings in the module docstring)."""

    status: DeadlineStatus
    statutory_due_on: date
    promised_due_on: date
    workdays_elapsed: int
    workdays_left_promised: int
    workdays_left_statutory: int
    #: A pause is open now; the due dates are then projections (materials received today).
    paused: bool
    #: Years between acceptance and the later of today and the statutory due date that the calendar
    #: does not know: the dates above used the Monday-to-Friday fallback there.
    unknown_years: tuple[int, ...]

    @property
    def overdue(self) -> bool:
        return self.status is DeadlineStatus.OVERDUE


def case_deadline(
    *,
    calendar: WorkCalendar,
    accepted_at: datetime,
    statutory_limit_workdays: int,
    promised_limit_workdays: int,
    pauses: Iterable[Pause] = (),
    now: datetime,
) -> Deadline:
    """Evaluate a case's statutory and promised limits at ``now`` (rules in the module docstring).

    Raises ``ValueError`` for naive datetimes, negative limits, a promised limit longer than the
    statutory one, or ``now`` before ``accepted_at``.
    """
    _require_aware(accepted_at, "accepted_at")
    _require_aware(now, "now")
    if statutory_limit_workdays < 0 or promised_limit_workdays < 0:
        raise ValueError("Time limits must not be negative")
    if promised_limit_workdays > statutory_limit_workdays:
        raise ValueError(
            f"The promised limit ({promised_limit_workdays}) is longer than the statutory one "
            f"({statutory_limit_workdays})"
        )
    if now < accepted_at:
        raise ValueError(f"now ({now}) is before the case was accepted ({accepted_at})")
    pauses = tuple(pauses)
    today = local_date(now)
    accepted_on = local_date(accepted_at)
    spans = paused_spans(pauses, now=now)
    paused = any(pause.is_open_at(now) for pause in pauses)

    statutory_due_on = due_on(calendar, accepted_on=accepted_on, limit_workdays=statutory_limit_workdays, spans=spans)
    promised_due_on = due_on(calendar, accepted_on=accepted_on, limit_workdays=promised_limit_workdays, spans=spans)
    elapsed = counted_workdays_between(calendar, accepted_on, today, spans)
    left_promised = promised_limit_workdays - elapsed
    left_statutory = statutory_limit_workdays - elapsed

    if today > statutory_due_on:
        status = DeadlineStatus.OVERDUE
    elif paused:
        status = DeadlineStatus.PAUSED
    elif left_promised <= DUE_SOON_WORKDAYS:
        status = DeadlineStatus.DUE_SOON
    else:
        status = DeadlineStatus.ON_TRACK
    return Deadline(
        status=status,
        statutory_due_on=statutory_due_on,
        promised_due_on=promised_due_on,
        workdays_elapsed=elapsed,
        workdays_left_promised=left_promised,
        workdays_left_statutory=left_statutory,
        paused=paused,
        unknown_years=tuple(calendar.unknown_years(accepted_on, max(today, statutory_due_on))),
    )


class Outlook(NamedTuple):
    """What a list of cases shows of one open case's time: the date it is due by, whether that date
    is only the statutory limit counted from submission (the case is not accepted yet, so it has no
    due date of its own), the working days left after today (negative: late by that many), and
    whether the clock is paused for a supplement."""

    due_on: date
    from_submission: bool
    workdays_left: int
    paused: bool

    @property
    def late(self) -> bool:
        return self.workdays_left < 0

    @property
    def workdays_late(self) -> int:
        return max(0, -self.workdays_left)


def list_outlook(
    calendar: WorkCalendar,
    *,
    submitted_at: datetime,
    promised_due_on: date | None,
    statutory_limit_workdays: int,
    paused: bool,
    now: datetime,
) -> Outlook:
    """An open case's time as a list shows it, at ``now``: its stored promised due date once it
    was accepted; before that the statutory limit counted from the date of submission (acceptance
    comes on or after it, so the decision is due no earlier than that date). The days left are the
    working days after today up to that date (the rule of :func:`case_deadline`)."""
    _require_aware(now, "now")
    if promised_due_on is not None:
        due, from_submission = promised_due_on, False
    else:
        due = calendar.add_workdays(local_date(submitted_at), statutory_limit_workdays)
        from_submission = True
    return Outlook(due, from_submission, calendar.workdays_between(local_date(now), due), paused)
