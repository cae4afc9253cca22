"""The warning that the working-day calendar lacks a year goes to whoever can act on it: the city
operator (on the workbench and the queue, with the way to the calendar); an officer sees only, on
the cases whose time limits run into such a year, that the due date may be too early."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import StaffRoleFactory
from tests.world import World
from tongban.cases.services import case_act
from tongban.core.calendar import get_work_calendar
from tongban.core.deadlines import local_date
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]
OPERATOR_TEXT = "Add the State Council"


def test_the_operator_sees_the_warning_officers_do_not(client: Client, world: World, login_staff: Login) -> None:
    today = local_date(timezone.now())
    assert get_work_calendar().unknown_years(today, today.replace(year=today.year + 1))  # nothing loaded
    login_staff(client, world.officer.account)
    queue = client.get("/en/backoffice/cases/").content.decode()
    home = client.get("/en/backoffice/").content.decode()
    assert OPERATOR_TEXT not in queue and OPERATOR_TEXT not in home
    assert "May be early" not in queue  # no case of theirs reaches an unknown year: nothing to say

    operator = Client()
    login_staff(operator, StaffRoleFactory(city_operator=True).account)
    for page in ("/en/backoffice/", "/en/backoffice/cases/"):
        html = operator.get(page).content.decode()
        assert OPERATOR_TEXT in html and 'href="/en/backoffice/calendar/"' in html


def test_an_officer_is_told_which_of_their_cases_it_concerns(client: Client, world: World, login_staff: Login) -> None:
    case = world.submitted_case()
    case = case_act(
        case=case,
        action="accept",
        expected_version=case.lock_version,
        account=world.officer.account,
        actor=world.actor,
        now=timezone.now(),
    )
    assert case.statutory_due_on is not None
    login_staff(client, world.officer.account)
    queue = client.get("/en/backoffice/cases/").content.decode()
    assert OPERATOR_TEXT not in queue
    assert "their due dates may be too early" in queue
    assert case.accepted_at is not None
    years = get_work_calendar().unknown_years(local_date(case.accepted_at), case.statutory_due_on)
    assert f"May be early: holidays of {', '.join(str(year) for year in years)} not known yet" in queue
