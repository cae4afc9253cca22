"""Reminders of rectification tickets due soon (issue 17: "Reminders by a scheduled task that is
safe to run twice … rectification tickets due"): the pure choice of the deadline, one reminder per
ticket, stage and responsible account, none for answered or escalated tickets, both languages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tests.reviews.test_services import rate
from tests.world import World
from tongban.cases.models import Case
from tongban.core import schedule
from tongban.core.actors import Actor
from tongban.core.calendar import get_work_calendar
from tongban.core.deadlines import SHANGHAI
from tongban.notifications.models import Message
from tongban.reviews import services
from tongban.reviews.reminders import next_due, remind_rectifications_due

ACTOR = Actor.system("test")


def test_next_due_is_the_contact_first_then_the_answer() -> None:
    contact, rectify = date(2026, 12, 8), date(2026, 12, 14)
    assert next_due(contacted=False, contact_due_on=contact, rectify_due_on=rectify, limit=date(2026, 12, 7)) is None
    due = next_due(contacted=False, contact_due_on=contact, rectify_due_on=rectify, limit=date(2026, 12, 8))
    assert due is not None and (due.stage, due.due_on) == ("contact", contact)
    assert next_due(contacted=True, contact_due_on=contact, rectify_due_on=rectify, limit=date(2026, 12, 8)) is None
    due = next_due(contacted=True, contact_due_on=contact, rectify_due_on=rectify, limit=date(2026, 12, 14))
    assert due is not None and due.stage == "rectify"


def test_the_responsible_are_reminded_once_per_stage_and_never_after_the_answer(
    world: World, decided_case: Case
) -> None:
    ticket = rate(decided_case, world.hr.account, 1).rectification
    supervisor = world.supervisor.account
    calendar = get_work_calendar()
    # The day the contact falls due: the supervisor is reminded once, however often the job runs.
    on_contact_day = datetime.combine(ticket.contact_due_on, time(8), tzinfo=SHANGHAI)
    assert remind_rectifications_due(now=on_contact_day, calendar=calendar) >= 1
    assert remind_rectifications_due(now=on_contact_day, calendar=calendar) == 0
    notices = Message.objects.filter(recipient=supervisor, event="reviews/rectification_due")
    assert notices.count() == 1
    notice = notices.get()
    assert "contact the applicant" in notice.body("en") and "联系申请人" in notice.body("zh-hans")
    # Contacted: the next reminder is the answer's, when it nears.
    services.rectification_contact(
        rectification=ticket, account=supervisor, note="Called.", actor=ACTOR, now=on_contact_day
    )
    on_rectify_day = on_contact_day + timedelta(days=(ticket.rectify_due_on - ticket.contact_due_on).days)
    assert remind_rectifications_due(now=on_rectify_day, calendar=calendar) >= 1
    assert notices.count() == 2
    # Answered: nothing more.
    ticket.refresh_from_db()
    services.rectification_answer(
        rectification=ticket, account=supervisor, answer="Fixed.", actor=ACTOR, now=on_rectify_day
    )
    assert remind_rectifications_due(now=on_rectify_day + timedelta(days=1), calendar=calendar) == 0
    assert notices.count() == 2


def test_the_reminders_are_a_daily_scheduled_job() -> None:
    assert "reviews.reminders" in {job.name for job in schedule.jobs()}
