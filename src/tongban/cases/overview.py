"""What a person's overview pages (My space, My cases) read of the cases they follow: the cases
they must act on across their own and every firm they act for, each firm's newest cases, and each
open case's time (its due date and the working days left, or the statutory limit counted from
submission before acceptance).

A firm's cases are read only in the areas the person holds a live power for right now (all areas
for the firm's legal representative): the ``FirmAccess`` rows of ``identity.selectors.
firms_of_person``, which re-reads the powers on every request. Every list is one query, whatever
the number of firms (ADR 0033).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from tongban.cases.models import Case
from tongban.cases.selectors import ROW_VALUES, CaseRow, row_of
from tongban.cases.workflow import OPEN, Status, pauses_clock
from tongban.core.calendar import get_work_calendar
from tongban.core.deadlines import list_outlook
from tongban.identity.models import Person
from tongban.identity.selectors import FirmAccess

_OPEN = frozenset(status.value for status in OPEN)


def _firm_scope(firms: Iterable[FirmAccess]) -> Q:
    """The cases of these firms in the areas the person may see (nothing if there are none)."""
    scope = Q(pk__in=[])
    for access in firms:
        if access.areas:
            scope |= Q(firm_id=access.firm.pk, area__in=access.areas)
    return scope


def with_outlook(rows: list[CaseRow], *, now: datetime) -> list[CaseRow]:
    """The rows, each open one with its time (``core.deadlines.list_outlook``); no query."""
    if not any(row.status in _OPEN for row in rows):
        return rows
    calendar = get_work_calendar()
    return [
        row._replace(
            outlook=list_outlook(
                calendar,
                submitted_at=row.submitted_at,
                promised_due_on=row.promised_due_on,
                statutory_limit_workdays=row.statutory_limit_workdays,
                paused=pauses_clock(row.status),
                now=now,
            )
        )
        if row.status in _OPEN
        else row
        for row in rows
    ]


def cases_to_act_on(*, person: Person, firms: list[FirmAccess], now: datetime, limit: int = 20) -> list[CaseRow]:
    """The cases waiting for the person: a supplement the agency asked for, on her own
    applications or on those of a firm she acts for in an area of her live powers; the oldest
    application first. One query."""
    own = Q(applicant_id=person.pk, firm__isnull=True)
    rows = (
        Case.objects.filter(own | _firm_scope(firms), status=Status.SUPPLEMENT_REQUESTED)
        .order_by("submitted_at", "id")
        .values_list(*ROW_VALUES)[:limit]
    )
    return with_outlook([row_of(values) for values in rows], now=now)


def newest_cases_of_firms(*, firms: list[FirmAccess], per_firm: int, now: datetime) -> dict[int, list[CaseRow]]:
    """Each firm's ``per_firm`` newest cases in the person's areas, by firm id: one query for all
    the firms (a window numbers each firm's cases, newest first)."""
    if not any(access.areas for access in firms):
        return {}
    found: dict[int, list[CaseRow]] = {access.firm.pk: [] for access in firms}
    rows = list(
        Case.objects.filter(_firm_scope(firms))
        .annotate(rank=Window(RowNumber(), partition_by=[F("firm_id")], order_by=F("id").desc()))
        .filter(rank__lte=per_firm)
        .order_by("firm_id", "-id")
        .values_list(*ROW_VALUES, "firm_id")
    )
    firm_ids = [values[-1] for values in rows]
    for firm_id, row in zip(firm_ids, with_outlook([row_of(values[:-1]) for values in rows], now=now), strict=True):
        found[firm_id].append(row)
    return found
