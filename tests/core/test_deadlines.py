"""Case deadlines in working days: start after acceptance, supplement pauses, status boundaries.

Pure tests, no database: the calendar is built from the ``chinesecalendar`` package data (known
years 2004-2026), and every instant is given explicitly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from chinese_calendar import constants  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st

from tongban.core.deadlines import (
    DUE_SOON_WORKDAYS,
    SHANGHAI,
    DateSpan,
    Deadline,
    DeadlineStatus,
    Pause,
    case_deadline,
    counted_workdays_between,
    due_on,
    local_date,
    paused_spans,
)
from tongban.core.workdays import WorkCalendar

CALENDAR = WorkCalendar(holidays=constants.holidays, makeup_workdays=constants.workdays, known_years=range(2004, 2027))


def at(text: str) -> datetime:
    """An instant in Shanghai time, e.g. ``at("2026-11-27 10:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def evaluate(
    accepted: str, now: str, *, statutory: int = 20, promised: int = 10, pauses: tuple[Pause, ...] = ()
) -> Deadline:
    return case_deadline(
        calendar=CALENDAR,
        accepted_at=at(accepted),
        statutory_limit_workdays=statutory,
        promised_limit_workdays=promised,
        pauses=pauses,
        now=at(now),
    )


# --- start and due dates -----------------------------------------------------------------------


def test_accepted_on_friday_counts_from_monday() -> None:
    result = evaluate("2026-11-27 10:00", "2026-11-27 16:00", statutory=20, promised=10)
    # Day 1 is Monday 30 November; no holidays in December 2026.
    assert result.promised_due_on == date(2026, 12, 11)
    assert result.statutory_due_on == date(2026, 12, 25)
    assert result.workdays_elapsed == 0
    assert (result.workdays_left_promised, result.workdays_left_statutory) == (10, 20)
    assert result.status is DeadlineStatus.ON_TRACK and not result.paused
    assert result.unknown_years == ()
    assert evaluate("2026-11-27 10:00", "2026-11-30 09:00", statutory=1, promised=1).statutory_due_on == date(
        2026, 11, 30
    )


def test_dates_are_taken_in_shanghai_time() -> None:
    # 16:30 UTC on Thursday 26 November is 00:30 on Friday 27 November in Shanghai.
    accepted_at = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)
    assert local_date(accepted_at) == date(2026, 11, 27)
    result = case_deadline(
        calendar=CALENDAR,
        accepted_at=accepted_at,
        statutory_limit_workdays=1,
        promised_limit_workdays=1,
        now=accepted_at,
    )
    assert result.statutory_due_on == date(2026, 11, 30)  # not Friday 27th, as UTC dates would give


@pytest.mark.parametrize(
    ("accepted", "day_one"),
    [
        ("2026-11-28 11:00", date(2026, 11, 30)),  # Saturday
        ("2026-11-29 11:00", date(2026, 11, 30)),  # Sunday
        ("2026-10-03 11:00", date(2026, 10, 8)),  # National Day holiday (a Saturday)
        ("2026-10-05 11:00", date(2026, 10, 8)),  # National Day holiday (a Monday)
        ("2026-02-14 11:00", date(2026, 2, 24)),  # the make-up Saturday before Spring Festival
        ("2026-10-10 11:00", date(2026, 10, 12)),  # the make-up Saturday after National Day
        ("2026-09-30 23:59", date(2026, 10, 8)),  # last minute before the holiday
    ],
)
def test_acceptance_on_a_weekend_or_holiday(accepted: str, day_one: date) -> None:
    result = evaluate(accepted, accepted, statutory=1, promised=1)
    assert result.statutory_due_on == day_one


def test_spring_festival_is_skipped() -> None:
    # Accepted Thu 12 Feb 2026: 13 (1), Sat 14 (2, make-up), 24 (3), 25, 26, 27 (6), Sat 28 (7, make-up).
    result = evaluate("2026-02-12 09:00", "2026-02-12 09:00", statutory=7, promised=3)
    assert result.promised_due_on == date(2026, 2, 24)
    assert result.statutory_due_on == date(2026, 2, 28)


def test_instant_service_with_a_zero_limit_is_due_on_the_day_of_acceptance() -> None:
    result = evaluate("2026-11-27 10:00", "2026-11-27 10:05", statutory=0, promised=0)
    assert result.statutory_due_on == result.promised_due_on == date(2026, 11, 27)
    assert result.status is DeadlineStatus.DUE_SOON
    assert evaluate("2026-11-27 10:00", "2026-11-28 10:05", statutory=0, promised=0).status is DeadlineStatus.OVERDUE


def test_unknown_year_is_reported_and_uses_the_fallback() -> None:
    # Accepted Fri 20 Dec 2030; 2030 and 2031 are unknown. 23-27 (5), 30, 31 (7), 1 Jan skipped, 2, 3 (9), 6 (10).
    result = evaluate("2030-12-20 10:00", "2030-12-20 10:00", statutory=10, promised=5)
    assert result.statutory_due_on == date(2031, 1, 6)
    assert result.unknown_years == (2030, 2031)
    assert evaluate("2026-12-20 10:00", "2026-12-21 10:00", statutory=10, promised=5).unknown_years == (2027,)


# --- pauses ------------------------------------------------------------------------------------


def test_pause_across_a_weekend_resumes_without_restarting() -> None:
    # Accepted Mon 2 Nov 2026, 10 working days: without a pause due Mon 16 Nov.
    assert evaluate("2026-11-02 09:00", "2026-11-02 09:00", statutory=10, promised=10).statutory_due_on == date(
        2026, 11, 16
    )
    # Supplement requested Thu 5 Nov, complete materials in on Mon 9 Nov: 5-9 Nov do not count.
    pause = Pause(at("2026-11-05 10:00"), at("2026-11-09 15:00"))
    result = evaluate("2026-11-02 09:00", "2026-11-10 09:00", statutory=10, promised=10, pauses=(pause,))
    # Counted: 3, 4 (2 used before the pause), then 10 (3), 11, 12, 13 (6), 16, 17, 18, 19 (10).
    assert result.statutory_due_on == date(2026, 11, 19)
    assert result.workdays_elapsed == 3
    assert not result.paused and result.status is DeadlineStatus.ON_TRACK


def test_pause_across_a_holiday() -> None:
    # Accepted Mon 28 Sep 2026, 5 working days: 29, 30, 8 Oct, 9 Oct, Sat 10 Oct (make-up).
    assert evaluate("2026-09-28 09:00", "2026-09-28 09:00", statutory=5, promised=5).statutory_due_on == date(
        2026, 10, 10
    )
    pause = Pause(at("2026-09-30 09:00"), at("2026-10-09 11:00"))
    result = evaluate("2026-09-28 09:00", "2026-10-12 09:00", statutory=5, promised=5, pauses=(pause,))
    # 29 Sep (1); 30 Sep - 9 Oct paused; Sat 10 Oct (2), 12 (3), 13 (4), 14 (5).
    assert result.statutory_due_on == date(2026, 10, 14)
    assert result.workdays_elapsed == 3


def test_the_days_of_notice_and_of_receipt_do_not_count_even_within_one_day() -> None:
    pause = Pause(at("2026-11-04 09:00"), at("2026-11-04 17:00"))
    result = evaluate("2026-11-02 09:00", "2026-11-05 09:00", statutory=3, promised=3, pauses=(pause,))
    assert result.statutory_due_on == date(2026, 11, 6)  # 3 (1), 4 not counted, 5 (2), 6 (3)
    assert result.workdays_elapsed == 2


def test_open_pause_freezes_the_clock_and_projects_the_due_date() -> None:
    pause = Pause(at("2026-11-04 10:00"))
    first = evaluate("2026-11-02 09:00", "2026-11-06 12:00", statutory=10, promised=5, pauses=(pause,))
    assert first.paused and first.status is DeadlineStatus.PAUSED
    assert first.workdays_elapsed == 1  # only Tue 3 Nov
    # As if the materials arrived today (Fri 6): 3 (1), 9-13 (6), 16-19 (10).
    assert first.statutory_due_on == date(2026, 11, 19)
    assert first.promised_due_on == date(2026, 11, 12)
    later = evaluate("2026-11-02 09:00", "2026-11-09 12:00", statutory=10, promised=5, pauses=(pause,))
    assert later.workdays_elapsed == 1
    assert later.statutory_due_on == date(2026, 11, 20)  # one more working day paused, one day later


def test_paused_case_already_overdue_before_the_pause_stays_overdue() -> None:
    # 3 working days from Mon 2 Nov: due Thu 5 Nov. The supplement is requested on Mon 9 Nov.
    pause = Pause(at("2026-11-09 10:00"))
    result = evaluate("2026-11-02 09:00", "2026-11-10 09:00", statutory=3, promised=3, pauses=(pause,))
    assert result.status is DeadlineStatus.OVERDUE
    assert result.paused and result.overdue
    assert result.statutory_due_on == date(2026, 11, 5)
    assert result.workdays_left_statutory == -1  # Fri 6 Nov was the one day past the limit


def test_pause_requested_on_the_last_day_is_in_time() -> None:
    pause = Pause(at("2026-11-05 16:00"))  # the due date itself
    result = evaluate("2026-11-02 09:00", "2026-11-10 09:00", statutory=3, promised=3, pauses=(pause,))
    assert result.status is DeadlineStatus.PAUSED and not result.overdue
    assert result.statutory_due_on == date(2026, 11, 11)
    assert result.workdays_left_statutory == 1


def test_pauses_after_now_are_ignored_and_a_pause_ending_after_now_is_still_open() -> None:
    future = Pause(at("2026-11-20 10:00"), at("2026-11-23 10:00"))
    assert evaluate("2026-11-02 09:00", "2026-11-05 09:00", pauses=(future,)) == evaluate(
        "2026-11-02 09:00", "2026-11-05 09:00"
    )
    ends_later = Pause(at("2026-11-04 10:00"), at("2026-11-09 10:00"))
    assert evaluate("2026-11-02 09:00", "2026-11-05 09:00", pauses=(ends_later,)).paused
    assert not evaluate("2026-11-02 09:00", "2026-11-09 10:00", pauses=(ends_later,)).paused


def test_overlapping_and_adjacent_pauses_count_once() -> None:
    now = at("2026-11-30 09:00")
    spans = paused_spans(
        [
            Pause(at("2026-11-10 10:00"), at("2026-11-12 10:00")),
            Pause(at("2026-11-03 10:00"), at("2026-11-04 10:00")),
            Pause(at("2026-11-11 10:00"), at("2026-11-13 10:00")),
            Pause(at("2026-11-05 10:00"), at("2026-11-05 11:00")),
        ],
        now=now,
    )
    assert spans == [DateSpan(date(2026, 11, 3), date(2026, 11, 5)), DateSpan(date(2026, 11, 10), date(2026, 11, 13))]


# --- status boundaries -------------------------------------------------------------------------

BOUNDARIES = [
    # Accepted Mon 2 Nov 2026; promised 5 (due Mon 9 Nov), statutory 10 (due Mon 16 Nov).
    ("2026-11-04 18:00", DeadlineStatus.ON_TRACK, 2, 3),  # Wed: 3 promised days left
    ("2026-11-05 00:00", DeadlineStatus.DUE_SOON, 3, 2),  # Thu: two left (Fri, Mon)
    ("2026-11-08 12:00", DeadlineStatus.DUE_SOON, 4, 1),  # Sunday
    ("2026-11-09 23:59", DeadlineStatus.DUE_SOON, 5, 0),  # the promised due day
    ("2026-11-10 09:00", DeadlineStatus.DUE_SOON, 6, -1),  # past the promise, within the law
    ("2026-11-16 23:59", DeadlineStatus.DUE_SOON, 10, -5),  # the statutory due day: not overdue yet
    ("2026-11-17 00:00", DeadlineStatus.OVERDUE, 11, -6),  # the first minute past it
]


@pytest.mark.parametrize(("now", "status", "elapsed", "left_promised"), BOUNDARIES)
def test_due_soon_and_overdue_boundaries(now: str, status: DeadlineStatus, elapsed: int, left_promised: int) -> None:
    result = evaluate("2026-11-02 09:00", now, statutory=10, promised=5)
    assert (result.promised_due_on, result.statutory_due_on) == (date(2026, 11, 9), date(2026, 11, 16))
    assert result.status is status
    assert result.workdays_elapsed == elapsed
    assert result.workdays_left_promised == left_promised
    assert result.workdays_left_statutory == 10 - elapsed


def test_due_soon_is_two_working_days() -> None:
    assert DUE_SOON_WORKDAYS == 2


def test_overdue_on_the_weekend_after_a_friday_due_date() -> None:
    # Statutory 9 from Mon 2 Nov: due Fri 13 Nov. Saturday 14th is past it with 0 working days "left".
    result = evaluate("2026-11-02 09:00", "2026-11-14 09:00", statutory=9, promised=5)
    assert result.statutory_due_on == date(2026, 11, 13)
    assert result.status is DeadlineStatus.OVERDUE
    assert result.workdays_left_statutory == 0


# --- input checks ------------------------------------------------------------------------------


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 11, 2, 9, 0))
    with pytest.raises(ValueError, match="aware"):
        Pause(datetime(2026, 11, 2, 9, 0))
    with pytest.raises(ValueError, match="before it starts"):
        Pause(at("2026-11-05 10:00"), at("2026-11-04 10:00"))
    with pytest.raises(ValueError, match="promised"):
        evaluate("2026-11-02 09:00", "2026-11-02 10:00", statutory=5, promised=6)
    with pytest.raises(ValueError, match="negative"):
        evaluate("2026-11-02 09:00", "2026-11-02 10:00", statutory=-1, promised=-1)
    with pytest.raises(ValueError, match="before the case was accepted"):
        evaluate("2026-11-02 09:00", "2026-11-02 08:00")
    with pytest.raises(ValueError, match="negative"):
        due_on(CALENDAR, accepted_on=date(2026, 11, 2), limit_workdays=-1, spans=[])


# --- properties --------------------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 2, 1), timezones=st.just(SHANGHAI))


@st.composite
def pause_lists(draw: st.DrawFn) -> list[Pause]:
    pauses = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        start = draw(instants)
        end = draw(st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
        pauses.append(Pause(start, None if end is None else start + end))
    return pauses


@given(
    accepted_at=instants,
    since=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90)),
    statutory=st.integers(min_value=0, max_value=60),
    promised_share=st.floats(min_value=0, max_value=1),
    pauses=pause_lists(),
)
def test_deadline_invariants(
    accepted_at: datetime, since: timedelta, statutory: int, promised_share: float, pauses: list[Pause]
) -> None:
    now = accepted_at + since
    promised = int(statutory * promised_share)
    result = case_deadline(
        calendar=CALENDAR,
        accepted_at=accepted_at,
        statutory_limit_workdays=statutory,
        promised_limit_workdays=promised,
        pauses=pauses,
        now=now,
    )
    today, accepted_on = local_date(now), local_date(accepted_at)
    spans = paused_spans(pauses, now=now)
    assert result.workdays_left_statutory == statutory - result.workdays_elapsed
    assert result.workdays_left_promised == promised - result.workdays_elapsed
    assert result.workdays_elapsed >= 0
    assert accepted_on <= result.promised_due_on <= result.statutory_due_on
    for limit, due in ((statutory, result.statutory_due_on), (promised, result.promised_due_on)):
        # The due date is the limit-th counted working day: counted, a working day, outside every pause.
        assert counted_workdays_between(CALENDAR, accepted_on, due, spans) == limit
        if limit:
            assert CALENDAR.is_workday(due)
            assert not any(span.first <= due <= span.last for span in spans)
            assert counted_workdays_between(CALENDAR, accepted_on, due - timedelta(days=1), spans) == limit - 1
    assert result.overdue == (today > result.statutory_due_on)
    if not result.overdue:
        assert result.workdays_elapsed <= statutory
    if result.paused and not result.overdue:
        if statutory:
            assert result.statutory_due_on > today  # the clock is frozen: the due date lies ahead
        assert result.status is DeadlineStatus.PAUSED
    if not pauses:
        assert result.statutory_due_on == CALENDAR.add_workdays(accepted_on, statutory)
        assert result.workdays_elapsed == max(0, CALENDAR.workdays_between(accepted_on, today))
