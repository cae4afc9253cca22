"""A centre with two windows (a comprehensive one and one for a single service), its clerk, and
helpers to book an appointment directly (booking itself is another feature's) — for the queue's
tests in service_centres, portal and backoffice."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from tests.factories import PersonFactory, ServiceCentreFactory, StaffRoleFactory
from tests.services import make_service
from tongban.catalogue.models import ServiceItem
from tongban.core.actors import Actor
from tongban.identity.models import Account, Person, ServiceCentre
from tongban.service_centres.models import Appointment, Window, WindowScope

_codes = itertools.count(1)
_places = itertools.count(0)


@dataclass
class QueueWorld:
    centre: ServiceCentre
    item: ServiceItem
    comprehensive: Window
    single: Window
    clerk: Account
    actor: Actor

    def appoint(self, person: Person | None = None, *, starts_at: datetime | None = None) -> Appointment:
        person = person or PersonFactory.create()
        starts = starts_at or timezone.now().replace(second=0, microsecond=0)
        return Appointment.objects.create(
            code=f"Q{next(_codes):07d}",
            centre=self.centre,
            item=self.item,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=15),
            place=next(_places),
            person=person,
            booked_by=person.account,
            created_at=timezone.now(),
        )


def make_queue_world(code: str = "queue-permit") -> QueueWorld:
    item = make_service(code=code).item
    centre = ServiceCentreFactory.create()
    comprehensive = Window.objects.create(centre=centre, number="1", scope=WindowScope.COMPREHENSIVE)
    single = Window.objects.create(centre=centre, number="2", scope=WindowScope.SERVICES)
    single.services.set([item])
    clerk = StaffRoleFactory.create(clerk=True, service_centre=centre).account
    return QueueWorld(
        centre, item, comprehensive, single, clerk, Actor(kind="account", account_id=clerk.pk, label=clerk.username)
    )
