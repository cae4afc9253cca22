"""Rate limits: named limits (at most N hits per window) counted per key, shared by every worker
process, and the client address they are usually keyed by.

* **Limits** are named in ``settings.RATE_LIMITS`` (``tongban.conf.limits``: one documented
  environment variable each, ``hits/seconds``). ``hit(name, key)`` counts one hit and says whether
  it was allowed and, if not, in how many seconds the window ends (``retry_after``); ``check``
  says the same without counting; ``block``/``blocked_for``/``reset`` keep a marker that lives a
  given time (a login delay, a client refused for spraying). ``enforce(request, name)`` counts a
  request and raises :class:`RateLimitedError` (answered 429 with a Retry-After header by
  ``core.middleware``), sending ``limit_reached`` at the first refusal of a window so that a
  higher layer can audit it once, not once per refused request.
* **Windows** start at a key's first hit and last the limit's seconds (what Redis' INCR + EXPIRE
  gives). The arithmetic is pure (:func:`advance`, :func:`decide`, :func:`progressive_delay`,
  taking ``now``); the stores apply the same rule atomically.
* **Stores**: with ``RATE_LIMIT_STORE=cache`` (the default when REDIS_URL is set) counters are
  Redis keys, INCR and EXPIRE in one MULTI through the cache's client; otherwise rows of
  ``core.RateCounter``, one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` each (SQLite ≥
  3.35 and PostgreSQL), so the two worker processes of ``make run`` share them (a per-process
  memory cache would not). Expired rows are deleted now and then by a hit (``cleanup``).
  Keys are stored as keyed hashes: the table holds no user names or addresses.
* **Client address**: :func:`client_address` trusts ``TRUSTED_PROXY_COUNT`` proxies (the N-th
  address from the right of X-Forwarded-For), :func:`client_network` groups it (/24, /64).

Why, and how the address is trusted behind a load balancer: docs/adr/0025.
"""

from __future__ import annotations

import ipaddress
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.dispatch import Signal
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongban.core.clock import now as clock_now
from tongban.core.errors import DomainError

#: Sent by :func:`enforce` at the first refused request of a window, with ``limit`` (its name),
#: ``key``, ``client`` (the client's address) and ``request``. identity audits it.
limit_reached = Signal()

#: One hit in this many deletes the database store's expired rows.
CLEANUP_EVERY = 200
#: The longest X-Forwarded-For header read (a longer one is not from our proxies).
MAX_FORWARDED_LENGTH = 2048
#: The address used when the server gives none that parses (a unix socket without a proxy).
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a value, not a bind address


# --- Pure arithmetic ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` hits per key in a window of ``window_seconds`` from the key's first hit."""

    name: str
    hits: int
    window_seconds: int


@dataclass(frozen=True)
class Decision:
    """The outcome of a hit or check: allowed, the hits counted in the window, and when refused
    the whole seconds until the window ends."""

    allowed: bool
    count: int
    retry_after: int
    #: True for the one hit that went over the limit (the next ones of the window are refused too).
    first_refusal: bool = False


def advance(count: int, expires_at: float, *, now: float, window_seconds: float) -> tuple[int, float]:
    """The counter after one more hit at ``now``: a window that ended starts again at 1."""
    if expires_at <= now:
        return 1, now + window_seconds
    return count + 1, expires_at


def decide(limit: Limit, count: int, expires_at: float, *, now: float) -> Decision:
    """Whether the ``count``-th hit of a window ending at ``expires_at`` is allowed."""
    if count <= limit.hits:
        return Decision(allowed=True, count=count, retry_after=0)
    wait = max(1, math.ceil(expires_at - now))
    return Decision(allowed=False, count=count, retry_after=wait, first_refusal=count == limit.hits + 1)


def progressive_delay(failures: int, *, threshold: int, first_seconds: int, max_seconds: int) -> int:
    """Seconds to wait after ``failures`` failures: none below ``threshold``, then
    ``first_seconds`` doubling with each further failure, at most ``max_seconds``."""
    if failures < threshold:
        return 0
    doublings = min(failures - threshold, 32)
    return int(min(first_seconds * (1 << doublings), max_seconds))


def wait_text(seconds: int) -> str:
    """How long to wait, for people: whole minutes from a minute up, seconds below."""
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _epoch(moment: datetime | None) -> float:
    return (moment or clock_now()).timestamp()


# --- Stores ------------------------------------------------------------------------------------


class Store(Protocol):
    def incr(self, key: str, *, now: float, window_seconds: float) -> tuple[int, float]: ...
    def extend(self, key: str, *, until: float) -> None: ...
    def get(self, key: str, *, now: float) -> tuple[int, float] | None: ...
    def delete(self, key: str) -> None: ...
    def cleanup(self, *, now: float) -> int: ...


class DatabaseStore:
    """Counters as rows of ``core_ratecounter``; each change is one atomic statement."""

    @staticmethod
    def _names() -> tuple[str, str, str, str]:
        quote = connection.ops.quote_name
        return quote("core_ratecounter"), quote("key"), quote("count"), quote("expires_at")

    def incr(self, key: str, *, now: float, window_seconds: float) -> tuple[int, float]:
        table, k, c, e = self._names()
        # The same rule as ``advance``: a live window counts on, an ended one starts again at 1.
        sql = (
            f"INSERT INTO {table} ({k}, {c}, {e}) VALUES (%s, 1, %s) "  # noqa: S608 - names only
            f"ON CONFLICT ({k}) DO UPDATE SET "
            f"{c} = CASE WHEN {table}.{e} <= %s THEN 1 ELSE {table}.{c} + 1 END, "
            f"{e} = CASE WHEN {table}.{e} <= %s THEN excluded.{e} ELSE {table}.{e} END "
            f"RETURNING {c}, {e}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, now + window_seconds, now, now])
            count, expires_at = cursor.fetchone()
        if count == 1 and random.random() < 1 / CLEANUP_EVERY:  # noqa: S311 - not a secret
            self.cleanup(now=now)
        return int(count), float(expires_at)

    def extend(self, key: str, *, until: float) -> None:
        table, k, c, e = self._names()
        sql = (
            f"INSERT INTO {table} ({k}, {c}, {e}) VALUES (%s, 1, %s) "  # noqa: S608 - names only
            f"ON CONFLICT ({k}) DO UPDATE SET {c} = 1, "
            f"{e} = CASE WHEN {table}.{e} > excluded.{e} THEN {table}.{e} ELSE excluded.{e} END"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, until])

    def get(self, key: str, *, now: float) -> tuple[int, float] | None:
        table, k, c, e = self._names()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {c}, {e} FROM {table} WHERE {k} = %s AND {e} > %s", [key, now])  # noqa: S608
            row = cursor.fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def delete(self, key: str) -> None:
        table, k, _c, _e = self._names()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {k} = %s", [key])  # noqa: S608 - names only

    def cleanup(self, *, now: float) -> int:
        """Delete the rows whose window has ended; returns how many."""
        table, _k, _c, e = self._names()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {e} <= %s", [now])  # noqa: S608 - names only
            return int(cursor.rowcount)


class CacheStore:
    """Counters as keys of the shared Redis cache: SET NX EX + INCR + PTTL in one MULTI."""

    def __init__(self) -> None:
        self.cache = caches["default"]
        if not hasattr(self.cache, "_cache") or not hasattr(self.cache._cache, "get_client"):
            raise ImproperlyConfigured("RATE_LIMIT_STORE=cache needs the Redis cache (REDIS_URL).")

    def _client(self) -> Any:
        return self.cache._cache.get_client(write=True)  # type: ignore[attr-defined]

    def _key(self, key: str) -> str:
        return str(self.cache.make_and_validate_key(key))

    def incr(self, key: str, *, now: float, window_seconds: float) -> tuple[int, float]:
        name = self._key(key)
        pipe = self._client().pipeline(transaction=True)
        pipe.set(name, 0, px=max(1, int(window_seconds * 1000)), nx=True)
        pipe.incr(name)
        pipe.pttl(name)
        _created, count, pttl = pipe.execute()
        return int(count), now + max(int(pttl), 0) / 1000

    def extend(self, key: str, *, until: float) -> None:
        name = self._key(key)
        client = self._client()
        wanted = int((until - clock_now().timestamp()) * 1000)
        if wanted > 0 and int(client.pttl(name)) < wanted:
            client.set(name, 1, px=wanted)

    def get(self, key: str, *, now: float) -> tuple[int, float] | None:
        name = self._key(key)
        pipe = self._client().pipeline(transaction=True)
        pipe.get(name)
        pipe.pttl(name)
        value, pttl = pipe.execute()
        if value is None or int(pttl) <= 0:
            return None
        return int(value), now + int(pttl) / 1000

    def delete(self, key: str) -> None:
        self._client().delete(self._key(key))

    def cleanup(self, *, now: float) -> int:
        return 0  # Redis expires keys itself


def store() -> Store:
    """The configured store: ``RATE_LIMIT_STORE``, or the cache when REDIS_URL is set."""
    kind = settings.RATE_LIMIT_STORE or ("cache" if settings.REDIS_URL else "database")
    if kind == "cache":
        return CacheStore()
    if kind == "database":
        return DatabaseStore()
    raise ImproperlyConfigured(f"RATE_LIMIT_STORE must be 'cache' or 'database', not {kind!r}")


# --- Counting ----------------------------------------------------------------------------------


def get_limit(name: str) -> Limit:
    """The named limit as configured now (``settings.RATE_LIMITS``)."""
    try:
        hits, window = settings.RATE_LIMITS[name]
    except KeyError as exc:
        raise ImproperlyConfigured(f"No rate limit named {name!r} in RATE_LIMITS") from exc
    return Limit(name=name, hits=int(hits), window_seconds=int(window))


def _stored_key(name: str, key: str) -> str:
    digest = salted_hmac("tongban.core.ratelimit", f"{name}\0{key}", algorithm="sha256").hexdigest()[:40]
    return f"{name[:40]}:{digest}"


def hit(limit: str | Limit, key: str, *, now: datetime | None = None) -> Decision:
    """Count one hit of ``key`` against the limit; allowed while the window holds at most its hits."""
    limit = get_limit(limit) if isinstance(limit, str) else limit
    moment = _epoch(now)
    count, expires_at = store().incr(_stored_key(limit.name, key), now=moment, window_seconds=limit.window_seconds)
    return decide(limit, count, expires_at, now=moment)


def check(limit: str | Limit, key: str, *, now: datetime | None = None) -> Decision:
    """Whether one more hit of ``key`` would be allowed, without counting it; ``count`` is the hits
    so far in the window."""
    limit = get_limit(limit) if isinstance(limit, str) else limit
    moment = _epoch(now)
    state = store().get(_stored_key(limit.name, key), now=moment)
    if state is None:
        return Decision(allowed=True, count=0, retry_after=0)
    count, expires_at = state
    next_hit = decide(limit, count + 1, expires_at, now=moment)
    return Decision(allowed=next_hit.allowed, count=count, retry_after=next_hit.retry_after)


def reset(name: str, key: str) -> None:
    """Forget the key's hits (or block) under ``name``."""
    store().delete(_stored_key(name, key))


def block(name: str, key: str, *, seconds: int, now: datetime | None = None) -> None:
    """Mark ``key`` blocked under ``name`` for ``seconds`` from now (a later end already set wins)."""
    store().extend(_stored_key(name, key), until=_epoch(now) + seconds)


def blocked_for(name: str, key: str, *, now: datetime | None = None) -> int:
    """Whole seconds ``key`` stays blocked under ``name``; 0 if it is not."""
    moment = _epoch(now)
    state = store().get(_stored_key(name, key), now=moment)
    return max(1, math.ceil(state[1] - moment)) if state else 0


def cleanup(*, now: datetime | None = None) -> int:
    """Delete the stored counters whose window has ended (the database store; Redis expires its own)."""
    return store().cleanup(now=_epoch(now))


# --- The client's address ----------------------------------------------------------------------


def _parse_address(raw: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """One address as a proxy writes it: bare, ``a.b.c.d:port`` or ``[v6]:port``; None if not."""
    text = raw.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id:
            return ipaddress.IPv6Address(int(address))
    return address


def address_from_headers(forwarded_for: str, remote_addr: str, proxies: int) -> str:
    """The client's address from the connection's ``remote_addr`` and the X-Forwarded-For header
    when ``proxies`` trusted proxies each appended the address they saw: the ``proxies``-th entry
    from the right (what the outermost trusted proxy saw). Entries to its left were written by the
    client and are not trusted. A header that is missing, too short or malformed gives
    ``remote_addr``; an unusable ``remote_addr`` gives ``UNKNOWN_ADDRESS``. Never raises."""
    remote = _parse_address(remote_addr or "")
    fallback = str(remote) if remote is not None else UNKNOWN_ADDRESS
    if proxies <= 0 or not forwarded_for or len(forwarded_for) > MAX_FORWARDED_LENGTH:
        return fallback
    entries = forwarded_for.split(",")
    if len(entries) < proxies:
        return fallback
    address = _parse_address(entries[-proxies])
    return str(address) if address is not None else fallback


def client_address(request: HttpRequest) -> str:
    """The client's address for this request (``TRUSTED_PROXY_COUNT``; see ADR 0025)."""
    cached = getattr(request, "_tongban_client_address", None)
    if isinstance(cached, str):
        return cached
    address = address_from_headers(
        str(request.META.get("HTTP_X_FORWARDED_FOR", "")),
        str(request.META.get("REMOTE_ADDR", "")),
        int(settings.TRUSTED_PROXY_COUNT),
    )
    request._tongban_client_address = address  # type: ignore[attr-defined]
    return address


def network_of(address: str) -> str:
    """The network an address is counted with: its /24 (IPv4) or /64 (IPv6)."""
    parsed = _parse_address(address) or ipaddress.ip_address(UNKNOWN_ADDRESS)
    prefix = 24 if parsed.version == 4 else 64
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))


def client_network(request: HttpRequest) -> str:
    """The client's network (/24 for IPv4, /64 for IPv6): one household, office or NAT."""
    return network_of(client_address(request))


# --- Requests ----------------------------------------------------------------------------------


class RateLimitedError(DomainError):
    """Too many requests: answered 429 with ``Retry-After`` (``core.middleware``)."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str | Promise, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = max(1, int(retry_after))


def too_many_message(seconds: int) -> str:
    return _("Too many requests from your connection. Please wait %(wait)s, then try again.") % {
        "wait": wait_text(seconds)
    }


def enforce(request: HttpRequest, name: str, key: str | None = None, *, now: datetime | None = None) -> Decision:
    """Count this request against the named limit, keyed by ``key`` (default: the client's
    address); raise :class:`RateLimitedError` if it is over. The first refusal of a window sends
    ``limit_reached``."""
    client = client_address(request)
    decision = hit(name, client if key is None else key, now=now)
    if not decision.allowed:
        if decision.first_refusal:
            subject = client if key is None else key
            limit_reached.send(sender=Limit, limit=name, key=subject, client=client, request=request)
        raise RateLimitedError(too_many_message(decision.retry_after), retry_after=decision.retry_after)
    return decision


View = Callable[..., HttpResponseBase]


def rate_limited(name: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable[[View], View]:
    """View decorator: requests with one of ``methods`` count against ``name`` per client."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in methods:
                enforce(request, name)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
