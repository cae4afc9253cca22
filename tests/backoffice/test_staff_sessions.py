"""Staff sessions: ended after STAFF_IDLE_MINUTES without use (the last use written at most once a
minute), and a fresh TOTP code (within REAUTH_MINUTES) before sensitive actions — role grants and
revocations, second-factor resets, certificate revocation, data-exchange grant decisions."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tests.conftest import current_totp
from tests.factories import StaffRoleFactory
from tongban.audit.models import AuditEvent
from tongban.identity.models import Account
from tongban.identity.staff_sessions import LAST_SEEN_KEY, REAUTH_KEY

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def _age(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_staff_session_ends_at_its_next_request(client: Client, login_staff: Login) -> None:
    role = StaffRoleFactory()
    login_staff(client, role.account)
    assert client.get("/en/backoffice/").status_code == 200
    _age(client, LAST_SEEN_KEY, 31 * 60)
    response = client.get("/en/backoffice/cases/")
    assert response.status_code == 302 and response["Location"] == "/en/login/?next=/en/backoffice/cases/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Your back-office session ended after 30 minutes without activity" in page
    assert AuditEvent.objects.filter(action="identity.session_idle_ended", actor_id=role.account_id).count() == 1


def test_a_staff_session_in_use_stays_and_writes_its_last_use_once_a_minute(client: Client, login_staff: Login) -> None:
    role = StaffRoleFactory()
    with freeze_time("2026-12-01 09:00:00", tick=False) as clock:
        login_staff(client, role.account)
        for _ in range(3):
            clock.tick(25 * 60)  # each request within the idle time
            assert client.get("/en/backoffice/").status_code == 200
        seen = client.session[LAST_SEEN_KEY]
        clock.tick(20)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/backoffice/").status_code == 200
        assert client.session[LAST_SEEN_KEY] == seen, "not rewritten within the minute"
        assert not any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in queries.captured_queries)
        clock.tick(61)
        client.get("/en/backoffice/")
        assert client.session[LAST_SEEN_KEY] > seen


def test_a_resident_session_has_no_idle_timeout(client: Client, login_person: Login, person) -> None:
    login_person(client, person.account)
    _age(client, LAST_SEEN_KEY, 10 * 3600)
    assert client.get("/en/my/").status_code == 200


def _admin_and_officer(client: Client, login_staff: Login) -> tuple[object, object, TOTPDevice]:
    admin = StaffRoleFactory(agency_admin=True)
    officer = StaffRoleFactory(agency=admin.agency)
    login_staff(client, admin.account)
    device = TOTPDevice.objects.get(user=admin.account, confirmed=True)
    return admin, officer, device


def test_a_sensitive_page_asks_for_a_fresh_code_and_then_returns(client: Client, login_staff: Login) -> None:
    admin, officer, device = _admin_and_officer(client, login_staff)
    url = f"/en/backoffice/agencies/{admin.agency.code}/staff/{officer.account.pk}/totp-reset/"
    assert client.get(url).status_code == 200  # the login's code is fresh
    _age(client, REAUTH_KEY, 11 * 60)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/en/backoffice/reauth/?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Confirm it is you" in page.content.decode()
    wrong = client.post(response["Location"], {"token": "000000", "next": url})
    assert wrong.status_code == 200 and "That code is wrong" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, last_t=-1)
    done = client.post(response["Location"], {"token": current_totp(device), "next": url})
    assert done.status_code == 302 and done["Location"] == url
    assert client.get(url).status_code == 200
    purposes = AuditEvent.objects.filter(actor_id=admin.account_id, data__purpose="reauth")
    assert set(purposes.values_list("action", flat=True)) == {"identity.totp_failed", "identity.totp_verified"}


def test_a_sensitive_post_without_a_fresh_code_changes_nothing(client: Client, login_staff: Login) -> None:
    admin, officer, _device = _admin_and_officer(client, login_staff)
    _age(client, REAUTH_KEY, 11 * 60)
    agency_page = f"/en/backoffice/agencies/{admin.agency.code}/"
    response = client.post(
        f"/en/backoffice/agencies/{admin.agency.code}/roles/{officer.pk}/revoke/",
        HTTP_REFERER=f"http://testserver{agency_page}",
    )
    assert response.status_code == 302
    assert response["Location"].startswith(
        "/en/backoffice/reauth/?next=http%3A%2F%2Ftestserver%2Fen%2Fbackoffice%2Fagencies"
    )
    officer.refresh_from_db()
    assert officer.revoked_at is None
    # Granting a role on the agency page needs it too; reading the page does not.
    assert client.get(agency_page).status_code == 200
    assert client.post(agency_page, {"username": "x", "role": "officer"})["Location"].startswith(
        "/en/backoffice/reauth/"
    )


@pytest.mark.parametrize(
    "path",
    ["certificates/TB-NOPE/revoke/", "exchange/grants/1/decide/", "exchange/grants/1/revoke/", "agencies/x/staff/new/"],
)
def test_every_sensitive_action_needs_a_fresh_code(client: Client, login_staff: Login, path: str) -> None:
    role = StaffRoleFactory(city_operator=True)
    login_staff(client, role.account)
    _age(client, REAUTH_KEY, 11 * 60)
    response = client.post(f"/en/backoffice/{path}")
    assert response.status_code == 302 and response["Location"].startswith("/en/backoffice/reauth/")
