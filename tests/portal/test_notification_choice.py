"""How we reach you (My space): a person chooses e-mail and SMS besides the inbox; the choice is
audited, refused for a channel without an address (nothing else lost), in both languages, and the
next notice follows it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import PersonFactory, StaffRoleFactory
from tongban.audit.models import AuditEvent
from tongban.identity.models import Account
from tongban.notifications.models import Delivery, Preference
from tongban.notifications.services import message_send

pytestmark = pytest.mark.django_db
URL = "/en/my/notifications/"


def test_a_person_turns_sms_on_and_e_mail_off(client: Client, login_person: Callable[[Client, Account], None]) -> None:
    person = PersonFactory(account__phone="13800138000")
    account = person.account
    login_person(client, account)
    page = client.get(URL).content.decode()
    assert "How we reach you" in page and account.email in page  # e-mail is on by default
    assert 'name="email"' in page and "checked" in page.split('name="email"')[1][:120]

    response = client.post(URL, {"sms": "on"})
    assert response.status_code == 302
    preference = Preference.objects.get(account=account)
    assert (preference.email, preference.sms) == (False, True)
    event = AuditEvent.objects.get(action="notifications.preference_set")
    assert event.data == {"email": False, "sms": True} and event.object_id == str(account.pk)

    message = message_send(recipient=account, render=lambda: ("Subject", "Body"), now=timezone.now())
    assert [(d.channel, d.address) for d in Delivery.objects.filter(message=message)] == [("sms", "13800138000")]


def test_sms_without_a_phone_number_is_refused_with_the_reason(
    client: Client, login_person: Callable[[Client, Account], None]
) -> None:
    person = PersonFactory(account__phone="")
    login_person(client, person.account)
    response = client.post(URL, {"email": "on", "sms": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Add a mobile phone number to your contact details first." in page
    assert "checked" in page.split('name="email"')[1][:120]  # the typed choice is kept
    assert not Preference.objects.exists()

    zh = client.post("/zh/my/notifications/", {"sms": "on"}).content.decode()
    assert "请先在联系方式中填写手机号码。" in zh and "通知方式" in zh


def test_only_signed_in_persons_choose(client: Client, login_staff: Callable[[Client, Account], None]) -> None:
    assert client.get(URL).status_code == 302  # to the login page
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    assert client.get(URL).status_code in (302, 403, 404)
