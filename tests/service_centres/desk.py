"""A clerk at a window serving a called ticket: the fixture of the window-intake tests, the URL
walk and the page checks (tests/urlwalk.py)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from django.utils import timezone

from tests.factories import StaffRoleFactory
from tongban.catalogue.models import ServiceItem
from tongban.core.deadlines import local_date
from tongban.identity.models import Account, Agency, Person, ServiceCentre
from tongban.service_centres.models import Ticket, TicketStatus, Window, WindowScope

_numbers = count(1)


@dataclass
class Desk:
    centre: ServiceCentre
    window: Window
    clerk: Account
    ticket: Ticket


def serving_clerk(
    person: Person | None,
    *,
    scope: str = WindowScope.COMPREHENSIVE,
    services: tuple[ServiceItem, ...] = (),
    agencies: tuple[Agency, ...] = (),
) -> Desk:
    """A new clerk at a new centre's window of ``scope``, serving a called ticket (of ``person``,
    whose document the clerk has checked, or of nobody yet, as a kiosk ticket)."""
    role = StaffRoleFactory.create(clerk=True)
    centre = role.service_centre
    assert centre is not None
    window = Window.objects.create(centre=centre, number="1", label_en="Window 1", label_zh="1号窗口", scope=scope)
    window.services.set(services)
    window.agencies.set(agencies)
    now = timezone.now()
    ticket = Ticket.objects.create(
        centre=centre,
        day=local_date(now),
        letter="B",
        number=next(_numbers),
        source="kiosk",
        person=person,
        identified_at=now if person is not None else None,  # the clerk checked the document
        status=TicketStatus.CALLED,
        window=window,
        clerk=role.account,
        issued_at=now,
        first_called_at=now,
        called_at=now,
        calls=1,
    )
    return Desk(centre, window, role.account, ticket)
