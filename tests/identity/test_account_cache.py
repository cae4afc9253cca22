"""The signed-in account is read through the shared cache (identity.backends): a request costs no
account query, and any change of the account or its person takes effect on the next request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import PersonFactory
from tongban.identity.backends import AccountBackend, account_cache_key
from tongban.identity.models import Account, Person
from tongban.identity.services import account_password_set

pytestmark = pytest.mark.django_db


def _account_queries(client: Client, path: str = "/en/my/") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response.status_code, sum('FROM "identity_account"' in q["sql"] for q in captured.captured_queries)


def test_second_request_reads_the_account_from_the_cache(login_person: Callable[[Client, Account], None]) -> None:
    person = PersonFactory()
    client = Client()
    login_person(client, person.account)
    status, first = _account_queries(client)
    assert status == 200 and first == 1  # the login wrote last_login: the first read goes to the database
    cache.delete(account_cache_key(person.account.pk))  # the tombstone of that write expires
    _account_queries(client)
    status, second = _account_queries(client)
    assert status == 200 and second == 0


def test_deactivation_takes_effect_on_the_next_request(login_person: Callable[[Client, Account], None]) -> None:
    person = PersonFactory()
    client = Client()
    login_person(client, person.account)
    cache.delete(account_cache_key(person.account.pk))
    assert client.get("/en/my/").status_code == 200  # now cached
    assert isinstance(cache.get(account_cache_key(person.account.pk)), Account)
    account = Account.objects.get(pk=person.account.pk)
    account.is_active = False
    account.save()
    response = client.get("/en/my/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_new_password_ends_other_sessions_at_once(
    login_person: Callable[[Client, Account], None], system_actor
) -> None:
    person = PersonFactory()
    client = Client()
    login_person(client, person.account)
    cache.delete(account_cache_key(person.account.pk))
    assert client.get("/en/my/").status_code == 200
    account_password_set(account=person.account, password="A-new-Passw0rd-2026", actor=system_actor, reason="test")
    response = client.get("/en/my/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_changed_person_is_shown_at_once(login_person: Callable[[Client, Account], None]) -> None:
    person = PersonFactory()
    client = Client()
    login_person(client, person.account)
    cache.delete(account_cache_key(person.account.pk))
    client.get("/en/my/")
    assert isinstance(cache.get(account_cache_key(person.account.pk)), Account)
    Person.objects.get(pk=person.pk).save()
    assert cache.get(account_cache_key(person.account.pk)) == "changed"


def test_a_reader_never_caches_over_a_write_in_flight() -> None:
    """The race: a request read the old row, a write commits, then the request would cache what it
    read. The write's tombstone keeps the old row out of the cache."""
    person = PersonFactory()
    key = account_cache_key(person.account.pk)
    cache.delete(key)
    stale = Account.objects.select_related("person").get(pk=person.account.pk)  # the slow reader
    account = Account.objects.get(pk=person.account.pk)
    account.is_active = False
    account.save()  # the writer: tombstone
    cache.add(key, stale, 300)  # what the reader would do next: refused
    assert cache.get(key) == "changed"
    assert AccountBackend().get_user(person.account.pk) is None  # read from the database: inactive
    assert cache.get(key) == "changed"  # and not cached while the tombstone lasts
