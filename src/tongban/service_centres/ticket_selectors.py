"""Reads about the queue at a centre: what the pure rules of ``queue`` need (the waiting tickets
and a window's scope), the centre's current waiting time, the calls the display shows, a clerk's
windows and the ticket at a window, and how many in-person visits a case needed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from tongban.cases.models import Case
from tongban.catalogue.models import ServiceItem
from tongban.core.db import select_objects
from tongban.core.deadlines import local_date
from tongban.identity.models import Account, ServiceCentre
from tongban.service_centres import queue
from tongban.service_centres.models import Ticket, TicketStatus, Visit, Window, WindowScope
from tongban.service_centres.permissions import clerk_centre_ids_of

#: How many of the last calls the display shows.
DISPLAY_CALLS = 8


def window_spec(window: Window) -> queue.WindowSpec:
    """The window's scope with the ids it lists (two small queries)."""
    through_services = Window.services.through.objects.filter(window_id=window.pk)
    through_agencies = Window.agencies.through.objects.filter(window_id=window.pk)
    return queue.WindowSpec(
        id=window.pk,
        scope=window.scope,
        service_ids=frozenset(through_services.values_list("serviceitem_id", flat=True)),
        agency_ids=frozenset(through_agencies.values_list("agency_id", flat=True)),
    )


def waiting_tickets(*, centre_id: int, day: date) -> list[queue.Waiting]:
    """The centre's waiting tickets of ``day`` for the call order (one query, ``sc_ticket_queue``)."""
    rows = Ticket.objects.filter(centre_id=centre_id, day=day, status=TicketStatus.WAITING).values_list(
        "pk", "issued_at", "item_id", "item__agency_id", "for_window_id", "appointment__starts_at"
    )
    return [
        queue.Waiting(
            id=pk, issued_at=issued, item_id=item, agency_id=agency, for_window_id=for_window, slot_starts_at=slot
        )
        for pk, issued, item, agency, for_window, slot in rows
    ]


@dataclass(frozen=True)
class CentreWait:
    """How many people wait at a centre now and about how many minutes a newcomer waits."""

    waiting: int
    minutes: int


def centre_wait(centre: ServiceCentre, *, now: datetime) -> CentreWait:
    """The centre's queue now (two queries: today's waiting and recently called tickets, and the
    number of active windows)."""
    day = local_date(now)
    since = now - queue.RECENT
    rows = list(
        Ticket.objects.filter(centre=centre, day=day)
        .filter(Q(status=TicketStatus.WAITING) | Q(called_at__gte=since) | Q(finished_at__gte=since))
        .values_list("status", "window_id", "called_at", "finished_at")
    )
    waiting = sum(1 for status, *_rest in rows if status == TicketStatus.WAITING)
    recent = [
        queue.Served(window_id=window, called_at=called, finished_at=finished)
        for status, window, called, finished in rows
        if called is not None and status != TicketStatus.WAITING
    ]
    active = Window.objects.filter(centre=centre, active=True).count() if waiting else 0
    wait = queue.estimate_wait(waiting=waiting, recent=recent, active_windows=active, now=now)
    return CentreWait(waiting=waiting, minutes=queue.wait_minutes(wait))


def display_calls(*, centre_id: int, day: date, limit: int = DISPLAY_CALLS) -> list[dict[str, Any]]:
    """The last ``limit`` calls at the centre on ``day``, newest first (one query on
    ``sc_ticket_called``): ticket id, label parts, window number, when and how often called."""
    rows = (
        Ticket.objects.filter(centre_id=centre_id, day=day, called_at__isnull=False)
        .order_by("-called_at")
        .values("id", "letter", "number", "called_at", "calls", "window__number")[:limit]
    )
    return [dict(row) for row in rows]


#: The display's poll, as one static statement (``core.db``): the centre by its code in a
#: sub-select, the last calls on ``sc_ticket_called``, each with its window's number.
_CALLS_BY_CODE = (
    f"WHERE t.centre_id = (SELECT c.id FROM {ServiceCentre._meta.db_table} c WHERE c.code = %s) "  # noqa: S608
    "AND t.day = %s AND t.called_at IS NOT NULL ORDER BY t.called_at DESC LIMIT %s"
)


def display_calls_by_code(*, code: str, day: date, limit: int = DISPLAY_CALLS) -> list[dict[str, Any]] | None:
    """:func:`display_calls` for the centre with ``code``, in one round trip (a second, only when
    there is no call, to tell an unknown centre — ``None`` — from a quiet one)."""
    tickets = select_objects(
        Ticket,
        _CALLS_BY_CODE,
        [code, day.isoformat(), limit],
        fields=("letter", "number", "called_at", "calls", "window"),
        joined=("window", ("number",)),
    )
    if not tickets and not ServiceCentre.objects.filter(code=code).exists():
        return None
    return [
        {
            "id": ticket.pk,
            "letter": ticket.letter,
            "number": ticket.number,
            "called_at": ticket.called_at,
            "calls": ticket.calls,
            "window__number": ticket.window.number if ticket.window_id is not None and ticket.window else None,
        }
        for ticket in tickets
    ]


def clerk_windows(account: Account) -> QuerySet[Window]:
    """The active windows of the centres where ``account`` is a clerk."""
    return (
        Window.objects.filter(centre_id__in=clerk_centre_ids_of(account), active=True)
        .select_related("centre")
        .order_by("centre__code", "number")
    )


def ticket_at_window(window: Window, *, day: date) -> Ticket | None:
    """The ticket called to ``window`` and not yet finished, if any."""
    return (
        Ticket.objects.filter(centre_id=window.centre_id, day=day, window=window, status=TicketStatus.CALLED)
        .select_related("item__published_version", "person", "appointment")
        .order_by("-called_at")
        .first()
    )


def waiting_count(*, centre_id: int, day: date) -> int:
    return Ticket.objects.filter(centre_id=centre_id, day=day, status=TicketStatus.WAITING).count()


#: How many services the kiosk offers as buttons (besides "another service").
KIOSK_SERVICES = 12


def kiosk_services(centre: ServiceCentre) -> list[ServiceItem]:
    """The published services the centre's active windows list by name, for the kiosk's buttons
    (one query); everything else is "another service", which any window calls."""
    return list(
        ServiceItem.objects.filter(
            windows__centre=centre,
            windows__active=True,
            windows__scope=WindowScope.SERVICES,
            published_version__isnull=False,
        )
        .select_related("published_version")
        .distinct()
        .order_by("code")[:KIOSK_SERVICES]
    )


def case_visits(case: Case) -> int:
    """How many in-person visits (tickets served on it) the case needed."""
    return Visit.objects.filter(case=case).count()


def waits_on(*, centre_ids: list[int], day: date) -> dict[int, queue.WaitSummary]:
    """Centre id → its day's waiting figures (``queue.wait_summary``), for the dashboards: one
    query on ``sc_ticket_queue`` (one range per centre and day), bounded by the day's tickets;
    centres without a ticket that day get an empty summary."""
    waiting: dict[int, int] = dict.fromkeys(centre_ids, 0)
    waits: dict[int, list[timedelta]] = {centre_id: [] for centre_id in centre_ids}
    rows = Ticket.objects.filter(centre_id__in=centre_ids, day=day).values_list(
        "centre_id", "status", "issued_at", "first_called_at"
    )
    for centre_id, status, issued_at, first_called_at in rows:
        if status == TicketStatus.WAITING:
            waiting[centre_id] += 1
        if first_called_at is not None:
            waits[centre_id].append(first_called_at - issued_at)
    return {
        centre_id: queue.wait_summary(waiting=waiting[centre_id], waits=waits[centre_id]) for centre_id in centre_ids
    }
