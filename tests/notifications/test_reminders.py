"""Scheduled reminders, each sent once however often the job runs: officers' cases due soon (the
assigned officer, or every officer of the office), supplements awaited (again after each period),
certificates about to expire (a month before and in the last week)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.certificates.test_issuing import approve, with_certificate
from tests.factories import AccountFactory, StaffRoleFactory
from tests.world import World
from tongban.cases.models import Case, CaseEvent
from tongban.cases.reminders import DueCase, due_soon_by_recipient, remind_due_soon, remind_supplements
from tongban.cases.services import case_act
from tongban.certificates.models import Certificate
from tongban.certificates.reminders import remind_expiring, stage
from tongban.core.calendar import get_work_calendar
from tongban.notifications.models import Message, ReminderSent
from tongban.notifications.reminders import remind_once


def test_who_is_reminded_of_a_due_case() -> None:
    cases = [
        DueCase("C2", date(2026, 12, 9), office_id=1, assigned_to_id=None),
        DueCase("C1", date(2026, 12, 8), office_id=1, assigned_to_id=7),
        DueCase("C3", date(2026, 12, 8), office_id=2, assigned_to_id=None),
    ]
    found = due_soon_by_recipient(cases, {1: [7, 8], 2: []})
    assert {account: [c.number for c in rows] for account, rows in found.items()} == {7: ["C1", "C2"], 8: ["C2"]}


def test_expiry_stages() -> None:
    assert [stage(days, 30) for days in (31, 30, 8, 7, 0, -1)] == [None, 30, 30, 7, 7, None]


@pytest.mark.django_db
def test_a_reminder_key_is_sent_once() -> None:
    account = AccountFactory()
    context = {"number": "X1", "service": "S", "days": 4}
    now = timezone.now()
    assert remind_once(key="k1", recipient=account, event="case/supplement_awaited", context=context, now=now)
    assert not remind_once(key="k1", recipient=account, event="case/supplement_awaited", context=context, now=now)
    assert Message.objects.filter(recipient=account).count() == 1 and ReminderSent.objects.count() == 1


def _act(world: World, case: Case, action: str, **kwargs: object) -> Case:
    case.refresh_from_db()
    return case_act(
        case=case,
        action=action,
        expected_version=case.lock_version,
        account=world.officer.account,
        actor=world.actor,
        now=timezone.now(),
        **kwargs,
    )


def test_officers_are_reminded_of_cases_due_soon_once_a_day(world: World) -> None:
    taken = _act(world, world.submitted_case(), "accept")
    Case.objects.filter(pk=taken.pk).update(assigned_to=world.officer.account, promised_due_on=timezone.localdate())
    nobodys = world.submitted_case()
    Case.objects.filter(pk=nobodys.pk).update(promised_due_on=timezone.localdate() - timedelta(days=1))
    later = world.submitted_case()
    Case.objects.filter(pk=later.pk).update(promised_due_on=timezone.localdate() + timedelta(days=30))
    colleague = StaffRoleFactory(agency=world.officer.agency, office=world.officer.office)
    now = timezone.now()

    assert remind_due_soon(now=now, calendar=get_work_calendar()) == 2
    assert remind_due_soon(now=now, calendar=get_work_calendar()) == 0  # safe to run twice
    mine = Message.objects.get(recipient=world.officer.account, event="case/due_soon")
    assert taken.number in mine.body_en and nobodys.number in mine.body_en and later.number not in mine.body_en
    assert mine.subject_en == "2 cases are due soon" and "1 of them is already late." in mine.body_en
    theirs = Message.objects.get(recipient=colleague.account, event="case/due_soon")
    assert nobodys.number in theirs.body_en and taken.number not in theirs.body_en
    assert theirs.subject_en == "1 case is due soon" and theirs.subject_zh != theirs.subject_en
    # The next day is another reminder.
    assert remind_due_soon(now=now + timedelta(days=1), calendar=get_work_calendar()) == 2


@override_settings(SUPPLEMENT_REMINDER_DAYS=3)
def test_an_awaited_supplement_is_recalled_after_each_period(world: World) -> None:
    case = world.submitted_case()
    for action in ("accept", "start_review"):
        case = _act(world, case, action)
    case = _act(world, case, "request_supplement", reason="Scan both sides", items=["Contract"])
    requested = CaseEvent.objects.filter(case=case, action="request_supplement").get()
    applicant = case.applicant.account
    before = Message.objects.filter(recipient=applicant).count()

    assert remind_supplements(now=requested.at + timedelta(days=2)) == 0
    assert remind_supplements(now=requested.at + timedelta(days=3)) == 1
    assert remind_supplements(now=requested.at + timedelta(days=5)) == 0
    assert remind_supplements(now=requested.at + timedelta(days=6)) == 1
    reminders = Message.objects.filter(recipient=applicant, event="case/supplement_awaited").order_by("id")
    assert Message.objects.filter(recipient=applicant).count() == before + 2
    assert "3 days ago" in reminders[0].body_en and case.number in reminders[0].subject_en
    assert "6 days ago" in reminders[1].body_en

    Case.objects.filter(pk=case.pk).update(status="resubmitted")  # the applicant supplied it
    assert remind_supplements(now=requested.at + timedelta(days=9)) == 0  # no longer waiting


@override_settings(CERTIFICATE_EXPIRY_NOTICE_DAYS=30)
def test_a_holder_is_told_before_the_certificate_expires(world: World) -> None:
    with_certificate(world)
    case = approve(world, world.submitted_case())
    certificate = Certificate.objects.get(case_number=case.number)
    assert certificate.valid_until is not None
    holder = world.engineer.account
    ends = certificate.valid_until

    assert remind_expiring(now=ends - timedelta(days=40)) == 0
    assert remind_expiring(now=ends - timedelta(days=20)) == 1
    assert remind_expiring(now=ends - timedelta(days=19)) == 0
    assert remind_expiring(now=ends - timedelta(days=5)) == 1
    assert remind_expiring(now=ends - timedelta(days=4)) == 0
    sent = Message.objects.filter(recipient=holder, event="certificate/expiring")
    assert sent.count() == 2
    assert certificate.number in sent[0].subject_en and "Test Permit" in sent[0].subject_en
    assert "测试许可证" in sent[0].subject_zh

    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
    ReminderSent.objects.all().delete()
    assert remind_expiring(now=ends - timedelta(days=3)) == 0  # a revoked certificate is not recalled
