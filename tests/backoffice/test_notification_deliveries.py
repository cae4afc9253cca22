"""City operators see every notice's e-mail and SMS copies: status, attempts, the last error,
addresses masked; other staff are refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import AccountFactory, StaffRoleFactory
from tests.querycount import assert_queries_flat
from tongban.identity.models import Account
from tongban.notifications.models import Delivery, DeliveryStatus
from tongban.notifications.services import message_send

pytestmark = pytest.mark.django_db
URL = "/en/backoffice/notifications/"


def _notice(email: str) -> Delivery:
    account = AccountFactory(email=email)
    message = message_send(recipient=account, render=lambda: ("Subject", "Body"), now=timezone.now())
    return Delivery.objects.get(message=message)


def test_operators_see_failed_copies_with_their_error(
    client: Client, login_staff: Callable[[Client, Account], None]
) -> None:
    failed = _notice("someone.failed@example.org")
    Delivery.objects.filter(pk=failed.pk).update(status=DeliveryStatus.RETRY, attempts=2, last_error="SMTP 451")
    _notice("someone.fine@example.org")
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    page = client.get(URL).content.decode()
    assert "Notices sent" in page and "SMTP 451" in page
    assert "someone.failed@example.org" not in page, page[page.index("someone.failed@example.org") - 300 :][:400]
    assert "*****.org" in page  # masked: only the last four characters show
    only_retry = client.get(URL, {"status": "retry"}).content.decode()
    assert only_retry.count("<tr>") - 1 == 1  # the header row and one delivery
    assert client.get(URL, {"status": "bogus"}).status_code == 200  # an unknown filter shows all
    zh = client.get("/zh/backoffice/notifications/").content.decode()
    assert "通知发送记录" in zh


def test_the_list_costs_the_same_for_more_deliveries(
    client: Client, login_staff: Callable[[Client, Account], None]
) -> None:
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    _notice("first@example.org")
    assert_queries_flat(client, URL, lambda: [_notice(f"p{n}@example.org") for n in range(5)], at_most=12)


@pytest.mark.parametrize("role", [{}, {"clerk": True}, {"agency_admin": True}])
def test_other_staff_are_refused(
    client: Client, login_staff: Callable[[Client, Account], None], role: dict[str, bool]
) -> None:
    login_staff(client, StaffRoleFactory(**role).account)
    assert client.get(URL).status_code in (403, 404)
