"""Reminders of rectification tickets due soon, a daily job on ``core.schedule`` (``reviews.reminders``)
beside the escalation of overdue ones (``reviews.escalate``).

A ticket not yet escalated whose next deadline — contact while nobody contacted the applicant,
then the answer — falls within ``RECTIFICATION_DUE_SOON_WORKDAYS`` working days is reminded to
the accounts that answer for it, once per ticket, stage and account
(``notifications.reminders.remind_once``: safe to run twice, on several nodes). It reads the
pending tickets through the partial index ``reviews_rect_pending``, which holds only tickets not
yet answered or escalated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django_tasks import task

from tongban.core.calendar import get_work_calendar
from tongban.core.clock import now as clock_now
from tongban.core.deadlines import local_date
from tongban.core.workdays import WorkCalendar
from tongban.notifications.reminders import remind_once
from tongban.reviews.models import Rectification
from tongban.reviews.selectors import responsible_accounts


@dataclass(frozen=True)
class Due:
    stage: str  # "contact" or "rectify"
    due_on: date


def next_due(*, contacted: bool, contact_due_on: date, rectify_due_on: date, limit: date) -> Due | None:
    """The deadline a pending ticket is reminded of on a day whose "due soon" limit is ``limit``
    (pure): contact first while nobody contacted, then the answer; None if neither is near."""
    if not contacted and contact_due_on <= limit:
        return Due("contact", contact_due_on)
    if rectify_due_on <= limit:
        return Due("rectify", rectify_due_on)
    return None


def remind_rectifications_due(*, now: datetime, calendar: WorkCalendar) -> int:
    """Send the reminders due on ``now``'s day; returns how many were sent now."""
    limit = calendar.add_workdays(local_date(now), settings.RECTIFICATION_DUE_SOON_WORKDAYS)
    sent = 0
    pending = Rectification.objects.filter(answered_at__isnull=True, escalated_at__isnull=True).order_by("pk")
    for ticket in pending.iterator(chunk_size=500):
        due = next_due(
            contacted=ticket.contacted_at is not None,
            contact_due_on=ticket.contact_due_on,
            rectify_due_on=ticket.rectify_due_on,
            limit=limit,
        )
        if due is None:
            continue
        for account in responsible_accounts(ticket):
            sent += remind_once(
                key=f"rect-due:{ticket.pk}:{due.stage}:{account.pk}",
                recipient=account,
                event="reviews/rectification_due",
                context={"ticket": ticket.pk, "stage": due.stage, "due_on": due.due_on.isoformat()},
                now=now,
            )
    return sent


@task()
def reminders_job(*, slot: str | None = None) -> int:
    """The daily job: the reminders as of the start of its slot (or now)."""
    at = (parse_datetime(slot) if slot else None) or clock_now()
    return remind_rectifications_due(now=at, calendar=get_work_calendar())
