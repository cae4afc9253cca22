"""With REDIS_URL set, sessions are read through the shared Redis cache (no database query per
request) and a logout ends the session in the cache too. Runs against the real local Redis."""

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
    if not _redis_up():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS} (CI=true)")
        pytest.skip(f"Redis is not reachable at {REDIS}")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS,
                "KEY_PREFIX": prefix,
            }
        },
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    ):
        yield caches["default"]


@pytest.mark.django_db
def test_session_is_read_from_redis_and_logout_clears_it(redis_sessions) -> None:
    person = PersonFactory()
    client = Client()
    assert client.post("/en/login/", {"username": person.account.username, "password": PASSWORD}).status_code == 302
    session_key = client.cookies["sessionid"].value
    assert redis_sessions.get(f"django.contrib.sessions.cached_db{session_key}") is not None
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/my/").status_code == 200
    assert not any("django_session" in query["sql"] for query in queries.captured_queries)
    client.post("/en/logout/")
    assert redis_sessions.get(f"django.contrib.sessions.cached_db{session_key}") is None
    assert client.get("/en/my/").status_code == 302
