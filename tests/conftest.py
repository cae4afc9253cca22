"""Shared fixtures: actors, people, firms, staff logged in with TOTP, and query counting."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, PersonFactory, StaffRoleFactory
from tongban.core.actors import Actor
from tongban.identity.models import Account


@pytest.fixture
def system_actor() -> Actor:
    return Actor.system("tests")


def current_totp(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def login_person() -> Callable[[Client, Account], None]:
    def do(client: Client, account: Account) -> None:
        response = client.post("/en/login/", {"username": account.username, "password": PASSWORD})
        assert response.status_code == 302, response.content.decode()[:500]

    return do


@pytest.fixture
def login_staff() -> Callable[[Client, Account], None]:
    """Log a staff account in through both steps: password, then a current TOTP code."""

    def do(client: Client, account: Account) -> None:
        device = TOTPDevice.objects.filter(user=account, confirmed=True).first() or TOTPDevice.objects.create(
            user=account, name="test", confirmed=True
        )
        response = client.post("/en/login/", {"username": account.username, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"].endswith("/login/verify/")
        response = client.post("/en/login/verify/", {"token": current_totp(device)})
        assert response.status_code == 302, response.content.decode()[:800]

    return do


@pytest.fixture
def person(db):  # noqa: ANN001, ANN201
    return PersonFactory()


@pytest.fixture
def officer(db):  # noqa: ANN001, ANN201
    return StaffRoleFactory()
