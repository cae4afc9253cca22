"""The case history is the record of what was decided and why: every officer action takes a text
(required where it says no or sends work back), the history shows it with what a supplement
asked for; the applicant's page shows what is addressed to them and never the staff's internal
notes; a supplement that arrives puts the case back under review by itself; "Take this case" is
offered only to an officer whose case it is not."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import StaffRoleFactory
from tests.services import pdf_upload
from tests.world import World
from tongban.cases.models import Case
from tongban.cases.services import case_act, case_assign
from tongban.core.errors import ConflictError
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def _post(client: Client, case: Case, action: str, **fields: object) -> str:
    case.refresh_from_db()
    response = client.post(
        f"/en/backoffice/cases/{case.number}/act/",
        {"action": action, "lock_version": case.lock_version, **fields},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def _history(html: str) -> str:
    return _section(html, '<ol class="timeline">', "</ol>\n")


def test_every_action_form_has_its_text_field(client: Client, world: World, login_staff: Login) -> None:
    case = world.submitted_case()
    login_staff(client, world.officer.account)
    page = client.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    forms = re.findall(r'<form method="post" action="[^"]*/act/".*?</form>', page, re.S)
    assert len(forms) == 2  # accept, do not accept
    for form in forms:
        assert 'name="reason"' in form
    accept = next(form for form in forms if 'value="accept"' in form)
    refuse = next(form for form in forms if 'value="refuse_acceptance"' in form)
    assert "Comment (optional)" in accept and " required" not in accept
    assert "the applicant does not see it" in accept
    assert 'name="reason" rows="3" aria-describedby="reason-hint-2" required' in refuse
    assert "shown to the applicant" in refuse


def test_the_history_keeps_every_text_and_the_applicant_reads_only_theirs(
    client: Client, world: World, login_staff: Login, login_person: Login
) -> None:
    case = world.submitted_case()
    login_staff(client, world.officer.account)
    _post(client, case, "accept", reason="Checked at the window: originals seen")
    _post(client, case, "start_review")
    _post(
        client,
        case,
        "request_supplement",
        materials=["passport"],
        items="The labour contract, signed page",
        reason="The scan of the passport is blurred.",
    )
    _post(client, case, "propose_rejection", reason="No contract", legal_basis="Art. 7")
    case.refresh_from_db()
    assert case.status == "supplement_requested"  # proposing is not possible while waiting

    history = _history(client.get(f"/en/backoffice/cases/{case.number}/").content.decode())
    assert "Checked at the window: originals seen" in history and "Internal note" in history
    assert "Asked for:" in history and "<li>Passport copy</li>" in history
    assert "<li>The labour contract, signed page</li>" in history
    assert "The scan of the passport is blurred." in history

    applicant = Client()
    assert world.hr.account is not None
    login_person(applicant, world.hr.account)
    mine = _history(applicant.get(f"/en/my/cases/{case.number}/").content.decode())
    assert "<li>The labour contract, signed page</li>" in mine and "The scan of the passport is blurred." in mine
    assert "originals seen" not in mine  # an internal note


def test_a_proposal_is_internal_and_the_decision_says_why(
    client: Client, world: World, login_staff: Login, login_person: Login
) -> None:
    case = world.submitted_case()
    login_staff(client, world.officer.account)
    for action in ("accept", "start_review"):
        _post(client, case, action)
    _post(client, case, "propose_rejection", reason="Salary below the threshold", legal_basis="Rule 12")
    supervisor = Client()
    login_staff(supervisor, world.supervisor.account)
    _post(supervisor, case, "return_to_review", reason="Check the bonus too")
    _post(client, case, "propose_approval", reason="With the bonus the salary meets the threshold")
    _post(supervisor, case, "approve", reason="")
    case.refresh_from_db()
    assert case.status == "approved"
    staff = _history(client.get(f"/en/backoffice/cases/{case.number}/").content.decode())
    for text in ("Salary below the threshold", "Rule 12", "Check the bonus too", "meets the threshold"):
        assert text in staff
    applicant = Client()
    assert world.hr.account is not None
    login_person(applicant, world.hr.account)
    mine = _history(applicant.get(f"/en/my/cases/{case.number}/").content.decode())
    assert "Salary below the threshold" not in mine and "Rule 12" not in mine and "bonus too" not in mine
    # the decision's step carries the reasons it recorded (the proposal's, the supervisor adding none)
    assert mine.count("With the bonus the salary meets the threshold") == 1


def test_a_supplement_arriving_returns_the_case_to_review(
    client: Client, world: World, login_staff: Login, login_person: Login
) -> None:
    case = world.submitted_case()
    login_staff(client, world.officer.account)
    for action in ("accept", "start_review"):
        _post(client, case, action)
    _post(client, case, "request_supplement", materials=["passport"])
    applicant = Client()
    assert world.hr.account is not None
    login_person(applicant, world.hr.account)
    case.refresh_from_db()
    applicant.post(
        f"/en/my/cases/{case.number}/supplement/",
        {"lock_version": case.lock_version, "material_passport": pdf_upload("clear.pdf")},
    )
    case.refresh_from_db()
    assert case.status == "under_review"
    page = client.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    assert 'value="start_review"' not in page  # nothing to press again
    assert "automatically" in _history(page)


def test_take_this_case_only_when_it_is_not_yours(client: Client, world: World, login_staff: Login) -> None:
    case = world.submitted_case()
    login_staff(client, world.officer.account)
    page = client.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    assert "Take this case</button>" in page
    client.post(f"/en/backoffice/cases/{case.number}/assign/", {"lock_version": case.lock_version})
    page = client.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    assert "This case is assigned to you." in page and "Take this case" not in page
    colleague = StaffRoleFactory(agency=world.officer.agency, office=world.officer.office)
    other = Client()
    login_staff(other, colleague.account)
    page = other.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    name = world.officer.account.display_name or world.officer.account.username
    assert f"This case is assigned to {name}." in page and f"Take this case over from {name}</button>" in page


def test_assigning_a_case_to_whoever_has_it_is_refused(world: World) -> None:
    case = world.submitted_case()
    account = world.officer.account
    case = case_assign(
        case=case,
        assignee=account,
        by=account,
        expected_version=case.lock_version,
        actor=world.actor,
        now=timezone.now(),
    )
    with pytest.raises(ConflictError, match="already yours"):
        case_assign(
            case=case,
            assignee=account,
            by=account,
            expected_version=case.lock_version,
            actor=world.actor,
            now=timezone.now(),
        )


def test_a_decision_step_records_the_reasons_it_decided_on(world: World) -> None:
    case = world.submitted_case()
    for action, kwargs in (
        ("accept", {}),
        ("start_review", {}),
        ("propose_approval", {"reason": "Category B"}),
    ):
        case.refresh_from_db()
        case = case_act(
            case=case,
            action=action,
            expected_version=case.lock_version,
            account=world.officer.account,
            actor=world.actor,
            now=timezone.now(),
            **kwargs,
        )
    case = case_act(
        case=case,
        action="approve",
        expected_version=case.lock_version,
        account=world.supervisor.account,
        actor=world.actor,
        now=timezone.now(),
    )
    decided = case.events.order_by("-id").first()
    assert decided is not None and decided.action == "approve" and decided.reason == "Category B"
