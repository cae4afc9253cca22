"""Sessions whose key names the signed-in account (tongban.identity.sessions, ADR 0018): the
session and the account come from Redis in one round trip, and nothing about signing in or
out, deactivation or a password change is weaker for it. Runs against the real local Redis."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.models import Session
from django.core.cache.backends.redis import RedisCacheClient
from django.test import Client
from django.utils.http import int_to_base36

from tests.core.test_redis_sessions import redis_sessions  # noqa: F401  (the fixture)
from tests.factories import PASSWORD, PersonFactory
from tongban.identity import backends
from tongban.identity.sessions import RANDOM_PART, SessionStore, account_id_in_key, key_for_account

pytestmark = pytest.mark.django_db
SESSION_PREFIX = "django.contrib.sessions.cached_db"


def _login(person: Any) -> Client:
    client = Client()
    response = client.post("/en/login/", {"username": person.account.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/en/my/"
    return client


def _signed_in(client: Client) -> bool:
    return client.get("/en/my/").status_code == 200


def test_keys_name_accounts_within_the_session_column() -> None:
    for account_id in (1, 35, 36, 123456789, 36**9 - 1):
        key = key_for_account(account_id)
        assert key is not None and len(key) <= 40 and account_id_in_key(key) == account_id
        assert all(char in VALID_KEY_CHARS for char in key[:RANDOM_PART])
    assert key_for_account(1) != key_for_account(1)  # random
    assert key_for_account(36**9) is None and key_for_account(-1) is None and key_for_account("x") is None
    random = "a" * RANDOM_PART
    for key in (None, "", random, "a" * 32, random + ".", random + ".!!", random + "-5", random + "." + "z" * 10):
        assert account_id_in_key(key) is None


def test_login_gives_a_new_key_that_names_the_account(redis_sessions) -> None:  # noqa: F811
    person = PersonFactory()
    client = Client()
    client.get("/en/login/")
    client.session.save()
    anonymous_key = client.session.session_key
    assert account_id_in_key(anonymous_key) is None
    client.post("/en/login/", {"username": person.account.username, "password": PASSWORD})
    key = client.cookies["sessionid"].value
    assert key != anonymous_key and account_id_in_key(key) == person.account.pk
    # The anonymous key and the key Django rotated to at login are gone, in Redis and the table.
    assert list(Session.objects.values_list("session_key", flat=True)) == [key]
    assert redis_sessions.get(SESSION_PREFIX + anonymous_key) is None
    assert _signed_in(client)


def test_session_and_account_come_in_one_round_trip(redis_sessions) -> None:  # noqa: F811
    person = PersonFactory()
    client = _login(person)
    account_key = backends.account_cache_key(person.account.pk)
    redis_sessions.delete(account_key)  # the login's tombstone, expired
    assert _signed_in(client)  # puts the account in the cache
    assert isinstance(redis_sessions.get(account_key), type(person.account))
    session_key = redis_sessions.make_key(SESSION_PREFIX + client.cookies["sessionid"].value)
    gets: list[Any] = []
    many: list[list[Any]] = []
    real_get, real_get_many = RedisCacheClient.get, RedisCacheClient.get_many

    def spy_get(self: Any, key: Any, default: Any) -> Any:
        gets.append(key)
        return real_get(self, key, default)

    def spy_get_many(self: Any, keys: Any) -> Any:
        many.append(list(keys))
        return real_get_many(self, keys)

    with (
        mock.patch.object(RedisCacheClient, "get", spy_get),
        mock.patch.object(RedisCacheClient, "get_many", spy_get_many),
    ):
        assert _signed_in(client)
    assert [sorted(keys) for keys in many] == [sorted([session_key, redis_sessions.make_key(account_key)])]
    assert session_key not in gets and redis_sessions.make_key(account_key) not in gets
    assert backends.prefetched_entry.get() is None  # handed over only while the user was loaded


def test_deactivation_and_a_new_password_take_effect_on_the_next_request(redis_sessions) -> None:  # noqa: F811
    deactivated, changed = PersonFactory(), PersonFactory()
    first, second = _login(deactivated), _login(changed)
    for person, client in ((deactivated, first), (changed, second)):
        redis_sessions.delete(backends.account_cache_key(person.account.pk))
        assert _signed_in(client) and _signed_in(client)  # the account is now cached, fetched with the session
    deactivated.account.is_active = False
    deactivated.account.save(update_fields=["is_active"])
    changed.account.set_password("An-Other-Password-77")
    changed.account.save(update_fields=["password"])
    assert not _signed_in(first)
    assert not _signed_in(second)


def test_logout_ends_the_session(redis_sessions) -> None:  # noqa: F811
    client = _login(PersonFactory())
    key = client.cookies["sessionid"].value
    client.post("/en/logout/")
    assert redis_sessions.get(SESSION_PREFIX + key) is None and not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key  # replaying the old cookie signs no one in
    assert not _signed_in(client)


def test_a_key_edited_to_name_another_account_signs_no_one_in(redis_sessions) -> None:  # noqa: F811
    person, other = PersonFactory(), PersonFactory()
    client = _login(person)
    _login(other)
    key = client.cookies["sessionid"].value
    client.cookies["sessionid"] = key[: RANDOM_PART + 1] + int_to_base36(other.account.pk)
    assert not _signed_in(client)


def test_the_session_not_the_key_says_who_is_signed_in(redis_sessions) -> None:  # noqa: F811
    """A session whose stored user differs from the account its key names (which our store never
    writes) signs in the stored user; the named account's cache entry is not used."""
    person, other = PersonFactory(), PersonFactory()
    _login(other)  # the other account's entry may be in the cache
    odd_key = "b" * RANDOM_PART + "." + int_to_base36(other.account.pk)
    store = CachedDBStore()  # plain cached_db writes any key it is given
    store[SESSION_KEY] = str(person.account.pk)
    store["_auth_user_backend"] = "tongban.identity.backends.AccountBackend"
    store["_auth_user_hash"] = person.account.get_session_auth_hash()
    store._session_key = odd_key
    store.save(must_create=True)
    loaded = SessionStore(odd_key)
    assert loaded[SESSION_KEY] == str(person.account.pk) and loaded.prefetched_account is None
    client = Client()
    client.cookies["sessionid"] = odd_key
    response = client.get("/en/my/")
    assert response.status_code == 200 and response.wsgi_request.user.pk == person.account.pk


def test_sessions_from_before_keep_working(redis_sessions) -> None:  # noqa: F811
    """A session made by plain cached_db (a key without the account) still signs its holder in;
    its next save moves it to a key that names the account."""
    person = PersonFactory()
    store = CachedDBStore()
    store[SESSION_KEY] = str(person.account.pk)
    store["_auth_user_backend"] = "tongban.identity.backends.AccountBackend"
    store["_auth_user_hash"] = person.account.get_session_auth_hash()
    store.create()
    old_key = store.session_key or ""
    assert account_id_in_key(old_key) is None
    client = Client()
    client.cookies["sessionid"] = old_key
    assert _signed_in(client)
    moved = SessionStore(old_key)
    moved["seen"] = True
    moved.save()
    assert account_id_in_key(moved.session_key) == person.account.pk
    assert not Session.objects.filter(session_key=old_key).exists()
    client.cookies["sessionid"] = moved.session_key or ""
    assert _signed_in(client)


def test_without_redis_sessions_stay_in_the_database(client: Client) -> None:
    """The embedded default (no REDIS_URL): database sessions; the middleware works the same."""
    person = PersonFactory()
    assert client.post("/en/login/", {"username": person.account.username, "password": PASSWORD}).status_code == 302
    assert account_id_in_key(client.cookies["sessionid"].value) is None
    assert _signed_in(client)
