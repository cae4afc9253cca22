"""Resetting a staff member's lost second factor: who may, what it changes, what is recorded, and
that only the staff member — through the e-mailed link to a new password — enrols the next
authenticator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.backoffice.test_staff_accounts import choose_password_and_enrol, link_in
from tests.factories import PASSWORD, AgencyFactory, StaffRoleFactory
from tests.querycount import assert_queries_flat
from tongban.audit.models import AuditEvent
from tongban.core.actors import Actor
from tongban.core.errors import PermissionDeniedError
from tongban.identity.models import Account, StaffRole
from tongban.identity.services import staff_totp_reset

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]
Capture = Callable[..., Any]


def reset_url(agency_code: str, account: Account) -> str:
    return f"/en/backoffice/agencies/{agency_code}/staff/{account.pk}/totp-reset/"


def with_device(role: StaffRole) -> TOTPDevice:
    return TOTPDevice.objects.create(user=role.account, name="phone", confirmed=True)


def resets() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="identity.totp_reset"))


def test_agency_admin_resets_an_officer_who_must_enrol_again(
    client: Client, login_staff: Login, django_capture_on_commit_callbacks: Capture
) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    officer = StaffRoleFactory(agency=admin.agency, account__preferred_language="en")
    with_device(officer)
    TOTPDevice.objects.create(user=officer.account, name="half-enrolled", confirmed=False)
    officer_client = Client()
    login_staff(officer_client, officer.account)  # a session still open somewhere (the lost phone's?)
    assert officer_client.get("/en/backoffice/").status_code == 200

    login_staff(client, admin.account)
    page = client.get(f"/en/backoffice/agencies/{admin.agency.code}/").content.decode()
    assert reset_url(admin.agency.code, officer.account) in page
    assert reset_url(admin.agency.code, admin.account) not in page  # no form for oneself
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url(admin.agency.code, officer.account), {"reason": "Phone lost; called back"})
    assert response.status_code == 302 and response["Location"] == f"/en/backoffice/agencies/{admin.agency.code}/"
    assert "two-step login of" in client.get(response["Location"]).content.decode()

    assert not TOTPDevice.objects.filter(user=officer.account).exists()  # confirmed and unconfirmed
    [event] = resets()
    assert event.object_type == "account" and event.object_id == str(officer.account.pk)
    assert event.actor_id == admin.account.pk
    assert event.data == {"reason": "Phone lost; called back", "devices": 2, "confirmed": 1, "password_replaced": True}

    # Every open session of the account ended (the password changed), the back office first of all.
    assert officer_client.get("/en/backoffice/").status_code == 302
    assert "_auth_user_id" not in officer_client.session

    # Whoever knows the old password cannot log in and enrol their own authenticator.
    stranger = Client()
    response = stranger.post("/en/login/", {"username": officer.account.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in stranger.session
    assert not TOTPDevice.objects.filter(user=officer.account).exists()

    # The staff member follows the e-mailed link: a new password, then a new authenticator.
    [message] = mail.outbox
    assert message.to == [officer.account.email] and "your password was replaced" in message.body
    choose_password_and_enrol(link_in(message.body))
    assert TOTPDevice.objects.get(user=officer.account).confirmed


def test_the_reset_page_works_alone_and_missing_reason_changes_nothing(client: Client, login_staff: Login) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    officer = StaffRoleFactory(agency=admin.agency)
    device = with_device(officer)
    login_staff(client, admin.account)
    url = reset_url(admin.agency.code, officer.account)
    page = client.get(url)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    for reason in ("", "   "):
        response = client.post(url, {"reason": reason})
        html = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in html and "This field is required." in html
        assert 'aria-invalid="true"' in html
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert resets() == []
    chinese = client.get(f"/zh/backoffice/agencies/{admin.agency.code}/staff/{officer.account.pk}/totp-reset/")
    assert "重置两步验证登录" in chinese.content.decode() and "重置理由" in chinese.content.decode()


def test_agency_admin_cannot_reset_staff_of_another_agency(client: Client, login_staff: Login) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    stranger = StaffRoleFactory()  # an officer of another agency
    device = with_device(stranger)
    login_staff(client, admin.account)
    # Through the other agency: no administrator role there.
    assert client.post(reset_url(stranger.agency.code, stranger.account), {"reason": "x"}).status_code == 403
    # Through their own agency: the account is not on its staff.
    assert client.post(reset_url(admin.agency.code, stranger.account), {"reason": "x"}).status_code == 404
    assert client.get(reset_url(admin.agency.code, stranger.account)).status_code == 404
    # Unknown agency or account.
    assert client.post(reset_url("no-such-agency", stranger.account), {"reason": "x"}).status_code == 404
    assert client.post(f"/en/backoffice/agencies/{admin.agency.code}/staff/999999/totp-reset/").status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert resets() == []


def test_agency_admin_cannot_reset_staff_whose_roles_reach_beyond_the_agency(
    client: Client, login_staff: Login
) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    shared = StaffRoleFactory(agency=admin.agency)  # an officer here ...
    StaffRoleFactory(account=shared.account, agency=AgencyFactory())  # ... and in another agency
    operator = StaffRoleFactory(city_operator=True)
    StaffRoleFactory(account=operator.account, agency=admin.agency, supervisor=True)  # a city operator too
    devices = [with_device(shared), with_device(operator)]
    login_staff(client, admin.account)
    for account in (shared.account, operator.account):
        response = client.post(reset_url(admin.agency.code, account), {"reason": "Phone lost"}, follow=True)
        assert "You may not reset the two-step login of this account." in response.content.decode()
    assert TOTPDevice.objects.filter(pk__in=[d.pk for d in devices]).count() == 2
    assert resets() == []


def test_nobody_resets_their_own_second_factor(client: Client, login_staff: Login, system_actor: Actor) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    login_staff(client, admin.account)
    response = client.post(reset_url(admin.agency.code, admin.account), {"reason": "new phone"}, follow=True)
    assert response.status_code == 200
    assert "You cannot reset your own two-step login" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin.account, confirmed=True).exists()
    operator = StaffRoleFactory(city_operator=True)
    with_device(operator)
    with pytest.raises(PermissionDeniedError):
        staff_totp_reset(account=operator.account, reset_by=operator.account, reason="new phone", actor=system_actor)
    assert TOTPDevice.objects.filter(user=operator.account).exists()
    assert resets() == []


@pytest.mark.parametrize("kind", ["officer", "supervisor", "clerk"])
def test_officers_supervisors_and_clerks_reset_nobody(
    client: Client, login_staff: Login, system_actor: Actor, kind: str
) -> None:
    agency = AgencyFactory()
    traits = {"officer": {}, "supervisor": {"supervisor": True}, "clerk": {"clerk": True}}[kind]
    me = StaffRoleFactory(**traits) if kind == "clerk" else StaffRoleFactory(agency=agency, **traits)
    colleague = StaffRoleFactory(agency=agency)
    elsewhere = StaffRoleFactory()
    device = with_device(colleague)
    login_staff(client, me.account)
    if kind != "clerk":
        assert "Reset two-step login" not in client.get(f"/en/backoffice/agencies/{agency.code}/").content.decode()
    for url in (
        reset_url(agency.code, colleague.account),
        reset_url(agency.code, me.account),
        reset_url(elsewhere.agency.code, elsewhere.account),
        reset_url(elsewhere.agency.code, colleague.account),
    ):
        assert client.post(url, {"reason": "Phone lost"}).status_code == 403, url
        assert client.get(url).status_code == 403, url
    with pytest.raises(PermissionDeniedError):
        staff_totp_reset(account=colleague.account, reset_by=me.account, reason="Phone lost", actor=system_actor)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert resets() == []


def test_city_operator_resets_anyone(client: Client, login_staff: Login, system_actor: Actor) -> None:
    operator = StaffRoleFactory(city_operator=True)
    officer, admin = StaffRoleFactory(), StaffRoleFactory(agency_admin=True)
    clerk, other_operator = StaffRoleFactory(clerk=True), StaffRoleFactory(city_operator=True)
    for role in (officer, admin, clerk, other_operator):
        with_device(role)
    login_staff(client, operator.account)
    for role in (officer, admin):
        response = client.post(reset_url(role.agency.code, role.account), {"reason": "Phone stolen"})
        assert response.status_code == 302
    # Clerks and city operators are listed on no agency page: the service serves them.
    for role in (clerk, other_operator):
        assert (
            staff_totp_reset(account=role.account, reset_by=operator.account, reason="Phone broke", actor=system_actor)
            == 1
        )
    assert not TOTPDevice.objects.filter(user__in=[r.account for r in (officer, admin, clerk, other_operator)]).exists()
    assert TOTPDevice.objects.filter(user=operator.account).exists()
    assert sorted(e.data["reason"] for e in resets()) == ["Phone broke"] * 2 + ["Phone stolen"] * 2


def test_an_account_without_a_staff_role_is_not_reset(system_actor: Actor) -> None:
    operator = StaffRoleFactory(city_operator=True)
    former = StaffRoleFactory()
    with_device(former)
    StaffRole.objects.filter(pk=former.pk).update(revoked_at=former.granted_at)
    with pytest.raises(PermissionDeniedError):
        staff_totp_reset(account=former.account, reset_by=operator.account, reason="left", actor=system_actor)
    assert TOTPDevice.objects.filter(user=former.account).exists()


def test_the_staff_list_query_count_does_not_grow_with_the_reset_forms(client: Client, login_staff: Login) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    login_staff(client, admin.account)
    url = f"/en/backoffice/agencies/{admin.agency.code}/"
    StaffRoleFactory.create_batch(3, agency=admin.agency)
    flat = assert_queries_flat(client, url, lambda: StaffRoleFactory.create_batch(10, agency=admin.agency))
    html = flat.many.content.decode()
    assert html.count("/totp-reset/") == 13
