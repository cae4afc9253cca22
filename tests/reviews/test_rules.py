"""The pure rules of reviews: what may be rated, the edit window, which levels open a ticket,
deadlines in working days (holidays included), overdue and re-rating."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tongban.core.workdays import WorkCalendar
from tongban.reviews import rules

# Friday 25 September 2026, 10:00 in Shanghai; National Day holidays 1-8 October, make-up
# working day Saturday 10 October (an illustrative calendar).
OPENED = datetime(2026, 9, 25, 2, 0, tzinfo=UTC)
CALENDAR = WorkCalendar(
    holidays=[date(2026, 10, d) for d in range(1, 9)], makeup_workdays=[date(2026, 10, 10)], known_years=[2026]
)


def test_five_national_levels_and_which_open_a_ticket() -> None:
    assert sorted(rules.LEVELS) == [1, 2, 3, 4, 5]
    assert [level for level in rules.LEVELS if rules.opens_rectification(level)] == [2, 1]
    assert rules.clean_level("3") == 3
    assert rules.clean_level("6") is None
    assert rules.clean_level("x") is None


def test_reasons_come_from_the_fixed_list() -> None:
    assert rules.clean_reasons(["staff_attitude", "slow", "slow"]) == ["slow", "staff_attitude"]
    assert rules.clean_reasons(["hacked"]) is None


def test_what_may_be_rated() -> None:
    assert rules.case_rateable("approved")
    assert rules.case_rateable("closed")
    assert not rules.case_rateable("under_review")
    assert rules.ticket_rateable("done")
    assert not rules.ticket_rateable("called")
    assert rules.appointment_rateable("arrived", None)
    assert rules.appointment_rateable("booked", "done")
    assert not rules.appointment_rateable("booked", "waiting")
    assert rules.is_owner(rater_person_id=3, owner_person_id=3)
    assert not rules.is_owner(rater_person_id=3, owner_person_id=4)
    assert not rules.is_owner(rater_person_id=None, owner_person_id=None)


def test_edit_window() -> None:
    assert rules.editable(created_at=OPENED, now=OPENED + timedelta(days=6, hours=23), edit_days=7)
    assert not rules.editable(created_at=OPENED, now=OPENED + timedelta(days=7), edit_days=7)


def test_deadlines_count_working_days_and_skip_the_holiday() -> None:
    due = rules.deadlines(opened_at=OPENED, calendar=CALENDAR, limits=rules.Limits())
    assert due.contact_due_on == date(2026, 9, 28)  # Monday
    # 28, 29, 30 September, then 1-8 October are holidays, 9 October (Friday), 10 (make-up Saturday)
    assert due.rectify_due_on == date(2026, 10, 10)
    complex_due = rules.deadlines(opened_at=OPENED, calendar=CALENDAR, limits=rules.Limits(), complex_case=True)
    assert complex_due.rectify_due_on > due.rectify_due_on


def test_overdue_when_a_step_misses_its_day() -> None:
    kwargs = {"contact_due_on": date(2026, 9, 28), "rectify_due_on": date(2026, 10, 10)}
    on_due_day = datetime(2026, 9, 28, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai, still the 28th
    assert not rules.overdue(now=on_due_day, contacted_at=None, answered_at=None, **kwargs)
    next_day = datetime(2026, 9, 28, 16, 30, tzinfo=UTC)  # 00:30 on the 29th in Shanghai
    assert rules.overdue(now=next_day, contacted_at=None, answered_at=None, **kwargs)
    assert not rules.overdue(now=next_day, contacted_at=next_day, answered_at=None, **kwargs)
    late = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)
    assert rules.overdue(now=late, contacted_at=next_day, answered_at=None, **kwargs)
    assert not rules.overdue(now=late, contacted_at=next_day, answered_at=late, **kwargs)


def test_rerating_once_after_the_answer() -> None:
    assert not rules.may_rerate(answered_at=None, rerated_at=None)
    assert rules.may_rerate(answered_at=OPENED, rerated_at=None)
    assert not rules.may_rerate(answered_at=OPENED, rerated_at=OPENED)


def test_satisfaction_rate() -> None:
    assert rules.satisfaction_rate(satisfied=3, total=4) == 0.75
    assert rules.satisfaction_rate(satisfied=0, total=0) is None


def test_the_escalation_is_a_registered_scheduled_job() -> None:
    from tongban.core import schedule
    from tongban.reviews.tasks import escalate_overdue

    (job,) = [job for job in schedule.jobs() if job.name == "reviews.escalate"]
    assert job.task is escalate_overdue and job.every is not None
