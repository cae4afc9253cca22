"""Issue 15: every read of a firm's draft re-checks the acting person's live power for the
service's area, on every request (GET and POST alike); a firm's certificates follow the area rules
of the cases that made them; a stranger applying "as" a firm learns nothing about it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from tests.factories import FirmFactory, PersonFactory, PowerFactory
from tests.world import World
from tongban.catalogue.models import CertificateType
from tongban.certificates.services import certificate_issue
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


def test_certificates_follow_the_area_rules_of_the_cases_that_made_them(
    client: Client, world: World, login_person: Login
) -> None:
    licence_type = CertificateType.objects.create(
        code="test-licence", name_zh="测试许可", name_en="Test licence", holder="firm", number_prefix="TL"
    )
    licence = certificate_issue(
        certificate_type=licence_type,
        agency=world.version.item.agency,
        fields={},
        actor=Actor.system("tests"),
        now=timezone.now(),
        holder_firm=world.firm,
        applicant_firm=world.firm,
        area="foreign_staff",
        case_number="TEST1",
    )
    payroll = PowerFactory(firm=world.firm, area="social_security").grantee
    login_person(client, payroll.account)
    assert licence.number not in client.get(f"/en/my/firms/{world.firm.uscc}/certificates/").content.decode()
    for suffix in ("", "pdf/", "credential/"):
        assert client.get(f"/en/my/certificates/{licence.number}/{suffix}").status_code == 404, suffix
    assert client.post(f"/en/my/certificates/{licence.number}/share/", {"days": "7"}).status_code == 404
    hr = Client()
    login_person(hr, world.hr.account)  # holds the foreign-staff power: sees it
    assert licence.number in hr.get(f"/en/my/firms/{world.firm.uscc}/certificates/").content.decode()
    assert hr.get(f"/en/my/certificates/{licence.number}/").status_code == 200


def test_a_stranger_applying_as_a_firm_is_refused_the_same_way_for_any_firm(
    client: Client, world: World, login_person: Login
) -> None:
    stranger = PersonFactory()
    login_person(client, stranger.account)
    url = f"/en/services/{world.version.item.code}/apply/"
    real = client.post(url, {"as": world.firm.uscc})
    unknown = client.post(url, {"as": "91310000MA1FL0000X"})
    other = FirmFactory()
    for response in (real, unknown):
        assert response.status_code == 403
        page = response.content.decode()
        assert world.firm.name_zh not in page and world.firm.name_en not in page
        assert other.name_zh not in page

    def page_of(response: HttpResponse, uscc: str) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode().replace(uscc, ""))

    assert page_of(real, world.firm.uscc) == page_of(unknown, "91310000MA1FL0000X")
    assert not Application.objects.filter(person=stranger).exists()
