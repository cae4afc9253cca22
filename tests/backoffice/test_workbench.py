"""The officers' workbench over HTTP: queues scoped to office and agency, the case file (its
opening recorded), actions with the version check, files, and query counts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.factories import StaffRoleFactory
from tests.querycount import assert_queries_flat
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def test_queue_is_scoped(client: Client, world: World, login_staff: Login) -> None:
    case = world.submitted_case()
    login_staff(client, world.officer.account)
    assert case.number in client.get("/en/backoffice/cases/").content.decode()
    outsider = Client()
    login_staff(outsider, StaffRoleFactory().account)  # another agency
    assert case.number not in outsider.get("/en/backoffice/cases/").content.decode()
    assert outsider.get(f"/en/backoffice/cases/{case.number}/").status_code == 404
    upload = case.application.uploads.get()
    assert outsider.get(f"/en/backoffice/cases/{case.number}/files/{upload.pk}/").status_code == 404
    assert (
        outsider.post(f"/en/backoffice/cases/{case.number}/act/", {"action": "accept", "lock_version": 1}).status_code
        == 404
    )
    case.refresh_from_db()
    assert case.status == "submitted"
    district = Client()
    login_staff(
        district,
        StaffRoleFactory(
            agency=world.version.item.agency,
            office__agency=world.version.item.agency,
            office__level="district",
            office__district_code="310104",
        ).account,
    )
    assert district.get(f"/en/backoffice/cases/{case.number}/").status_code == 404
    supervisor = Client()
    login_staff(supervisor, world.supervisor.account)
    assert case.number in supervisor.get("/en/backoffice/cases/").content.decode()


def test_opening_a_case_is_recorded_and_actions_work(client: Client, world: World, login_staff: Login) -> None:
    case = world.submitted_case()
    login_staff(client, world.officer.account)
    page = client.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    assert "Accept" in page and "MARTIN Lucas" in page
    opened = AuditEvent.objects.get(action="cases.case_opened", object_id=case.number)
    assert opened.actor_id == world.officer.account.pk
    # the answers under the form's own headings and labels, options by their labels, not raw keys
    assert "<h3>Employee</h3>" in page and "<dt>Passport number</dt>" in page and "<dd>Master</dd>" in page
    assert "passport_number" not in page and ">master<" not in page
    assert "under the firm's power for Foreign staff" in page  # the power by what it is for, not its id
    chinese = client.get(f"/zh/backoffice/cases/{case.number}/").content.decode()
    assert "<h3>外籍员工</h3>" in chinese and "<dt>护照号码</dt>" in chinese and "<dd>硕士</dd>" in chinese
    # so is each material the officer opens: which document of which case
    upload = case.application.uploads.select_related("material").get()
    response = client.get(f"/en/backoffice/cases/{case.number}/files/{upload.pk}/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    read = AuditEvent.objects.get(action="cases.material_opened", object_id=case.number)
    assert read.actor_id == world.officer.account.pk
    assert read.data == {"account": world.officer.account.pk, "upload": upload.pk, "material": upload.material.code}
    assert client.post(f"/en/backoffice/cases/{case.number}/files/{upload.pk}/").status_code == 405
    assert client.post(f"/en/backoffice/cases/{case.number}/").status_code == 405
    response = client.post(
        f"/en/backoffice/cases/{case.number}/act/", {"action": "accept", "lock_version": case.lock_version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "accepted"
    # A second officer submits a form opened before the change: told, nothing overwritten.
    response = client.post(
        f"/en/backoffice/cases/{case.number}/act/",
        {"action": "refuse_acceptance", "reason": "x", "lock_version": 1},
        follow=True,
    )
    assert "changed since you opened it" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "accepted"


def test_supplement_request_through_the_page(client: Client, world: World, login_staff: Login) -> None:
    case = world.submitted_case()
    login_staff(client, world.officer.account)
    for action in ("accept", "start_review"):
        case.refresh_from_db()
        client.post(f"/en/backoffice/cases/{case.number}/act/", {"action": action, "lock_version": case.lock_version})
    case.refresh_from_db()
    response = client.post(
        f"/en/backoffice/cases/{case.number}/act/",
        {
            "action": "request_supplement",
            "lock_version": case.lock_version,
            "materials": ["passport"],
            "items": "Page 2\n",
        },
        follow=True,
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "supplement_requested"
    assert "Paused" in client.get(f"/en/backoffice/cases/{case.number}/").content.decode()


def test_queue_query_count_does_not_grow(client: Client, world: World, login_staff: Login) -> None:
    world.submitted_case()
    login_staff(client, world.supervisor.account)

    def add_rows() -> None:
        for _ in range(6):
            world.submitted_case()

    # The helper warms first: the calendar is read once per process, whichever test is first.
    response = assert_queries_flat(client, "/en/backoffice/cases/", add_rows, at_most=12).many
    assert response.status_code == 200
