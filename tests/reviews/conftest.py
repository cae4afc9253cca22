"""Fixtures for the reviews tests: a decided case of the case world, a served ticket, a centre."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ServiceCentreFactory, StaffRoleFactory
from tests.world import World
from tongban.cases.models import Case
from tongban.identity.models import Person, ServiceCentre, StaffRole
from tongban.service_centres.models import Ticket


@pytest.fixture
def decided_case(world: World) -> Case:
    case = world.submitted_case()
    Case.objects.filter(pk=case.pk).update(status="approved", decided_at=timezone.now())
    case.refresh_from_db()
    return case


@pytest.fixture
def centre(db: object) -> ServiceCentre:
    return ServiceCentreFactory.create()


def served_ticket(*, centre: ServiceCentre, person: Person, number: int = 1, status: str = "done") -> Ticket:
    now = timezone.now()
    return Ticket.objects.create(
        centre=centre,
        day=now.date(),
        letter="B",
        number=number,
        source="clerk",
        person=person,
        status=status,
        issued_at=now - timedelta(minutes=20),
        finished_at=now if status == "done" else None,
    )


def centre_head(centre: ServiceCentre) -> StaffRole:
    return StaffRoleFactory.create(role="centre_head", agency=None, office=None, service_centre=centre)


def city_operator() -> StaffRole:
    return StaffRoleFactory.create(city_operator=True)
