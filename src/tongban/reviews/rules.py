"""The rules of good/bad reviews (好差评) as pure functions: no database, no clock.

* the national five levels, 5 非常满意 "very satisfied" down to 1 非常不满意 "very dissatisfied";
* the fixed bilingual list of reasons a person may tick (negative ones for low levels, positive
  ones for good levels);
* what may be rated (a case once decided or closed, a queue ticket once served, an appointment
  once attended) and by whom (the person the case, ticket or appointment belongs to: for a
  firm's case that is the staff member who filed it, the case's applicant);
* the edit window, the levels that open a rectification ticket, the ticket's deadlines in
  working days (``core.workdays``), when a ticket is overdue and escalates, and re-rating once.

Every function that needs the time takes ``now``; deadlines take a :class:`WorkCalendar`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from tongban.core.deadlines import local_date
from tongban.core.workdays import WorkCalendar

#: The national levels, best first: value -> label.
LEVELS: dict[int, Promise] = {
    5: pgettext_lazy("review level", "Very satisfied"),
    4: pgettext_lazy("review level", "Satisfied"),
    3: pgettext_lazy("review level", "Fairly satisfied"),
    2: pgettext_lazy("review level", "Dissatisfied"),
    1: pgettext_lazy("review level", "Very dissatisfied"),
}

#: Levels counted as satisfied in the public satisfaction rate.
SATISFIED_LEVELS = (4, 5)

#: Levels that open a rectification ticket (不满意, 非常不满意).
RECTIFICATION_LEVELS = (1, 2)

#: Longest comment, in characters.
COMMENT_MAX_CHARS = 500


@dataclass(frozen=True)
class Reason:
    code: str
    label: Promise
    positive: bool


REASONS: tuple[Reason, ...] = (
    Reason("slow", pgettext_lazy("review reason", "It took too long"), positive=False),
    Reason("documents_twice", pgettext_lazy("review reason", "I was asked for documents twice"), positive=False),
    Reason("unclear_guidance", pgettext_lazy("review reason", "The guidance was unclear"), positive=False),
    Reason("staff_attitude", pgettext_lazy("review reason", "Staff attitude"), positive=False),
    Reason("system_problems", pgettext_lazy("review reason", "System problems"), positive=False),
    Reason("fast", pgettext_lazy("review reason", "Fast"), positive=True),
    Reason("clear_guidance", pgettext_lazy("review reason", "Clear guidance"), positive=True),
    Reason("helpful_staff", pgettext_lazy("review reason", "Helpful staff"), positive=True),
    Reason("no_repeat_documents", pgettext_lazy("review reason", "No documents asked for twice"), positive=True),
    Reason("other", pgettext_lazy("review reason", "Other"), positive=False),
)
REASON_CODES = frozenset(reason.code for reason in REASONS)


def level_label(level: int) -> str:
    return str(LEVELS.get(level, level))


def reason_label(code: str) -> str:
    for reason in REASONS:
        if reason.code == code:
            return str(reason.label)
    return code


def clean_level(value: object) -> int | None:
    """The level as an int, or ``None`` when ``value`` is not one of the five."""
    try:
        level = int(str(value))
    except ValueError:
        return None
    return level if level in LEVELS else None


def clean_reasons(codes: list[str]) -> list[str] | None:
    """The reason codes in the list's order without repeats, or ``None`` if one is unknown."""
    if any(code not in REASON_CODES for code in codes):
        return None
    return [reason.code for reason in REASONS if reason.code in codes]


# --- What may be rated ---------------------------------------------------------------------

#: Case statuses after which the applicant may rate: decided (approved, rejected, not accepted)
#: or closed.
RATEABLE_CASE_STATUSES = frozenset({"approved", "rejected", "not_accepted", "closed"})


def case_rateable(status: str) -> bool:
    return status in RATEABLE_CASE_STATUSES


def ticket_rateable(status: str) -> bool:
    """A queue ticket may be rated once served (finished at a window)."""
    return status == "done"


def appointment_rateable(status: str, ticket_status: str | None) -> bool:
    """An appointment may be rated once attended: the person arrived, or its ticket was served."""
    return status == "arrived" or ticket_status == "done"


def is_owner(*, rater_person_id: int | None, owner_person_id: int | None) -> bool:
    """Only the person it belongs to may rate: the applicant of a case (for a firm's case the staff
    member who filed it), the person of a ticket or an appointment."""
    return rater_person_id is not None and rater_person_id == owner_person_id


def editable(*, created_at: datetime, now: datetime, edit_days: int) -> bool:
    """A rating may be changed for ``edit_days`` days after it was given, and not once a
    rectification ticket was answered (the answer refers to it)."""
    return now < created_at + timedelta(days=edit_days)


def opens_rectification(level: int) -> bool:
    return level in RECTIFICATION_LEVELS


# --- Rectification deadlines -----------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """Working days for the three steps (settings REVIEW_*_WORKDAYS)."""

    contact: int = 1
    rectify: int = 5
    rectify_complex: int = 15


@dataclass(frozen=True)
class Deadlines:
    contact_due_on: date
    rectify_due_on: date


def deadlines(*, opened_at: datetime, calendar: WorkCalendar, limits: Limits, complex_case: bool = False) -> Deadlines:
    """The last days to contact the person and to rectify, counted in working days from the day the
    ticket opened (that day itself not counted)."""
    opened_on = local_date(opened_at)
    rectify = limits.rectify_complex if complex_case else limits.rectify
    return Deadlines(
        contact_due_on=calendar.add_workdays(opened_on, limits.contact),
        rectify_due_on=calendar.add_workdays(opened_on, rectify),
    )


def overdue(
    *,
    now: datetime,
    contact_due_on: date,
    rectify_due_on: date,
    contacted_at: datetime | None,
    answered_at: datetime | None,
) -> bool:
    """A ticket is overdue when a step not yet done is past its last day."""
    today = local_date(now)
    if answered_at is None and today > rectify_due_on:
        return True
    return contacted_at is None and answered_at is None and today > contact_due_on


def answered_on_time(*, answered_at: datetime | None, rectify_due_on: date) -> bool:
    return answered_at is not None and local_date(answered_at) <= rectify_due_on


def may_rerate(*, answered_at: datetime | None, rerated_at: datetime | None) -> bool:
    """A person may rate again once, after the responsible answered their ticket."""
    return answered_at is not None and rerated_at is None


def satisfaction_rate(*, satisfied: int, total: int) -> float | None:
    """Share of ratings at levels 4-5, or ``None`` with no ratings."""
    return satisfied / total if total else None
