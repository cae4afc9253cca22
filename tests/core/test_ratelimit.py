"""core.ratelimit: the window arithmetic (pure), the client address behind TRUSTED_PROXY_COUNT
proxies (Hypothesis: the header parser never raises and always gives an address), the database
store (atomic under concurrent threads) and the Redis store, and the 429 a limited view answers."""

from __future__ import annotations

import ipaddress
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.test import Client, RequestFactory, override_settings
from hypothesis import given
from hypothesis import strategies as st

from tests.core.test_redis_sessions import REDIS, _redis_up
from tongban.conf.env import EnvError
from tongban.conf.limits import DEFAULT_RATE_LIMITS, parse_rate
from tongban.core import ratelimit
from tongban.core.models import RateCounter
from tongban.core.ratelimit import (
    Limit,
    address_from_headers,
    advance,
    client_address,
    decide,
    network_of,
    progressive_delay,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LIMIT = Limit(name="test.limit", hits=3, window_seconds=60)


# --- Pure arithmetic ---------------------------------------------------------------------------


def test_a_window_counts_from_its_first_hit_and_starts_again_when_it_ends() -> None:
    count, ends = advance(0, 0.0, now=100.0, window_seconds=60)
    assert (count, ends) == (1, 160.0)
    count, ends = advance(count, ends, now=130.0, window_seconds=60)
    assert (count, ends) == (2, 160.0)
    assert advance(count, ends, now=160.0, window_seconds=60) == (1, 220.0)


def test_decide_allows_the_limit_and_refuses_beyond_it_with_the_seconds_left() -> None:
    assert decide(LIMIT, 3, 160.0, now=130.0).allowed
    over = decide(LIMIT, 4, 160.0, now=130.2)
    assert not over.allowed and over.retry_after == 30 and over.first_refusal
    assert not decide(LIMIT, 5, 160.0, now=130.0).first_refusal
    assert decide(LIMIT, 4, 160.0, now=159.99).retry_after == 1  # never "retry after 0"


def test_progressive_delay_doubles_from_the_threshold_up_to_the_cap() -> None:
    delays = [progressive_delay(n, threshold=5, first_seconds=60, max_seconds=900) for n in range(1, 12)]
    assert delays == [0, 0, 0, 0, 60, 120, 240, 480, 900, 900, 900]
    assert progressive_delay(10**6, threshold=5, first_seconds=60, max_seconds=900) == 900


def test_rates_are_written_hits_per_seconds() -> None:
    assert parse_rate("X", " 10 / 600 ") == (10, 600)
    for bad in ("10", "0/60", "10/0", "ten/60", "-1/60"):
        with pytest.raises(EnvError):
            parse_rate("X", bad)
    assert all(hits >= 1 and window >= 1 for hits, window in DEFAULT_RATE_LIMITS.values())


# --- The client's address ----------------------------------------------------------------------


def test_no_trusted_proxy_means_remote_addr_whatever_the_header_says() -> None:
    assert address_from_headers("6.6.6.6", "198.51.100.7", 0) == "198.51.100.7"


def test_n_proxies_mean_the_n_th_address_from_the_right() -> None:
    header = "6.6.6.6, 203.0.113.9, 10.0.0.1"  # client-written, seen by the LB, seen by the inner proxy
    assert address_from_headers(header, "10.0.0.2", 1) == "10.0.0.1"
    assert address_from_headers(header, "10.0.0.2", 2) == "203.0.113.9"
    assert address_from_headers("[2001:db8::1]:4711, 10.0.0.1", "10.0.0.2", 2) == "2001:db8::1"
    assert address_from_headers("203.0.113.9:55000", "10.0.0.2", 1) == "203.0.113.9"
    assert address_from_headers("::ffff:203.0.113.9", "10.0.0.2", 1) == "203.0.113.9"


def test_a_short_or_malformed_header_means_remote_addr() -> None:
    assert address_from_headers("203.0.113.9", "10.0.0.2", 2) == "10.0.0.2"  # one entry, two proxies
    assert address_from_headers("", "10.0.0.2", 1) == "10.0.0.2"
    assert address_from_headers("not-an-address, 10.0.0.1", "10.0.0.2", 2) == "10.0.0.2"
    assert address_from_headers("1.1.1.1," * 1000, "10.0.0.2", 1) == "10.0.0.2"  # too long to be ours
    assert address_from_headers("", "", 0) == ratelimit.UNKNOWN_ADDRESS


@given(header=st.text(max_size=300), proxies=st.integers(min_value=0, max_value=5), remote=st.ip_addresses())
def test_the_header_parser_never_raises_and_always_gives_an_address(header: str, proxies: int, remote: object) -> None:
    address = address_from_headers(header, str(remote), proxies)
    ipaddress.ip_address(address)  # parses
    network_of(address)  # and has a network


@given(
    entries=st.lists(st.ip_addresses().map(str), min_size=1, max_size=6),
    proxies=st.integers(min_value=1, max_value=6),
)
def test_a_well_formed_header_gives_the_entry_the_outermost_trusted_proxy_wrote(
    entries: list[str], proxies: int
) -> None:
    address = address_from_headers(", ".join(entries), "10.9.9.9", proxies)
    if len(entries) >= proxies:
        expected = ipaddress.ip_address(entries[-proxies])
        mapped = getattr(expected, "ipv4_mapped", None)
        assert address == str(mapped or expected)
    else:
        assert address == "10.9.9.9"


def test_networks_are_slash_24_and_slash_64() -> None:
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_address_reads_the_setting() -> None:
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert client_address(request) == "203.0.113.9"
    assert ratelimit.client_network(request) == "203.0.113.0/24"


# --- The stores --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_store_counts_blocks_and_cleans_up() -> None:
    decisions = [ratelimit.hit(LIMIT, "k", now=T0 + timedelta(seconds=i)) for i in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert decisions[3].retry_after == 57 and decisions[3].first_refusal
    assert not ratelimit.check(LIMIT, "k", now=T0 + timedelta(seconds=10)).allowed
    assert ratelimit.check(LIMIT, "other", now=T0).allowed  # keys are separate
    assert ratelimit.hit(LIMIT, "k", now=T0 + timedelta(seconds=60)).count == 1  # a new window
    ratelimit.block("test.block", "k", seconds=120, now=T0)
    ratelimit.block("test.block", "k", seconds=30, now=T0)  # a shorter block does not shorten it
    assert ratelimit.blocked_for("test.block", "k", now=T0 + timedelta(seconds=100)) == 20
    assert ratelimit.blocked_for("test.block", "k", now=T0 + timedelta(seconds=121)) == 0
    assert not RateCounter.objects.filter(key__endswith=":k").exists(), "keys are stored hashed"
    later = T0 + timedelta(hours=1)
    assert ratelimit.cleanup(now=later) >= 2
    assert not RateCounter.objects.filter(expires_at__lte=later.timestamp()).exists()
    ratelimit.reset(LIMIT.name, "k")
    assert ratelimit.check(LIMIT, "k", now=T0 + timedelta(seconds=61)).count == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_database_counter_is_atomic_under_concurrent_requests() -> None:
    """Threads, each with its own connection, hit one key at once: every hit is counted once.
    PostgreSQL only: the suite's SQLite database is shared in memory, where concurrent writers get
    "table is locked" instead of waiting (a file database, as ``make run`` uses, serialises them
    behind its busy timeout, which is what makes the upsert atomic there)."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is a PostgreSQL property; this runs in the PostgreSQL pass")
    threads, hits = 8, 25
    limit = Limit(name="test.concurrent", hits=10**6, window_seconds=600)
    counts: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work() -> None:
        try:
            start.wait()
            for _ in range(hits):
                counts.append(ratelimit.hit(limit, "same").count)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    assert sorted(counts) == list(range(1, threads * hits + 1)), "each hit got its own count"
    assert ratelimit.check(limit, "same").count == threads * hits
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.fixture
def redis_store():
    if not _redis_up():
        pytest.fail(f"Redis is not reachable at {REDIS}")
    cache = {"BACKEND": "tongban.core.cache.RedisCache", "LOCATION": REDIS, "KEY_PREFIX": uuid.uuid4().hex[:8]}
    with override_settings(CACHES={"default": cache}, RATE_LIMIT_STORE="cache"):
        yield


def test_the_redis_store_counts_with_incr_and_expire(redis_store: None) -> None:
    limit = Limit(name="test.redis", hits=2, window_seconds=60)
    decisions = [ratelimit.hit(limit, "k") for _ in range(3)]
    assert [d.count for d in decisions] == [1, 2, 3]
    assert not decisions[2].allowed and 55 <= decisions[2].retry_after <= 60
    assert ratelimit.check(limit, "k").count == 3
    ratelimit.block("test.redis-block", "k", seconds=90)
    assert 85 <= ratelimit.blocked_for("test.redis-block", "k") <= 90
    ratelimit.reset(limit.name, "k")
    assert ratelimit.check(limit, "k").count == 0


# --- A limited view ----------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(RATE_LIMITS={**DEFAULT_RATE_LIMITS, "verify.client": (3, 60)})
def test_public_verification_look_ups_are_limited_per_client() -> None:
    crawler, other = Client(REMOTE_ADDR="203.0.113.5"), Client(REMOTE_ADDR="198.51.100.5")
    paths = ["/verify/NOPE-1", "/verify/NOPE-1.json", "/en/verify/NOPE-1/"]
    assert [crawler.get(path).status_code for path in paths] == [404, 404, 404]
    refused = crawler.get("/verify/NOPE-1.jws")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    status = crawler.get("/verify/NOPE-1.json")
    assert status.status_code == 429 and status.json()["code"] == "rate_limited"
    english = crawler.post("/en/verify/", {"jws": "x.y.z"})
    assert english.status_code == 429 and "Too many requests from your connection" in english.content.decode()
    assert other.get("/verify/NOPE-1").status_code == 404  # another client is not affected
    zh = crawler.get("/zh/verify/NOPE-1/")
    assert zh.status_code == 429 and "请求过于频繁" in zh.content.decode()
