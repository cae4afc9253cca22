"""Login: Argon2, waits after repeated failures (not lock-outs), TOTP for staff, password reset, sessions."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import current_totp
from tests.factories import PASSWORD, AccountFactory, PersonFactory, StaffRoleFactory
from tongban.audit.models import AuditEvent
from tongban.conf.limits import DEFAULT_RATE_LIMITS
from tongban.identity.models import Account

pytestmark = pytest.mark.django_db


def post_login(client: Client, username: str, password: str) -> Any:
    return client.post("/en/login/", {"username": username, "password": password})


def test_person_logs_in_and_session_key_rotates(client: Client) -> None:
    person = PersonFactory()
    client.get("/en/login/")
    client.session.save()
    before = client.session.session_key
    response = post_login(client, person.account.username.upper(), PASSWORD)  # user names are case-insensitive
    assert response.status_code == 302 and response["Location"] == "/en/my/"
    assert client.session.session_key != before
    event = AuditEvent.objects.get(action="identity.login_succeeded")
    assert event.actor_id == person.account.pk and event.ip == "127.0.0.1"


def test_wrong_password_is_refused_and_audited(client: Client) -> None:
    person = PersonFactory()
    response = post_login(client, person.account.username, "wrong password")
    assert response.status_code == 200
    assert "The user name or password is wrong." in response.content.decode()
    event = AuditEvent.objects.get(action="identity.login_failed")
    assert event.object_id == str(person.account.pk)


def test_unknown_user_name_is_masked_in_the_audit_trail(client: Client) -> None:
    post_login(client, "MySecretPassword2026", "x")
    event = AuditEvent.objects.get(action="identity.login_failed")
    assert event.actor_label.endswith("2026") and "MySecret" not in event.actor_label


@override_settings(RATE_LIMITS=DEFAULT_RATE_LIMITS)
def test_repeated_failures_make_that_client_wait_not_the_owner() -> None:
    """Was: five failures lock the user name for 15 minutes from anywhere (django-axes). Now the
    client that failed must wait (429, saying how long, with Retry-After) and nobody else is
    locked out (ADR 0025; more in test_login_limits.py)."""
    person = PersonFactory()
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(5):
        post_login(attacker, person.account.username, "wrong password")
    response = post_login(attacker, person.account.username, PASSWORD)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "wait 1 minute before trying again" in response.content.decode()
    assert "_auth_user_id" not in attacker.session
    assert AuditEvent.objects.filter(action="identity.login_delayed", object_id=str(person.account.pk)).exists()
    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert post_login(owner, person.account.username, PASSWORD).status_code == 302


@override_settings(RATE_LIMITS=DEFAULT_RATE_LIMITS)
def test_delay_is_per_user_name(client: Client) -> None:
    victim, other = PersonFactory(), PersonFactory()
    for _ in range(5):
        post_login(client, victim.account.username, "wrong password")
    assert post_login(client, other.account.username, PASSWORD).status_code == 302


def test_staff_password_alone_does_not_log_in(client: Client) -> None:
    role = StaffRoleFactory()
    TOTPDevice.objects.create(user=role.account, name="app", confirmed=True)
    response = post_login(client, role.account.username, PASSWORD)
    assert response["Location"] == "/en/login/verify/"
    assert "_auth_user_id" not in client.session
    assert client.get("/en/backoffice/").status_code == 302  # still anonymous


def test_staff_wrong_totp_is_refused(client: Client) -> None:
    role = StaffRoleFactory()
    TOTPDevice.objects.create(user=role.account, name="app", confirmed=True)
    post_login(client, role.account.username, PASSWORD)
    response = client.post("/en/login/verify/", {"token": "000000"})
    assert response.status_code == 200 and "That code is wrong" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # a wrong second factor is in the trail, as a wrong password is
    failed = AuditEvent.objects.filter(action="identity.totp_failed", object_id=str(role.account_id))
    assert failed.count() == 1


def test_staff_with_totp_reaches_the_back_office(
    client: Client, login_staff: Callable[[Client, Account], None]
) -> None:
    role = StaffRoleFactory()
    login_staff(client, role.account)
    assert client.get("/en/backoffice/").status_code == 200
    trail = AuditEvent.objects.filter(object_type="account", object_id=str(role.account_id)).order_by("id")
    assert list(trail.values_list("action", flat=True))[-2:] == ["identity.totp_verified", "identity.login_succeeded"]


def test_staff_without_a_device_must_enrol_first(client: Client) -> None:
    role = StaffRoleFactory()
    response = post_login(client, role.account.username, PASSWORD)
    assert response["Location"] == "/en/login/authenticator/"
    page = client.get("/en/login/authenticator/")
    assert "<svg" in page.content.decode()  # the QR code, rendered on the server
    device = TOTPDevice.objects.get(user=role.account, confirmed=False)
    assert client.post("/en/login/authenticator/", {"token": "000000"}).status_code == 200
    # django-otp throttles after a wrong code: the right one is refused until the delay passes.
    throttled = client.post("/en/login/authenticator/", {"token": current_totp(device)})
    assert "Too many wrong codes" in throttled.content.decode()
    time.sleep(1.1)
    response = client.post("/en/login/authenticator/", {"token": current_totp(device)})
    assert response.status_code == 302 and response["Location"] == "/en/backoffice/"
    assert TOTPDevice.objects.get(user=role.account).confirmed
    assert AuditEvent.objects.filter(action="identity.totp_enrolled").exists()


def test_a_person_session_cannot_open_the_back_office(
    client: Client, login_person: Callable[[Client, Account], None]
) -> None:
    person = PersonFactory()
    login_person(client, person.account)
    assert client.get("/en/backoffice/").status_code == 302


def test_staff_role_revoked_loses_back_office_at_once(
    client: Client, login_staff: Callable[[Client, Account], None]
) -> None:
    role = StaffRoleFactory()
    login_staff(client, role.account)
    role.revoked_at = role.granted_at
    role.save()
    assert client.get("/en/backoffice/").status_code == 403


def test_password_reset_by_email(client: Client, django_capture_on_commit_callbacks) -> None:
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/en/password-reset/", {"email": person.account.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 0  # nothing is sent before the request's transaction commits
    for callback in callbacks:
        callback()  # enqueues the task; the immediate backend in tests runs it at once
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/en/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    new_password = "A-Fresh-Password-2026"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    account = Account.objects.get(pk=person.account.pk)
    assert account.check_password(new_password)
    assert AuditEvent.objects.filter(action="identity.password_reset", object_id=str(account.pk)).exists()


def test_password_reset_does_not_reveal_unknown_addresses(client: Client) -> None:
    AccountFactory()
    response = client.post("/en/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and len(mail.outbox) == 0


def test_logout_requires_post_and_is_audited(client: Client, login_person: Callable[[Client, Account], None]) -> None:
    person = PersonFactory()
    login_person(client, person.account)
    assert client.get("/en/logout/").status_code == 405
    assert client.post("/en/logout/").status_code == 302
    assert AuditEvent.objects.filter(action="identity.logout").exists()


def test_register_page_opens_an_account(client: Client) -> None:
    response = client.post(
        "/en/register/",
        {
            "id_type": "passport",
            "id_number": "K1234567",
            "nationality": "GB",
            "name": "",
            "latin_name": "SMITH John",
            "username": "john.smith",
            "email": "john@example.org",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/en/my/"
    my = client.get("/en/my/").content.decode()
    assert "SMITH John" in my and "****4567" in my and "K1234567" not in my
    assert "Self-registered" in my


def test_register_with_bad_id_number_keeps_the_rest(client: Client) -> None:
    response = client.post(
        "/en/register/",
        {
            "id_type": "resident_id",
            "id_number": "310104199003071230",
            "name": "王五",
            "username": "wang.wu",
            "email": "w@example.org",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "check character is wrong" in html
    assert 'value="wang.wu"' in html and 'value="王五"' in html
