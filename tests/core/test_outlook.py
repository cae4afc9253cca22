"""The time a list of cases shows (``core.deadlines.list_outlook``) and the "what happens next"
line of every status (``cases.workflow.NEXT_STEPS``): pure, no database."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from tests.core.test_deadlines import CALENDAR, at
from tongban.cases.workflow import NEXT_STEPS, Status, next_step
from tongban.core.deadlines import list_outlook


def test_before_acceptance_the_statutory_limit_counts_from_submission() -> None:
    # Submitted on Friday 2026-09-25 (Shanghai); National Day week follows: 10 working days later
    # is 2026-10-16 (the make-up Saturdays 09-28 and 10-10 count, 10-01..10-07 do not).
    outlook = list_outlook(
        CALENDAR,
        submitted_at=at("2026-09-25T10:00:00+08:00"),
        promised_due_on=None,
        statutory_limit_workdays=10,
        paused=False,
        now=at("2026-09-29T09:00:00+08:00"),
    )
    assert outlook.from_submission and outlook.due_on == CALENDAR.add_workdays(date(2026, 9, 25), 10)
    assert outlook.workdays_left == CALENDAR.workdays_between(date(2026, 9, 29), outlook.due_on)
    assert not outlook.late and outlook.workdays_late == 0


def test_after_acceptance_the_promised_date_and_the_days_left_or_late() -> None:
    due = date(2026, 11, 30)  # a Monday
    on_time = list_outlook(
        CALENDAR,
        submitted_at=at("2026-11-20T10:00:00+08:00"),
        promised_due_on=due,
        statutory_limit_workdays=10,
        paused=False,
        now=at("2026-11-27T23:30:00+08:00"),  # Friday evening: one working day left (Monday)
    )
    assert (on_time.due_on, on_time.from_submission, on_time.workdays_left) == (due, False, 1)
    late = list_outlook(
        CALENDAR,
        submitted_at=at("2026-11-20T10:00:00+08:00"),
        promised_due_on=due,
        statutory_limit_workdays=10,
        paused=False,
        now=at("2026-12-02T01:00:00+08:00"),  # Wednesday: Tuesday and Wednesday are late
    )
    assert late.late and late.workdays_late == 2


def test_every_status_says_what_happens_next_in_both_languages() -> None:
    assert set(NEXT_STEPS) == set(Status)
    for status in Status:
        with translation.override("en"):
            english = next_step(status)
        with translation.override("zh-hans"):
            chinese = next_step(status)
        assert english and chinese and english != chinese, status
    assert next_step("no-such-status") == ""
