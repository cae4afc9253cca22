"""Shared fixtures: actors, people, firms, staff logged in with TOTP, and query counting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.audit_guard import audited_writes_checked
from tests.factories import PASSWORD, PersonFactory, StaffRoleFactory
from tongban.audit import streams
from tongban.audit.db import install_sql, remove_sql
from tongban.core.actors import Actor
from tongban.identity.models import Account

# Property tests check behaviour, not speed: on a loaded two-core CI machine Hypothesis's timing
# checks (per-example deadline, "input generation is slow") fail for reasons that are not the
# code's. Speed is measured in `make bench`.
hypothesis_settings.register_profile("tongban", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("tongban")


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache (search results, calendar) as a fresh deployment would."""
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Messages raised outside a request use the active language; make it the same (English) in
    every test, whatever a previous test's request left active. Tests of Chinese text say so."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _commands_audit_their_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform's management commands (the demo loader, the calendar seed, staff creation,
    the worker) are held to the rule every request is held to (tests/audit_guard.py): no
    transaction changes an audited table without its audit entry."""
    original = BaseCommand.execute

    def execute(self: BaseCommand, *args: Any, **options: Any) -> Any:
        if not type(self).__module__.startswith("tongban."):
            return original(self, *args, **options)
        with audited_writes_checked(f"manage.py {type(self).__module__.rsplit('.', 1)[-1]}"):
            return original(self, *args, **options)

    monkeypatch.setattr(BaseCommand, "execute", execute)


@pytest.fixture(autouse=True)
def _flushable_audit_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with a flush (DELETE on SQLite), which the append-only triggers
    refuse by design. For those tests only, lift the triggers just before the flush and put them
    back before the next such test. (PostgreSQL flushes with TRUNCATE, which they do not block.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so torn down (flushed) after us
    _set_append_only(install=True)
    yield
    _set_append_only(install=False)


def _set_append_only(*, install: bool) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in streams.names():
            model = streams.get(name)
            table = model._meta.db_table
            columns = [field.column for field in model._meta.concrete_fields]
            statements = install_sql("sqlite", table, columns) if install else remove_sql("sqlite", table)
            for statement in statements:
                cursor.execute(statement)


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
def person(db):
    return PersonFactory()


@pytest.fixture
def officer(db):
    return StaffRoleFactory()


# The case world (a firm, its HR manager with the foreign-staff power, a service, officers).
from tests.world import world  # noqa: E402, F401
