"""Back office: staff rights stop at their agency; clerks verify people; operators read the trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import AccountFactory, AgencyFactory, AgencyOfficeFactory, PersonFactory, StaffRoleFactory
from tests.querycount import assert_queries_flat
from tongban.audit.models import AuditEvent
from tongban.core.actors import Actor
from tongban.identity.models import Account, StaffRole, VerificationLevel
from tongban.identity.services import person_record

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def test_officer_sees_own_agency_but_not_another(client: Client, login_staff: Login) -> None:
    mine = StaffRoleFactory()
    other = AgencyFactory()
    login_staff(client, mine.account)
    assert client.get(f"/en/backoffice/agencies/{mine.agency.code}/").status_code == 200
    assert client.get(f"/en/backoffice/agencies/{other.code}/").status_code == 403


def test_officer_cannot_grant_roles_even_in_own_agency(client: Client, login_staff: Login) -> None:
    mine = StaffRoleFactory()
    newcomer = AccountFactory()
    login_staff(client, mine.account)
    page = client.get(f"/en/backoffice/agencies/{mine.agency.code}/").content.decode()
    assert "Grant a role" not in page
    client.post(f"/en/backoffice/agencies/{mine.agency.code}/", {"username": newcomer.username, "role": "officer"})
    assert not StaffRole.objects.filter(account=newcomer).exists()


def test_agency_admin_manages_own_agency_only(client: Client, login_staff: Login) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    other = StaffRoleFactory()  # an officer of another agency
    newcomer = AccountFactory()
    login_staff(client, admin.account)
    url = f"/en/backoffice/agencies/{admin.agency.code}/"
    response = client.post(url, {"username": newcomer.username, "role": "officer"})
    assert "choose it" in response.content.decode()  # an officer needs an office
    office = AgencyOfficeFactory(agency=admin.agency)
    response = client.post(url, {"username": newcomer.username, "role": "officer", "office": office.pk})
    assert response.status_code == 302
    assert StaffRole.objects.filter(account=newcomer, agency=admin.agency, role="officer").exists()
    assert client.post(f"/en/backoffice/agencies/{other.agency.code}/roles/{other.pk}/revoke/").status_code == 403
    other.refresh_from_db()
    assert other.revoked_at is None


def test_a_role_grant_names_an_unknown_user_and_a_missing_office_together(client: Client, login_staff: Login) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    login_staff(client, admin.account)
    response = client.post(
        f"/en/backoffice/agencies/{admin.agency.code}/", {"username": "nobody.here", "role": "officer"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "No account has this user name." in html and "choose it" in html
    assert 'id="id_username_error"' in html and 'id="id_office_error"' in html
    assert not StaffRole.objects.filter(agency=admin.agency, role="officer").exists()


def test_agency_staff_list_query_count_does_not_grow(client: Client, login_staff: Login) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    login_staff(client, admin.account)
    url = f"/en/backoffice/agencies/{admin.agency.code}/"
    StaffRoleFactory.create_batch(3, agency=admin.agency)
    response = assert_queries_flat(
        client, url, lambda: StaffRoleFactory.create_batch(20, agency=admin.agency), at_most=12
    ).many
    assert response.status_code == 200


def test_clerk_verifies_a_person_in_person(client: Client, login_staff: Login) -> None:
    clerk = StaffRoleFactory(clerk=True)
    person = PersonFactory()
    login_staff(client, clerk.account)
    page = client.get("/en/backoffice/people/verify/", {"id_number": person.id_number}).content.decode()
    assert person.id_number in page  # the clerk needs the whole number to compare with the original
    response = client.post(
        "/en/backoffice/people/verify/", {"person_id": person.pk, "document": "original ID card", "confirmed": "on"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.IN_PERSON_VERIFIED
    event = AuditEvent.objects.get(action="identity.person_verified_in_person")
    assert event.actor_id == clerk.account.pk


def test_verification_needs_the_confirmation_box(client: Client, login_staff: Login) -> None:
    clerk = StaffRoleFactory(clerk=True)
    person = PersonFactory()
    login_staff(client, clerk.account)
    response = client.post("/en/backoffice/people/verify/", {"person_id": person.pk, "document": "ID card"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.SELF_REGISTERED


def test_officer_is_not_a_clerk(client: Client, login_staff: Login) -> None:
    login_staff(client, StaffRoleFactory().account)
    assert client.get("/en/backoffice/people/verify/").status_code == 403


def test_audit_trail_for_city_operators_only_and_masked(client: Client, login_staff: Login) -> None:
    officer = StaffRoleFactory()
    login_staff(client, officer.account)
    assert client.get("/en/backoffice/audit/").status_code == 403

    operator = StaffRoleFactory(city_operator=True)
    operator_client = Client()
    login_staff(operator_client, operator.account)
    Client().post("/en/login/", {"username": "310104198501011234", "password": "x"})
    with CaptureQueriesContext(connection) as queries:
        html = operator_client.get("/en/backoffice/audit/").content.decode()
    assert "identity.login_failed" in html
    assert "310104198501011234" not in html and "1234" in html
    assert len(queries) <= 10


def test_chinese_back_office(client: Client, login_staff: Login) -> None:
    login_staff(client, StaffRoleFactory().account)
    html = client.get("/zh/backoffice/").content.decode()
    assert '<html lang="zh-Hans">' in html and "工作台" in html


def test_clerk_opens_the_account_of_a_recorded_person(
    client: Client, login_staff: Login, django_capture_on_commit_callbacks
) -> None:
    recorded = person_record(
        id_type="passport",
        id_number="ZX9876543",
        nationality="FR",
        name="",
        latin_name="DURAND Claire",
        actor=Actor.system("tests"),
    )
    refused = Client().post(
        "/en/register/",
        {
            "id_type": "passport",
            "id_number": "ZX9876543",
            "nationality": "FR",
            "latin_name": "DURAND Claire",
            "username": "claire",
            "email": "c@example.org",
            "password": "A-Long-Password-2026",
            "password_again": "A-Long-Password-2026",
        },
    )
    assert "open your account at any service-centre window" in refused.content.decode()
    clerk = StaffRoleFactory(clerk=True)
    login_staff(client, clerk.account)
    page = client.get("/en/backoffice/people/verify/", {"id_number": "ZX9876543", "nationality": "FR"}).content.decode()
    assert "has no account yet" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/backoffice/people/verify/",
            {
                "person_id": recorded.pk,
                "document": "original passport",
                "confirmed": "on",
                "username": "claire.durand",
                "email": "claire@example.fr",
            },
        )
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.account is not None and recorded.account.username == "claire.durand"
    assert recorded.verification_level == VerificationLevel.IN_PERSON_VERIFIED
    assert len(mail.outbox) == 1 and "/password-reset/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="identity.account_opened_at_window").exists()
