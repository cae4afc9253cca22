"""With REDIS_URL set, sessions and the signed-in account are read through the shared Redis cache
(no database query for either per request) and a logout ends the session in the cache too; the
cache backend reuses one redis-py client per pool. Runs against the real local Redis."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD, PersonFactory
from tongban.identity.sessions import account_id_in_key

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    host, port = REDIS.split("//")[1].split("/")[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis_sessions():
    if not _redis_up():  # .ci/run starts Redis; a check that skips itself is no check
        pytest.fail(f"Redis is not reachable at {REDIS}")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "tongban.core.cache.RedisCache",
                "LOCATION": REDIS,
                "KEY_PREFIX": prefix,
            }
        },
        SESSION_ENGINE="tongban.identity.sessions",
    ):
        yield caches["default"]


@pytest.mark.django_db
def test_session_is_read_from_redis_and_logout_clears_it(redis_sessions) -> None:
    person = PersonFactory()
    client = Client()
    assert client.post("/en/login/", {"username": person.account.username, "password": PASSWORD}).status_code == 302
    session_key = client.cookies["sessionid"].value
    assert account_id_in_key(session_key) == person.account.pk
    assert redis_sessions.get(f"django.contrib.sessions.cached_db{session_key}") is not None
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/my/").status_code == 200
    assert not any("django_session" in query["sql"] for query in queries.captured_queries)
    client.post("/en/logout/")
    assert redis_sessions.get(f"django.contrib.sessions.cached_db{session_key}") is None
    assert client.get("/en/my/").status_code == 302


@pytest.mark.django_db
def test_signed_in_request_reads_neither_session_nor_account_from_the_database(redis_sessions) -> None:
    person = PersonFactory()
    client = Client()
    assert client.post("/en/login/", {"username": person.account.username, "password": PASSWORD}).status_code == 302
    redis_sessions.delete(f"identity:account:{person.account.pk}")  # the login's tombstone, expired
    client.get("/en/my/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/my/").status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "django_session" not in sql and 'FROM "identity_account"' not in sql


def test_the_backend_reuses_one_client_per_pool_and_behaves_as_a_cache(redis_sessions) -> None:
    backend = redis_sessions._cache
    assert backend.get_client() is backend.get_client() is backend.get_client(write=True)
    assert redis_sessions.add("k", {"a": [1, "二"]}) and not redis_sessions.add("k", "other")
    assert redis_sessions.get("k") == {"a": [1, "二"]}
    redis_sessions.set("n", 1)
    assert redis_sessions.incr("n") == 2
    redis_sessions.delete_many(["k", "n"])
    assert redis_sessions.get_many(["k", "n"]) == {}
