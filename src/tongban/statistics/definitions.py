"""What each fact counts, as functions of source rows: shared by the catch-up (which applies them
to the rows it reads by watermark) and the recount (which applies them to every row), so the two
can only disagree if a row was missed or counted twice.

A contribution is ``(table, dims, counters)``: a fact table's short name, its dimension values
in ``DIMENSIONS`` order (``month`` as an ISO date string, so contributions are JSON as stored in
``Counted``), and the counters to add. Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from tongban.cases.workflow import DECIDED, OPEN, Status
from tongban.core.deadlines import local_date
from tongban.core.workdays import WorkCalendar

Contribution = tuple[str, tuple[Any, ...], tuple[int, ...]]
#: Counter deltas by (table, dims), dims with ``month`` as a date.
Delta = dict[tuple[str, tuple[Any, ...]], list[int]]

#: Minutes waited at and beyond which a ticket is counted in the last bucket.
WAIT_CAP_MINUTES = 240
#: Visits counted per completed case: 0, 1, and 2 for "two or more".
VISITS_CAP = 2
ON_TIME, LATE, NO_LIMIT = 1, 0, 2


def month_of(moment: datetime) -> str:
    """The first day of the instant's month in the city's time zone (ISO)."""
    return local_date(moment).replace(day=1).isoformat()


#: Tables whose dimensions begin (month, agency_id, item_id): each contribution is also counted
#: in two roll-up rows, item 0 (the agency's total) and agency 0 with item 0 (the city's total),
#: so a page without a service filter reads a few rows per month, not one per service.
ROLLED_UP = frozenset({"case", "completion", "material"})


def add(delta: Delta, contribution: Contribution, sign: int = 1) -> None:
    """Add one contribution (or take it back, ``sign=-1``) to the batch's deltas, with its
    roll-ups."""
    table, dims, counters = contribution
    month = date.fromisoformat(dims[0])
    keys = [(table, (month, *dims[1:]))]
    if table in ROLLED_UP:
        keys.append((table, (month, dims[1], 0, *dims[3:])))
        keys.append((table, (month, 0, 0, *dims[3:])))
    for key in keys:
        current = delta.get(key)
        if current is None:
            delta[key] = [sign * value for value in counters]
        else:
            for index, value in enumerate(counters):
                current[index] += sign * value


def case_status(case: Mapping[str, Any], status: str) -> Contribution:
    """A case counted in ``status``, by the month it was submitted."""
    return (
        "case",
        (month_of(case["submitted_at"]), case["agency_id"], case["item_id"], case["channel"], status),
        (1,),
    )


def completes(*, from_status: str, to_status: str) -> bool:
    """Whether a step completes a case: a decision (also not accepting it), or closing an open case
    at once (an instant service). A withdrawal completes nothing."""
    return to_status in DECIDED or (to_status == Status.CLOSED and from_status in OPEN)


def completion(
    case: Mapping[str, Any], *, completed_at: datetime, visits_at: Iterable[datetime], calendar: WorkCalendar
) -> Contribution:
    """A completed case: working days from submission to completion, visits before it, timing."""
    done_on = local_date(completed_at)
    workdays = max(0, calendar.workdays_between(local_date(case["submitted_at"]), done_on))
    visits = min(VISITS_CAP, sum(1 for at in visits_at if at <= completed_at))
    due: date | None = case["statutory_due_on"]
    timing = NO_LIMIT if due is None else (ON_TIME if done_on <= due else LATE)
    return (
        "completion",
        (month_of(completed_at), case["agency_id"], case["item_id"], case["channel"], workdays, visits, timing),
        (1,),
    )


def material(case: Mapping[str, Any], source: str) -> Contribution:
    return ("material", (month_of(case["submitted_at"]), case["agency_id"], case["item_id"], source), (1,))


def exchange_read(entry: Mapping[str, Any]) -> Contribution:
    return ("exchange", (month_of(entry["at"]), entry["resource"], entry["outcome"]), (1,))


def person(row: Mapping[str, Any]) -> list[Contribution]:
    """A person counts as registered once they hold an account."""
    if row["account_id"] is None:
        return []
    return [("party", (month_of(row["created_at"]), "person", row["id_type"], row["verification_level"]), (1,))]


def firm(row: Mapping[str, Any]) -> list[Contribution]:
    return [("party", (month_of(row["created_at"]), "firm", row["firm_type"], row["verification_level"]), (1,))]


def review(row: Mapping[str, Any]) -> list[Contribution]:
    """A rating at its (possibly edited) level, with the ticket it opened and whether that was
    answered on time."""
    ticket = row["rectification__id"] is not None
    on_time = bool(row["rectification__answered_on_time"])
    dims = (
        month_of(row["created_at"]),
        row["agency_id"] or 0,
        row["item_id"] or 0,
        row["centre_id"] or 0,
        row["channel"],
        row["level"],
    )
    return [("review", dims, (1, int(ticket), int(ticket and on_time)))]


def ticket(row: Mapping[str, Any]) -> list[Contribution]:
    """A queue ticket once called: minutes from issue to the first call."""
    if row["first_called_at"] is None:
        return []
    waited = int((row["first_called_at"] - row["issued_at"]).total_seconds() // 60)
    minutes = max(0, min(WAIT_CAP_MINUTES, waited))
    return [("wait", (month_of(row["issued_at"]), row["centre_id"], minutes), (1,))]


def as_json(contributions: list[Contribution]) -> list[list[Any]]:
    """Contributions as stored in ``Counted.facts`` (and compared with what is stored)."""
    return [[table, list(dims), list(counters)] for table, dims, counters in contributions]


def from_json(stored: list[list[Any]]) -> list[Contribution]:
    return [(table, tuple(dims), tuple(counters)) for table, dims, counters in stored]
