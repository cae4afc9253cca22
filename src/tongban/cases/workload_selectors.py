"""Reads for the back-office dashboards (ADR 0046): how many cases each agency (or office) is
working, how many of them are overdue or due soon, and how many open cases each officer holds.

Bounded for tens of millions of cases: the time-limit figures are one grouped count over the
partial index ``cases_running_due`` (agency, office, statutory and promised due dates of the
cases in a *running* status only), read index-only — the work grows with the cases being worked,
not with all the cases ever filed. The workload is one grouped count over ``cases_assigned``
(assigned officer, status), for the officers listed.

Definitions, as the case queue shows them (``backoffice.case_views.queue``):
* **running** — the agency works the case: submitted, accepted, under review, supplement received,
  awaiting the supervisor (``workflow.RUNNING``; not while a supplement is awaited, when the clock
  is paused);
* **overdue** — running and today is after the statutory due date;
* **due soon** — running, not overdue, and the promised due date is at most ``until`` (the caller
  passes today plus N working days; a case past its promised date but within its statutory one
  is due soon).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from tongban.cases.models import Case
from tongban.cases.workflow import OPEN, RUNNING

_RUNNING = sorted(status.value for status in RUNNING)  # as the index's condition says it
_OPEN = sorted(status.value for status in OPEN)


@dataclass(frozen=True)
class DueFigures:
    """The running cases of one agency or office, and how many are overdue or due soon."""

    running: int = 0
    overdue: int = 0
    due_soon: int = 0


def _due_counts(group: str, scope: Q, *, today: date, until: date) -> dict[int, DueFigures]:
    rows = (
        Case.objects.filter(scope, status__in=_RUNNING)
        .values(group)
        .annotate(
            # Columns of the index only (COUNT(*) cannot be filtered): an index-only scan.
            running=Count(group),
            overdue=Count("statutory_due_on", filter=Q(statutory_due_on__lt=today)),
            due_soon=Count(
                "promised_due_on",
                filter=Q(promised_due_on__lte=until) & (Q(statutory_due_on__gte=today) | Q(statutory_due_on=None)),
            ),
        )
        .order_by()
    )
    return {row[group]: DueFigures(row["running"], row["overdue"], row["due_soon"]) for row in rows}


def due_figures_by_agency(*, agency_ids: Iterable[int] | None, today: date, until: date) -> dict[int, DueFigures]:
    """Agency id → its figures (agencies with no running case are absent); ``None``: every agency."""
    scope = Q() if agency_ids is None else Q(agency_id__in=list(agency_ids))
    return _due_counts("agency_id", scope, today=today, until=until)


def due_figures_by_office(*, agency_id: int, today: date, until: date) -> dict[int, DueFigures]:
    """Office id → its figures, for one agency's offices (offices with no running case are absent)."""
    return _due_counts("office_id", Q(agency_id=agency_id), today=today, until=until)


def open_cases_assigned(*, account_ids: Iterable[int], agency_id: int) -> dict[int, int]:
    """Account id → the open cases of ``agency_id`` assigned to it (accounts with none are absent):
    one grouped count on ``cases_assigned``, bounded by those officers' open cases."""
    rows = (
        Case.objects.filter(assigned_to_id__in=list(account_ids), status__in=_OPEN, agency_id=agency_id)
        .values("assigned_to_id")
        .annotate(open=Count("assigned_to_id"))
        .order_by()
    )
    return {row["assigned_to_id"]: row["open"] for row in rows}
