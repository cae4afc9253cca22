"""Reads that may be a little stale go to a PostgreSQL streaming replica (ADR 0048).

Active only when ``DATABASE_REPLICA_URL`` is set (then ``DATABASES["replica"]`` exists and
``DATABASE_ROUTERS`` names :class:`ReplicaRouter`); otherwise the middleware removes itself and
nothing changes.

* **The request's mode.** :class:`ReplicaMiddleware` sets, from the resolved view, one of
  ``stale`` (public pages listed in ``REPLICA_STALE_VIEWS``), ``own`` (a person's own pages:
  ``REPLICA_OWN_ROUTES``) or ``primary`` (everything else, and every unsafe method). Outside a
  request (tasks, commands) there is no mode and every read goes to the primary.
* **The decision** (:func:`replica_allowed`, pure): the replica is used only in ``stale``/``own``
  mode, when the last probe found it healthy, streaming and at most ``REPLICA_MAX_LAG_SECONDS``
  behind, when no transaction is open on the primary, when this request has not written, and —
  for a request carrying the read-your-writes cookie — when the replica has replayed the cookie's
  LSN (:func:`lsn_reached`).
* **Read-your-writes.** A request that wrote to the primary (an unsafe method, or any writing
  statement seen by an execute wrapper on the primary's connection) answers with a signed,
  short-lived cookie holding ``pg_current_wal_lsn()`` read after its commits.
* **Health and lag.** :class:`ReplicaMonitor` probes the replica at most once per
  ``REPLICA_PROBE_SECONDS`` per process on a connection of its own (short connect timeout); a
  failure marks the replica down until the next probe. A replica read that fails inside a view
  (the replica died between probes) is answered by running the view again on the primary.

Sessions, accounts, second factors, powers and staff roles are always read from the primary
(``PINNED``): a logout, a revoked power or a disabled account must take effect at once.
"""

from __future__ import annotations

import fnmatch
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final

import psycopg
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signing import BadSignature
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from tongban.core.errors import DomainError
from tongban.core.middleware import DomainErrorMiddleware

logger = logging.getLogger(__name__)

REPLICA: Final = "replica"
STALE: Final = "stale"
OWN: Final = "own"
PRIMARY: Final = "primary"

#: Read from the primary whatever the mode (app labels, or models as ``app.model``): sessions (a
#: logout ends them at once), accounts, second factors, delegated powers and staff roles (a
#: revoked power or role ends access at once), and the shared kernel's tables (the working-day
#: calendar is cached per process under a token read from the primary: its rows must be as new).
PINNED: Final = frozenset(
    {
        "auth",
        "sessions",
        "django_otp",
        "otp_totp",
        "otp_static",
        "identity.account",
        "identity.power",
        "identity.staffrole",
        "core",
    }
)

COOKIE_NAME: Final = "tb_lsn"
COOKIE_SALT: Final = "tongban.core.replica.lsn"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})

# A probe's query: is it a standby, is its WAL receiver streaming, how far behind is it (0 when it
# has replayed all it received, else the age of the last transaction it replayed), and where is it.
PROBE_SQL: Final = (
    "SELECT pg_is_in_recovery(),"
    " EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'),"
    " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END,"
    " pg_last_wal_replay_lsn()::text"
)
#: A probe in flight for longer than this many intervals plus seconds counts as a failed one.
PROBE_OVERDUE_FACTOR: Final = 3
PROBE_OVERDUE_SECONDS: Final = 5.0
REPLAY_LSN_SQL: Final = "SELECT pg_last_wal_replay_lsn()::text"
PRIMARY_LSN_SQL: Final = "SELECT pg_current_wal_lsn()::text"

#: Connection options the probe's own connection takes from the replica's OPTIONS (Django's own,
#: such as the pool, are not libpq's).
_LIBPQ_OPTIONS: Final = frozenset({"sslmode", "sslrootcert", "sslcert", "sslkey", "options", "target_session_attrs"})
_LSN = re.compile(r"^([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})$")
_WRITE = re.compile(
    r"^\s*(?:INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|ALTER|DROP|COPY|WITH\b[\s\S]*\b(?:INSERT|UPDATE|DELETE)\b)",
    re.I,
)


def parse_lsn(text: str | None) -> int | None:
    """``'16/B374D848'`` as an integer (high 32 bits / low 32 bits); None for anything else."""
    if not text:
        return None
    match = _LSN.match(text.strip())
    if match is None:
        return None
    return (int(match.group(1), 16) << 32) | int(match.group(2), 16)


def format_lsn(lsn: int) -> str:
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


def lsn_reached(replayed: int | None, wanted: int | None) -> bool:
    """Has a replica that replayed up to ``replayed`` seen the commit at ``wanted``?"""
    if wanted is None:
        return True
    return replayed is not None and replayed >= wanted


def is_write(sql: str) -> bool:
    """Does a statement change data (or schema)? ``SELECT … FOR UPDATE`` does not count."""
    return _WRITE.match(sql) is not None


@dataclass(frozen=True)
class Probe:
    """What the last probe of the replica found."""

    healthy: bool
    lag_seconds: float | None = None
    replay_lsn: int | None = None
    checked_at: float = 0.0
    error: str = ""


UNPROBED: Final = Probe(healthy=False, error="not probed yet")


def replica_allowed(
    *, mode: str, probe: Probe, max_lag: float, atomic_open: bool, wrote: bool, cookie_lsn: int | None
) -> bool | None:
    """May this read go to the replica? True/False; None when only a fresh look at the replica's
    replay position can say (the cookie's LSN is past what the last probe saw replayed)."""
    if mode not in (STALE, OWN) or atomic_open or wrote:
        return False
    if not probe.healthy or probe.lag_seconds is None or probe.lag_seconds > max_lag:
        return False
    if lsn_reached(probe.replay_lsn, cookie_lsn):
        return True
    return None


def mode_for(*, method: str, view_name: str, route: str) -> str:
    """The request's mode from its method and resolved view (``REPLICA_STALE_VIEWS`` are view
    names or patterns; ``REPLICA_OWN_ROUTES`` are route prefixes after the language prefix)."""
    if method not in SAFE_METHODS:
        return PRIMARY
    if any(fnmatch.fnmatchcase(view_name, pattern) for pattern in settings.REPLICA_STALE_VIEWS):
        return STALE
    if view_name.startswith("portal:"):
        local = route.split("/", 1)[1] if "/" in route else route
        if any(local.startswith(prefix) for prefix in settings.REPLICA_OWN_ROUTES) and not any(
            local.startswith(prefix) for prefix in settings.REPLICA_OWN_EXCLUDED_ROUTES
        ):
            return OWN
    return PRIMARY


# --- The per-process probe ------------------------------------------------------------------------


class ReplicaMonitor:
    """Health, lag and replay position of the replica, probed at most once per interval."""

    def __init__(self, alias: str = REPLICA, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.alias = alias
        self.clock = clock
        self._probe = UNPROBED
        self._lock = threading.Lock()
        self._connection: psycopg.Connection[Any] | None = None

    def configured(self) -> bool:
        return self.alias in connections.settings

    def _connect_kwargs(self) -> dict[str, Any]:
        config = connections.settings[self.alias]
        options = config.get("OPTIONS", {})
        kwargs: dict[str, Any] = {
            "dbname": config.get("NAME") or "postgres",
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
            "host": config.get("HOST") or None,
            "port": config.get("PORT") or None,
            "connect_timeout": options.get("connect_timeout", 2),
            "autocommit": True,
            "application_name": "tongban-replica-probe",
        }
        kwargs.update({key: value for key, value in options.items() if key in _LIBPQ_OPTIONS})
        return {key: value for key, value in kwargs.items() if value is not None}

    def _query(self, sql: str) -> tuple[Any, ...]:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(**self._connect_kwargs())
        with self._connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
        assert row is not None
        return tuple(row)

    def _drop_connection(self) -> None:
        if self._connection is not None:
            with suppress(psycopg.Error):
                self._connection.close()
        self._connection = None

    def probe(self, *, force: bool = False) -> Probe:
        """The last probe, refreshed when older than ``REPLICA_PROBE_SECONDS``. One thread probes;
        the others use the last answer meanwhile."""
        current = self._probe
        interval = settings.REPLICA_PROBE_SECONDS
        age = self.clock() - current.checked_at
        if not force and current is not UNPROBED and age < interval:
            return current
        if not self._lock.acquire(blocking=force or current is UNPROBED):
            # Another thread is probing. A probe that hangs (a frozen server) must not keep an
            # old "healthy" alive: past a few intervals without an answer, the replica is down.
            if current.healthy and age > PROBE_OVERDUE_FACTOR * interval + PROBE_OVERDUE_SECONDS:
                return Probe(healthy=False, checked_at=current.checked_at, error="probe overdue")
            return current
        try:
            if not force and self._probe is not current:
                return self._probe  # measured by another thread while this one waited
            self._probe = self._measure()
        finally:
            self._lock.release()
        return self._probe

    def _measure(self) -> Probe:
        now = self.clock()
        try:
            try:
                in_recovery, streaming, lag, replay = self._query(PROBE_SQL)
            except (psycopg.Error, OSError):
                if self._connection is None:
                    raise
                # The kept connection may predate a restart of the replica: one fresh try.
                self._drop_connection()
                in_recovery, streaming, lag, replay = self._query(PROBE_SQL)
        except (psycopg.Error, OSError) as exc:
            self._drop_connection()
            logger.warning("replica probe failed: %s", exc.__class__.__name__)
            return Probe(healthy=False, checked_at=now, error=exc.__class__.__name__)
        if not in_recovery:
            return Probe(healthy=False, checked_at=now, error="not a standby")
        if not streaming:
            return Probe(healthy=False, replay_lsn=parse_lsn(replay), checked_at=now, error="not streaming")
        return Probe(healthy=True, lag_seconds=max(0.0, float(lag or 0)), replay_lsn=parse_lsn(replay), checked_at=now)

    def mark_down(self, error: str) -> None:
        """A replica read failed: use the primary until the next probe."""
        self._probe = Probe(healthy=False, checked_at=self.clock(), error=error)

    def replayed(self, lsn: int) -> bool:
        """Has the replica replayed ``lsn``? One query on the request's replica connection."""
        try:
            with connections[self.alias].cursor() as cursor:
                cursor.execute(REPLAY_LSN_SQL)
                row = cursor.fetchone()
        except DatabaseError as exc:
            self.mark_down(exc.__class__.__name__)
            return False
        return lsn_reached(parse_lsn(row[0] if row else None), lsn)

    def close(self) -> None:
        self._drop_connection()


monitor = ReplicaMonitor()


# --- The request's reads ------------------------------------------------------------------------


@dataclass
class RequestReads:
    """Per request: its mode, the cookie's LSN, whether it wrote, what was decided."""

    mode: str = PRIMARY
    cookie_lsn: int | None = None
    wrote: bool = False
    caught_up: bool | None = None  # the cookie's LSN replayed (asked at most once per request)
    used_replica: bool = False
    left_replica: bool = False  # read from the primary once: stays there
    retried: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


_reads: ContextVar[RequestReads | None] = ContextVar("tongban_replica_reads", default=None)


@contextmanager
def request_reads(reads: RequestReads) -> Iterator[RequestReads]:
    """Make ``reads`` the current request's (used by the middleware, and by tests)."""
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def read_alias(model: type[Model] | None = None, *, replica_monitor: ReplicaMonitor | None = None) -> str:
    """Where a read of ``model`` goes now: ``"replica"`` or ``"default"``."""
    reads = _reads.get()
    if reads is None or reads.mode == PRIMARY or reads.wrote or reads.left_replica:
        return DEFAULT_DB_ALIAS
    if model is not None and (model._meta.app_label in PINNED or model._meta.label_lower in PINNED):
        return DEFAULT_DB_ALIAS
    chosen = replica_monitor or monitor
    if not chosen.configured():
        return DEFAULT_DB_ALIAS
    allowed = replica_allowed(
        mode=reads.mode,
        probe=chosen.probe(),
        max_lag=settings.REPLICA_MAX_LAG_SECONDS,
        atomic_open=connections[DEFAULT_DB_ALIAS].in_atomic_block,
        wrote=reads.wrote,
        cookie_lsn=reads.cookie_lsn if not reads.caught_up else None,
    )
    if allowed is None:
        if reads.caught_up is None and reads.cookie_lsn is not None:
            reads.caught_up = chosen.replayed(reads.cookie_lsn)
        allowed = bool(reads.caught_up)
    if allowed:
        reads.used_replica = True
        return chosen.alias
    # Never back: a read on the replica after one on the primary could see older rows than the
    # request already saw (a revision token from the primary, then a page body from the replica,
    # would cache an old body under the new token).
    reads.left_replica = True
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Django's database router: reads per :func:`read_alias`, every write and migration on the
    primary; objects from either alias may be related (they are the same database)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_alias(model)

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


# --- The middleware -------------------------------------------------------------------------------


def cookie_max_age() -> int:
    """Long enough that, once the cookie is gone, the lag limit alone guarantees the write."""
    return max(30, int(2 * settings.REPLICA_MAX_LAG_SECONDS))


class ReplicaMiddleware:
    """Sets the request's mode, notes its writes, answers a writing request with the LSN cookie,
    and runs a view again on the primary when a replica read failed. Removes itself when no
    replica is configured."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if REPLICA not in connections.settings:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reads = RequestReads(wrote=request.method not in SAFE_METHODS)
        if COOKIE_NAME in request.COOKIES:
            try:
                value = request.get_signed_cookie(COOKIE_NAME, salt=COOKIE_SALT, max_age=cookie_max_age())
            except (BadSignature, KeyError):
                value = None
            reads.cookie_lsn = parse_lsn(value)

        def note_writes(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            if not reads.wrote and isinstance(sql, str) and is_write(sql):
                reads.wrote = True
            return execute(sql, params, many, context)

        with request_reads(reads), connections[DEFAULT_DB_ALIAS].execute_wrapper(note_writes):
            response = self.get_response(request)
        if reads.wrote:
            self._set_cookie(request, response)
        return response

    @staticmethod
    def _set_cookie(request: HttpRequest, response: HttpResponse) -> None:
        primary = connections[DEFAULT_DB_ALIAS]
        if primary.vendor != "postgresql" or primary.in_atomic_block:
            return
        try:
            with primary.cursor() as cursor:
                cursor.execute(PRIMARY_LSN_SQL)
                row = cursor.fetchone()
        except DatabaseError:
            return
        if row is None or parse_lsn(row[0]) is None:
            return
        response.set_signed_cookie(
            COOKIE_NAME,
            row[0],
            salt=COOKIE_SALT,
            max_age=cookie_max_age(),
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        reads = _reads.get()
        match = request.resolver_match
        if reads is not None and match is not None:
            reads.mode = mode_for(method=request.method or "GET", view_name=match.view_name, route=match.route)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        reads = _reads.get()
        if (
            reads is None
            or not reads.used_replica
            or reads.retried
            or not isinstance(exception, (OperationalError, InterfaceError))
            or request.method not in SAFE_METHODS
            or request.resolver_match is None
        ):
            return None
        logger.warning("replica read failed (%s): the view runs again on the primary", exception.__class__.__name__)
        monitor.mark_down(exception.__class__.__name__)
        with suppress(DatabaseError):
            connections[REPLICA].close()
        reads.mode, reads.retried = PRIMARY, True
        match = request.resolver_match
        try:
            response: HttpResponse = match.func(request, *match.args, **match.kwargs)
            render = getattr(response, "render", None)
            if callable(render) and not getattr(response, "is_rendered", True):
                render()
        except DomainError as exc:
            # The answer DomainErrorMiddleware gives (Http404 and the like are Django's own).
            return DomainErrorMiddleware.error_page(request, exc)
        return response


def replica_status() -> dict[str, Any] | None:
    """For ``/healthz``: None without a replica, else whether reads use it and its lag."""
    if not monitor.configured():
        return None
    probe = monitor.probe()
    in_use = probe.healthy and probe.lag_seconds is not None and probe.lag_seconds <= settings.REPLICA_MAX_LAG_SECONDS
    status: dict[str, Any] = {
        "configured": True,
        "state": "in_use" if in_use else "fallen_back",
        "lag_seconds": None if probe.lag_seconds is None else round(probe.lag_seconds, 3),
        "max_lag_seconds": settings.REPLICA_MAX_LAG_SECONDS,
    }
    if probe.error:
        status["error"] = probe.error
    return status
