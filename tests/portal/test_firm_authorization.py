"""Issue 15: every read of a firm's draft re-checks the acting person's live power for the
service's area, on every request (GET and POST alike)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.world import World
from tongban.core.actors import Actor
from tongban.forms.models import Application
from tongban.identity.models import Account
from tongban.identity.services import power_revoke

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def test_a_revoked_power_no_longer_opens_the_drafts_it_started(
    client: Client, world: World, login_person: Login
) -> None:
    login_person(client, world.hr.account)
    response = client.post(f"/en/services/{world.version.item.code}/apply/", {"as": world.firm.uscc})
    assert response.status_code == 302
    application = Application.objects.get(person=world.hr, status="draft")
    world.fill(application)
    base = f"/en/applications/{application.public_id}"
    steps = ("employer", "employee", "family", "materials", "review")
    for step in steps:
        assert client.get(f"{base}/{step}/").status_code == 200, step
    power_revoke(
        power=world.power,
        revoked_by=world.firm.legal_representative,
        reason="left the firm",
        actor=Actor.system("tests"),
        now=timezone.now(),
    )
    for step in steps:
        response = client.get(f"{base}/{step}/")
        assert response.status_code == 403, step
        assert world.engineer.id_number not in response.content.decode(), step
    assert client.get(f"{base}/").status_code == 403
    assert client.post(f"{base}/employee/", {"employee_name": "X", "intent": "save"}).status_code == 403
    assert client.post(f"{base}/delete/").status_code == 403
    application.refresh_from_db()
    assert application.status == "draft" and application.data["employee_name"] == "MARTIN Lucas"
