"""Fixtures for the statistics tests: a small world of cases in every state, a served ticket with
a visit, a rating that opened a ticket, and helpers to act on cases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.factories import ServiceCentreFactory
from tests.world import World
from tongban.cases.models import Case
from tongban.cases.services import case_act
from tongban.service_centres.models import Ticket, Visit


def act(world: World, case: Case, action: str, *, who: str = "officer", **kwargs: Any) -> Case:
    case.refresh_from_db()
    account = {"officer": world.officer.account, "supervisor": world.supervisor.account}.get(who)
    return case_act(
        case=case,
        action=action,
        expected_version=case.lock_version,
        account=account,
        person=world.hr if who == "applicant" else None,
        actor=world.actor,
        now=timezone.now(),
        **kwargs,
    )


def approve(world: World, case: Case) -> Case:
    for action in ("accept", "start_review"):
        case = act(world, case, action)
    case = act(world, case, "propose_approval", reason="Meets the conditions")
    return act(world, case, "approve", who="supervisor")


def small_world(world: World) -> list[Case]:
    """Cases in several states: approved, refused, withdrawn, under review, submitted, and one
    approved after a window visit; a queue ticket called after 17 minutes."""
    cases = [world.submitted_case() for _ in range(6)]
    approve(world, cases[0])
    act(world, cases[1], "refuse_acceptance", reason="Incomplete")
    act(world, cases[2], "withdraw", who="applicant")
    act(world, act(world, cases[3], "accept"), "start_review")
    centre = ServiceCentreFactory.create()
    now = timezone.now()
    ticket = Ticket.objects.create(
        centre=centre,
        day=now.date(),
        letter="A",
        number=1,
        source="clerk",
        person=world.hr,
        status="done",
        issued_at=now - timedelta(minutes=17, seconds=5),
        first_called_at=now,
        finished_at=now,
    )
    Visit.objects.create(ticket=ticket, case=cases[5], at=now)
    approve(world, cases[5])
    return cases
