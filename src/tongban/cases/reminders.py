"""The cases context's reminders, a daily job on ``core.schedule`` (safe to run twice: each
reminder goes out once, ``notifications.reminders.remind_once``):

* **Officers' cases due soon**: every account with cases whose promised date falls within
  ``CASE_DUE_SOON_WORKDAYS`` working days (or is past) gets one digest a day — the case's assigned
  officer, or, for a case nobody took yet, every officer of its office (the pure part:
  :func:`due_soon_by_recipient`).
* **Supplements awaited**: the applicant of a case waiting for a supplement for
  ``SUPPLEMENT_REMINDER_DAYS`` days, then again every as many days, while it waits.

Both read office by office through the index ``cases_office_queue`` (office, status, promised
date): the open statuses are a small part of the cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils.dateparse import parse_datetime
from django_tasks import task

from tongban.cases.models import Case, CaseEvent
from tongban.cases.workflow import Action, Status
from tongban.core import bilingual
from tongban.core.calendar import get_work_calendar
from tongban.core.clock import now as clock_now
from tongban.core.deadlines import local_date
from tongban.core.workdays import WorkCalendar
from tongban.identity.models import Account, AgencyOffice, StaffRole, StaffRoleKind
from tongban.notifications.reminders import remind_once

#: Statuses in which the office works the case and the promised date runs.
RUNNING = (Status.SUBMITTED, Status.ACCEPTED, Status.UNDER_REVIEW, Status.RESUBMITTED, Status.AWAITING_APPROVAL)


@dataclass(frozen=True)
class DueCase:
    number: str
    due_on: date
    office_id: int
    assigned_to_id: int | None


def due_soon_limit(calendar: WorkCalendar, today: date, workdays: int) -> date:
    """The last promised date counted as "due soon" on ``today``."""
    return calendar.add_workdays(today, workdays)


def due_soon_by_recipient(
    cases: Iterable[DueCase], officers_of_office: dict[int, list[int]]
) -> dict[int, list[DueCase]]:
    """Account id → the due cases it is reminded of (pure): the assigned officer, or every officer
    of the case's office for a case nobody took yet; each list by date, then number."""
    found: dict[int, list[DueCase]] = defaultdict(list)
    for case in cases:
        for account_id in [case.assigned_to_id] if case.assigned_to_id else officers_of_office.get(case.office_id, []):
            found[account_id].append(case)
    return {account: sorted(rows, key=lambda c: (c.due_on, c.number)) for account, rows in found.items()}


def _office_ids() -> list[int]:
    return list(AgencyOffice.objects.order_by("pk").values_list("pk", flat=True))


def remind_due_soon(*, now: datetime, calendar: WorkCalendar) -> int:
    today = local_date(now)
    limit = due_soon_limit(calendar, today, settings.CASE_DUE_SOON_WORKDAYS)
    rows: list[DueCase] = []
    for office_id in _office_ids():  # one range of the index cases_office_queue per office
        rows += [
            DueCase(number, due_on, office_id, assigned_to_id)
            for number, due_on, assigned_to_id in Case.objects.filter(
                office_id=office_id, status__in=RUNNING, promised_due_on__lte=limit
            ).values_list("number", "promised_due_on", "assigned_to_id")
            if due_on is not None
        ]
    offices = {row.office_id for row in rows if row.assigned_to_id is None}
    officers: dict[int, list[int]] = defaultdict(list)
    for office_id, account_id in StaffRole.objects.filter(
        office_id__in=offices, role=StaffRoleKind.OFFICER, revoked_at__isnull=True
    ).values_list("office_id", "account_id"):
        officers[office_id].append(account_id)
    sent = 0
    recipients = due_soon_by_recipient(rows, officers)
    accounts = Account.objects.in_bulk(list(recipients))
    for account_id, cases in recipients.items():
        account = accounts.get(account_id)
        if account is None or not account.is_active:
            continue
        sent += remind_once(
            key=f"case-due:{account_id}:{today.isoformat()}",
            recipient=account,
            event="case/due_soon",
            context={
                "count": len(cases),
                "overdue": sum(1 for c in cases if c.due_on < today),
                "cases": [(c.number, c.due_on.isoformat()) for c in cases],
            },
            now=now,
        )
    return sent


def remind_supplements(*, now: datetime) -> int:
    """Remind applicants of the supplements they have not yet given (see the module docstring)."""
    period = settings.SUPPLEMENT_REMINDER_DAYS
    last_request = CaseEvent.objects.filter(case=OuterRef("pk"), action=Action.REQUEST_SUPPLEMENT).order_by("-id")
    sent = 0
    for office_id in _office_ids():
        waiting = (
            Case.objects.filter(office_id=office_id, status=Status.SUPPLEMENT_REQUESTED)
            .annotate(
                request_id=Subquery(last_request.values("id")[:1]), requested_at=Subquery(last_request.values("at")[:1])
            )
            .values_list(
                "number", "applicant__account_id", "request_id", "requested_at", "version__name_zh", "version__name_en"
            )
        )
        rows = [row for row in waiting if row[2] is not None and row[1] is not None and (now - row[3]).days >= period]
        accounts = Account.objects.in_bulk([row[1] for row in rows])
        for number, account_id, request_id, requested_at, name_zh, name_en in rows:
            account = accounts.get(account_id)
            if account is None or not account.is_active:
                continue
            waited = (now - requested_at).days
            sent += remind_once(
                key=f"supplement:{number}:{request_id}:{waited // period}",
                recipient=account,
                event="case/supplement_awaited",
                context={"number": number, "service": _localised(name_zh, name_en), "days": waited},
                now=now,
                case_number=number,
            )
    return sent


def _localised(zh: str, en: str) -> Callable[[], str]:
    """The service's name in whichever language the notice is being rendered."""
    return lambda: bilingual.pick(zh, en)


@task()
def reminders_job(*, slot: str | None = None) -> dict[str, int]:
    """The daily job: both reminders as of the start of its slot (or now)."""
    at = (parse_datetime(slot) if slot else None) or clock_now()
    return {
        "due_soon": remind_due_soon(now=at, calendar=get_work_calendar()),
        "supplements": remind_supplements(now=at),
    }
