"""The queue's rules, pure: which waiting ticket a window calls next, and how long a newcomer waits.

No database and no clock: callers read the rows into the small value types below and pass ``now``.

Call order at one window (ADR 0038):

1. tickets **transferred to this window** (``for_window``), in issue order — a visitor sent on by
   another window is not sent to the back of the queue; tickets transferred to another window are
   never called here;
2. **appointment tickets whose slot has started**, by slot start, then issue time — "appointment
   holders are called first within their slot";
3. **walk-ins** (and everything else) in issue order;
4. appointment tickets whose slot has **not started yet** (the holder came early), by slot start,
   then issue time: they are called early only when nobody else is waiting for this window.

Only tickets whose item the window's scope covers are candidates; a ticket without an item ("other
service" at the kiosk) can go to any window.

Letters: ``A`` appointments (ticket from a booking code), ``B`` walk-ins. Numbers run per centre,
day and letter from 1.

The waiting-time estimate for a centre: the people waiting shared among the windows serving now,
times the mean service time of the tickets finished in the last hour (``DEFAULT_SERVICE_MINUTES``
when none finished). The divisor is the number of windows that called someone in the last hour, or
else the centre's active windows (at least one). It answers a newcomer's question ("how long will
I wait if I come now?") better than the median wait of those already called, which lags behind a
queue that is growing or shrinking.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: A ticket's letter per queue.
APPOINTMENT_LETTER = "A"
WALK_IN_LETTER = "B"

#: What one visitor is assumed to take at a window when no ticket finished in the last hour.
DEFAULT_SERVICE_MINUTES = 10
#: The window of recent history the estimate looks at.
RECENT = timedelta(hours=1)

SCOPE_SERVICES = "services"
SCOPE_AGENCIES = "agencies"
SCOPE_COMPREHENSIVE = "comprehensive"


@dataclass(frozen=True)
class WindowSpec:
    """A window as the queue sees it: its scope and what the scope lists."""

    id: int
    scope: str
    service_ids: frozenset[int] = field(default_factory=frozenset)
    agency_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Waiting:
    """A waiting ticket as the queue sees it."""

    id: int
    issued_at: datetime
    item_id: int | None = None
    agency_id: int | None = None
    for_window_id: int | None = None
    slot_starts_at: datetime | None = None  # the appointment's start, for appointment tickets


def covers(window: WindowSpec, ticket: Waiting) -> bool:
    """True if ``window`` may serve ``ticket``: comprehensive, its item listed, or its item's
    agency listed; a ticket without an item goes to any window."""
    if ticket.item_id is None or window.scope == SCOPE_COMPREHENSIVE:
        return True
    if window.scope == SCOPE_SERVICES:
        return ticket.item_id in window.service_ids
    if window.scope == SCOPE_AGENCIES:
        return ticket.agency_id is not None and ticket.agency_id in window.agency_ids
    return False


def call_key(ticket: Waiting, window: WindowSpec, *, now: datetime) -> tuple[int, datetime, datetime, int] | None:
    """The ticket's place in ``window``'s call order (smaller first), or ``None`` if this window
    does not call it."""
    if ticket.for_window_id is not None:
        if ticket.for_window_id != window.id:
            return None
        return (0, ticket.issued_at, ticket.issued_at, ticket.id)
    if not covers(window, ticket):
        return None
    if ticket.slot_starts_at is not None:
        tier = 1 if ticket.slot_starts_at <= now else 3
        return (tier, ticket.slot_starts_at, ticket.issued_at, ticket.id)
    return (2, ticket.issued_at, ticket.issued_at, ticket.id)


def call_order(waiting: Iterable[Waiting], window: WindowSpec, *, now: datetime) -> list[Waiting]:
    """The tickets ``window`` may call, in the order it calls them."""
    keyed = [(key, ticket) for ticket in waiting if (key := call_key(ticket, window, now=now)) is not None]
    return [ticket for _key, ticket in sorted(keyed, key=lambda pair: pair[0])]


def next_ticket(waiting: Iterable[Waiting], window: WindowSpec, *, now: datetime) -> Waiting | None:
    """The ticket ``window`` calls next, or ``None`` when nobody waits for it."""
    ordered = call_order(waiting, window, now=now)
    return ordered[0] if ordered else None


@dataclass(frozen=True)
class Served:
    """A ticket called today, for the estimate: the window that last called it, when, and when it
    finished (``None`` while at the window or if it did not come)."""

    window_id: int | None
    called_at: datetime
    finished_at: datetime | None


def estimate_wait(*, waiting: int, recent: Sequence[Served], active_windows: int, now: datetime) -> timedelta:
    """How long someone taking a ticket now waits, roughly (see the module docstring)."""
    if waiting <= 0:
        return timedelta(0)
    since = now - RECENT
    durations = [
        row.finished_at - row.called_at
        for row in recent
        if row.finished_at is not None and row.finished_at >= since and row.finished_at >= row.called_at
    ]
    service = sum(durations, timedelta(0)) / len(durations) if durations else timedelta(minutes=DEFAULT_SERVICE_MINUTES)
    serving = {row.window_id for row in recent if row.window_id is not None and row.called_at >= since}
    windows = max(1, len(serving) or active_windows)
    return service * math.ceil(waiting / windows)


def wait_minutes(wait: timedelta) -> int:
    """The estimate in whole minutes, rounded up (a wait of a few seconds is one minute)."""
    return math.ceil(wait.total_seconds() / 60)


@dataclass(frozen=True)
class WaitSummary:
    """A centre's day so far for the dashboards: people waiting now, people called, and the
    waiting time of those called (mean and 90th percentile, whole minutes; None when nobody was
    called)."""

    waiting: int = 0
    called: int = 0
    mean_minutes: int | None = None
    p90_minutes: int | None = None


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in (0, 1]) of ``values`` (not empty): the smallest
    value at or below which at least ``share`` of the values lie."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def wait_summary(*, waiting: int, waits: Sequence[timedelta]) -> WaitSummary:
    """The summary of a centre's day from the waits of the tickets called (``first_called_at −
    issued_at``); minutes rounded half up."""
    if not waits:
        return WaitSummary(waiting=waiting)
    minutes = [max(0.0, wait.total_seconds() / 60) for wait in waits]
    return WaitSummary(
        waiting=waiting,
        called=len(minutes),
        mean_minutes=math.floor(sum(minutes) / len(minutes) + 0.5),
        p90_minutes=math.floor(percentile(minutes, 0.9) + 0.5),
    )
