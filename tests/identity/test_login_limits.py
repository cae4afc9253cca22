"""Login limits (identity.login_limits, ADR 0025): an attacker's wrong passwords slow only the
attacker's client; an account under attack asks a new device for an e-mailed code, never locks the
owner out; spraying user names is cut per client and per network; registration, password reset
and TOTP codes are limited; everything that starts a refusal or a challenge is audited.

The test client is 127.0.0.1 for everyone and tests/settings.py raises every limit; these tests
restore the real limits and give each client its own address."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from tests.conftest import current_totp
from tests.factories import PASSWORD, PersonFactory, StaffRoleFactory
from tongban.audit.models import AuditEvent
from tongban.conf.limits import DEFAULT_RATE_LIMITS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _real_limits() -> Iterator[None]:
    with override_settings(RATE_LIMITS=DEFAULT_RATE_LIMITS):
        yield


def at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def post_login(client: Client, username: str, password: str) -> Any:
    return client.post("/en/login/", {"username": username, "password": password})


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def code_from_mail() -> str:
    match = re.search(r"^(\d{6})$", mail.outbox[-1].body, re.MULTILINE)
    assert match is not None, mail.outbox[-1].body
    return match.group(1)


def test_fifty_wrong_passwords_from_one_client_do_not_stop_the_owner(django_capture_on_commit_callbacks) -> None:
    """The attacker at A tries 50 passwords; the owner logs in from B: straight in from the device
    they used before, and after the e-mailed code from a new one."""
    person = PersonFactory()
    owner_phone = at("198.51.100.20")
    assert post_login(owner_phone, person.account.username, PASSWORD).status_code == 302  # known device from now on
    owner_phone.post("/en/logout/")
    attacker = at("203.0.113.66")
    statuses = [post_login(attacker, person.account.username, f"guess-{n}").status_code for n in range(50)]
    assert statuses[:4] == [200] * 4 and set(statuses[4:]) == {429}
    assert not logged_in(attacker)
    # The attacker, even with the right password, is still made to wait at A.
    assert post_login(attacker, person.account.username, PASSWORD).status_code == 429

    # The owner's phone (it has the known-device cookie) goes straight in.
    response = post_login(owner_phone, person.account.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/en/my/" and logged_in(owner_phone)

    # A new laptop: the right password, then the code e-mailed to the account.
    laptop = at("192.0.2.30")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_login(laptop, person.account.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/en/login/code/"
    assert not logged_in(laptop)
    assert mail.outbox[-1].to == [person.account.email]
    page = laptop.get("/en/login/code/").content.decode()
    assert "Enter the code we e-mailed you" in page
    wrong = laptop.post("/en/login/code/", {"code": "000000" if code_from_mail() != "000000" else "111111"})
    assert wrong.status_code == 200 and "That code is wrong" in wrong.content.decode()
    response = laptop.post("/en/login/code/", {"code": code_from_mail()})
    assert response.status_code == 302 and response["Location"] == "/en/my/" and logged_in(laptop)
    # Single use: the code cannot be given again.
    assert at("192.0.2.31").post("/en/login/code/", {"code": code_from_mail()})["Location"] == "/en/login/"

    actions = set(AuditEvent.objects.filter(object_id=str(person.account.pk)).values_list("action", flat=True))
    assert {
        "identity.login_delayed",
        "identity.account_under_attack",
        "identity.login_code_sent",
        "identity.login_code_failed",
        "identity.login_code_passed",
        "identity.login_succeeded",
    } <= actions


def test_delays_per_client_double_and_say_how_long() -> None:
    person = PersonFactory()
    attacker = at("203.0.113.66")
    with freeze_time("2026-12-01 09:00:00") as clock:
        for _ in range(4):
            assert post_login(attacker, person.account.username, "wrong").status_code == 200
        fifth = post_login(attacker, person.account.username, "wrong")
        assert fifth.status_code == 429 and fifth["Retry-After"] == "60"
        html = fifth.content.decode()
        assert "The user name or password is wrong." in html and "wait 1 minute before trying again" in html
        refused = post_login(attacker, person.account.username, PASSWORD)  # not even tried
        assert refused.status_code == 429 and refused["Retry-After"] == "60"
        clock.tick(61)
        sixth = post_login(attacker, person.account.username, "wrong")
        assert sixth.status_code == 429 and sixth["Retry-After"] == "120"
        clock.tick(121)
        assert post_login(attacker, person.account.username, "wrong")["Retry-After"] == "240"
        clock.tick(241)
        assert post_login(attacker, person.account.username, "wrong")["Retry-After"] == "480"
        clock.tick(481)
        assert post_login(attacker, person.account.username, "wrong")["Retry-After"] == "900"  # at most 15 minutes
        clock.tick(901)
        assert post_login(attacker, person.account.username, "wrong")["Retry-After"] == "900"
        clock.tick(901)
        # After waiting, the right password works (and the delay is forgotten for this client).
        assert post_login(attacker, person.account.username, PASSWORD).status_code in (302,)


def test_the_delay_message_is_bilingual() -> None:
    person = PersonFactory()
    attacker = at("203.0.113.66")
    for _ in range(5):
        attacker.post("/zh/login/", {"username": person.account.username, "password": "wrong"})
    response = attacker.post("/zh/login/", {"username": person.account.username, "password": "wrong"})
    assert response.status_code == 429 and "1 分钟" in response.content.decode()


def test_delays_are_per_user_name() -> None:
    """The intent of the former "lock-out is per user name" test: one name's failures do not
    touch another's login from the same client."""
    victim, other = PersonFactory(), PersonFactory()
    client = at("203.0.113.66")
    for _ in range(5):
        post_login(client, victim.account.username, "wrong")
    assert post_login(client, other.account.username, PASSWORD).status_code == 302


def test_an_account_without_e_mail_under_attack_is_told_what_to_do() -> None:
    person = PersonFactory(account__email="")
    attacker = at("203.0.113.66")
    for n in range(11):
        post_login(at(f"203.0.113.{n + 1}"), person.account.username, "wrong")
    response = post_login(at("192.0.2.30"), person.account.username, PASSWORD)
    html = response.content.decode()
    assert response.status_code == 403 and "has no e-mail address" in html and "service centre" in html
    assert not mail.outbox
    assert AuditEvent.objects.filter(action="identity.login_code_unavailable").exists()
    assert not logged_in(attacker)


def test_a_staff_member_under_attack_gives_the_code_then_the_totp(
    django_capture_on_commit_callbacks,
) -> None:
    role = StaffRoleFactory()
    device = TOTPDevice.objects.create(user=role.account, name="app", confirmed=True)
    for n in range(11):
        post_login(at(f"203.0.113.{n + 1}"), role.account.username, "wrong")
    office = at("192.0.2.40")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_login(office, role.account.username, PASSWORD)["Location"] == "/en/login/code/"
    assert office.post("/en/login/code/", {"code": code_from_mail()})["Location"] == "/en/login/verify/"
    assert not logged_in(office)
    response = office.post("/en/login/verify/", {"token": current_totp(device)})
    assert response.status_code == 302 and logged_in(office)
    # The office PC is now a known device: next time no code.
    office.post("/en/logout/")
    assert post_login(office, role.account.username, PASSWORD)["Location"] == "/en/login/verify/"


def test_spraying_forty_user_names_is_cut_after_ten() -> None:
    people = [PersonFactory() for _ in range(3)]
    names = [person.account.username for person in people] + [f"nobody{n}" for n in range(37)]
    sprayer = at("203.0.113.66")
    statuses = [post_login(sprayer, name, "Winter2026!").status_code for name in names]
    assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}
    refused = post_login(sprayer, people[0].account.username, PASSWORD)
    assert refused.status_code == 429 and 15 * 60 - 30 <= int(refused["Retry-After"]) <= 15 * 60
    assert "for several user names" in refused.content.decode()
    tried = AuditEvent.objects.filter(action="identity.login_failed", ip="203.0.113.66").count()
    assert tried == 10, "the 11th name's password was never checked"
    assert AuditEvent.objects.filter(action="identity.login_client_blocked", ip="203.0.113.66").count() == 1
    # Another client, in another network, logs in as usual.
    assert post_login(at("198.51.100.7"), people[0].account.username, PASSWORD).status_code == 302


@override_settings(RATE_LIMITS={**DEFAULT_RATE_LIMITS, "login.network": (20, 600)})
def test_a_network_that_fails_too_often_is_refused() -> None:
    person = PersonFactory()
    # Many addresses of one /24, each staying under the per-client limits.
    for n in range(21):
        post_login(at(f"203.0.113.{n + 1}"), f"nobody{n}", "wrong")
    assert post_login(at("203.0.113.200"), person.account.username, PASSWORD).status_code == 429
    assert post_login(at("203.0.114.1"), person.account.username, PASSWORD).status_code == 302  # the next /24
    assert AuditEvent.objects.filter(action="identity.login_network_blocked").count() == 1


@override_settings(RATE_LIMITS={**DEFAULT_RATE_LIMITS, "register.client": (2, 3600)})
def test_registration_is_limited_per_client() -> None:
    client = at("203.0.113.66")
    statuses = [client.post("/en/register/", {"username": f"x{n}"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.post("/en/register/", {"username": "x9"})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert at("198.51.100.7").post("/en/register/", {"username": "y"}).status_code == 200
    assert AuditEvent.objects.filter(action="identity.rate_limited", data__limit="register.client").count() == 1


def test_password_reset_is_limited_per_address_without_saying_so(django_capture_on_commit_callbacks) -> None:
    person = PersonFactory()
    answers = []
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(at(f"203.0.113.{n + 1}").post("/en/password-reset/", {"email": person.account.email}))
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, "/en/password-reset/sent/")}
    assert len(mail.outbox) == 3  # password_reset.email: 3 an hour


@override_settings(RATE_LIMITS={**DEFAULT_RATE_LIMITS, "password_reset.client": (2, 3600)})
def test_password_reset_is_limited_per_client() -> None:
    client = at("203.0.113.66")
    statuses = [client.post("/en/password-reset/", {"email": f"n{n}@example.org"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]


def test_totp_codes_are_limited_per_account_across_clients() -> None:
    role = StaffRoleFactory()
    device = TOTPDevice.objects.create(user=role.account, name="app", confirmed=True)
    statuses = []
    for n in range(11):
        client = at(f"198.51.100.{n + 1}")
        assert post_login(client, role.account.username, PASSWORD)["Location"] == "/en/login/verify/"
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # past django-otp's own delay
        statuses.append(client.post("/en/login/verify/", {"token": "000000"}).status_code)
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


@override_settings(RATE_LIMITS={**DEFAULT_RATE_LIMITS, "totp.client": (3, 900)})
def test_totp_codes_are_limited_per_client() -> None:
    client = at("203.0.113.66")
    roles = [StaffRoleFactory() for _ in range(4)]
    statuses = []
    for role in roles:
        TOTPDevice.objects.create(user=role.account, name="app", confirmed=True)
        post_login(client, role.account.username, PASSWORD)
        statuses.append(client.post("/en/login/verify/", {"token": "000000"}).status_code)
    assert statuses == [200, 200, 200, 429]


def test_the_failed_login_audit_is_kept(login_person: Callable[[Client, Any], None]) -> None:
    person = PersonFactory()
    post_login(at("203.0.113.66"), person.account.username, "wrong")
    event = AuditEvent.objects.get(action="identity.login_failed")
    assert event.object_id == str(person.account.pk) and event.ip == "203.0.113.66"
