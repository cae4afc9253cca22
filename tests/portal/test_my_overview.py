"""My space and My cases show what the person must do and what happens next (issue 19): a
supplement asked of a firm she acts for comes first in her My space, only in the areas of her live
powers; each open case says what happens next and how much time is left, the statutory limit
counted from submission before acceptance; queries stay flat in the number of firms and cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import FirmFactory, PowerFactory
from tests.querycount import assert_queries_flat
from tests.world import World
from tongban.cases.models import Case
from tongban.cases.services import case_act, case_submit
from tongban.core.calendar import get_work_calendar
from tongban.core.deadlines import local_date
from tongban.forms.services import application_start
from tongban.identity.models import Account, Firm
from tongban.identity.services import power_revoke

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def supplement_asked(world: World, case: Case) -> Case:
    for action, extra in (("accept", {}), ("start_review", {}), ("request_supplement", {"items": ["Page 2 again"]})):
        case.refresh_from_db()
        case = case_act(
            case=case,
            action=action,
            expected_version=case.lock_version,
            account=world.officer.account,
            actor=world.actor,
            now=timezone.now(),
            **extra,
        )
    return case


def firm_case(world: World, firm: Firm) -> Case:
    """A case the HR manager submits for another firm she holds the foreign-staff power for."""
    application = application_start(
        person=world.hr, version=world.version, firm=firm, actor=world.actor, now=timezone.now()
    )
    world.fill(application)
    return case_submit(application=application, person=world.hr, actor=world.actor, now=timezone.now())


def to_do(html: str) -> str:
    start = html.index('id="to-do-title"')
    return html[start : html.index("</section>", start)]


def test_my_space_shows_the_firm_s_supplement_first(client: Client, world: World, login_person: Login) -> None:
    """The HR manager filed for her firm: My space does not say she has no applications, names the
    supplement waiting on the firm's case in "What I must do", and shows the firm's cases."""
    waiting = supplement_asked(world, world.submitted_case())
    newer = world.submitted_case()
    login_person(client, world.hr.account)
    page = client.get("/en/my/").content.decode()
    assert "You have no applications yet." not in page
    assert waiting.number in to_do(page) and "Supply what the agency asked for" in to_do(page)
    assert newer.number not in to_do(page)  # nothing to do on it yet: it is in the firm's section
    firm_section = page[page.index(f'id="firm-{world.firm.uscc}"') :]
    assert newer.number in firm_section and waiting.number in firm_section
    assert page.index('id="to-do-title"') < page.index(f'id="firm-{world.firm.uscc}"')
    chinese = client.get("/zh/my/").content.decode()
    assert waiting.number in to_do(chinese) and "补正" in to_do(chinese)

    # A colleague whose power is for another area, and the HR manager once her power is revoked,
    # have nothing to do on it and do not see it.
    colleague = PowerFactory(firm=world.firm, area="social_security").grantee
    other = Client()
    login_person(other, colleague.account)
    assert waiting.number not in other.get("/en/my/").content.decode()
    power_revoke(
        power=world.power, revoked_by=world.firm.legal_representative, reason="", actor=world.actor, now=timezone.now()
    )
    assert waiting.number not in client.get("/en/my/").content.decode()


def test_my_space_and_my_cases_queries_do_not_grow_with_firms_and_cases(
    client: Client, world: World, login_person: Login
) -> None:
    supplement_asked(world, world.submitted_case())
    login_person(client, world.hr.account)

    def more_firms() -> None:
        for _ in range(3):
            firm = FirmFactory(foreign_invested=True)
            PowerFactory(firm=firm, grantee=world.hr, area="foreign_staff")
            supplement_asked(world, firm_case(world, firm))
            firm_case(world, firm)

    many = assert_queries_flat(client, "/en/my/", more_firms, at_most=16).many.content.decode()
    assert to_do(many).count("Supply what the agency asked for") == 4
    more = assert_queries_flat(client, "/en/my/cases/", lambda: firm_case(world, world.firm), at_most=14).many
    assert more.content.decode().count("<section") >= 4  # one section per firm


def test_lists_say_what_happens_next_and_the_time_left(client: Client, world: World, login_person: Login) -> None:
    """Before acceptance a case has no due date of its own: the list shows the statutory limit
    counted from submission; after acceptance the promised date and the working days left; each
    row says what happens next, in both languages."""
    submitted = world.submitted_case()
    accepted = world.submitted_case()
    case_act(
        case=accepted,
        action="accept",
        expected_version=accepted.lock_version,
        account=world.officer.account,
        actor=world.actor,
        now=timezone.now(),
    )
    accepted.refresh_from_db()
    calendar = get_work_calendar()
    by_statute = calendar.add_workdays(local_date(submitted.submitted_at), world.version.statutory_limit_workdays)
    left = calendar.workdays_between(local_date(timezone.now()), accepted.promised_due_on)
    login_person(client, world.hr.account)
    page = client.get("/en/my/cases/").content.decode()
    row = page[page.index(submitted.number) : page.index("</tr>", page.index(submitted.number))]
    assert f"By {by_statute:%Y-%m-%d}: the statutory limit of 10 working days, counted from submission" in row
    assert "Next: the agency checks whether your application can be accepted" in row
    row = page[page.index(accepted.number) : page.index("</tr>", page.index(accepted.number))]
    assert f"Promised by {accepted.promised_due_on:%Y-%m-%d}" in row and f"{left} working days left" in row
    assert "Next: an officer reviews your application." in row
    chinese = client.get("/zh/my/cases/").content.decode()
    assert "法定时限" in chinese and "下一步" in chinese
    case_page = client.get(f"/en/my/cases/{submitted.number}/").content.decode()
    assert f"By {by_statute:%Y-%m-%d}: the statutory limit" in case_page
