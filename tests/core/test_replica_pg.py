"""The replica router against a real PostgreSQL primary and streaming hot standby (ADR 0048).

tests/pgpair.py starts the pair once for the module (skipped with a message when the server
binaries are missing; failing under CI=true). The router's module is given Django connections to
the pair (``replica.connections``); requests go through :class:`ReplicaMiddleware` with a view that
writes or reads a ``note`` table on whichever alias the router chose, so every test sees both the
decision and the data it produced. Lag is made on purpose with ``pg_wal_replay_pause()``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.db.utils import ConnectionHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation

from tests.pgpair import PgPair, pg_pair
from tongban.catalogue.models import ServiceItem
from tongban.core import replica
from tongban.core.errors import NotFoundError
from tongban.core.replica import COOKIE_NAME, COOKIE_SALT, Probe, ReplicaMiddleware, ReplicaMonitor, parse_lsn

# The pair is PostgreSQL's own and does not use the suite's database: run it once, in the
# PostgreSQL pass of `make test` (where a missing server binary fails under CI=true).
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="primary + replica tests run in the PostgreSQL pass of the suite"
)

CREATE = "CREATE TABLE note (id serial PRIMARY KEY, body text NOT NULL)"


@pytest.fixture(scope="module")
def pair() -> Iterator[PgPair]:
    with pg_pair() as started:
        with started.connect(started.primary_port) as primary:
            primary.execute(CREATE)
        started.wait_replayed()
        yield started


class CountingMonitor(ReplicaMonitor):
    def __init__(self) -> None:
        super().__init__()
        self.measured = 0
        self.replay_questions = 0

    def _measure(self) -> Probe:
        self.measured += 1
        return super()._measure()

    def replayed(self, lsn: int) -> bool:
        self.replay_questions += 1
        return super().replayed(lsn)


@pytest.fixture
def wired(
    pair: PgPair, monkeypatch: pytest.MonkeyPatch, settings: Any, django_db_blocker: Any
) -> Iterator[tuple[ConnectionHandler, CountingMonitor]]:
    """Django connections to the pair as ``default`` and ``replica``, a fresh probe, replay running."""
    handler = ConnectionHandler(
        {"default": pair.database(pair.primary_port), "replica": pair.database(pair.replica_port)}
    )
    monitor = CountingMonitor()
    monkeypatch.setattr(replica, "connections", handler)
    monkeypatch.setattr(replica, "monitor", monitor)
    settings.REPLICA_PROBE_SECONDS = 0.0
    settings.REPLICA_MAX_LAG_SECONDS = 5.0
    with django_db_blocker.unblock():
        yield handler, monitor
        handler.close_all()
        monitor.close()
    if not (pair.replica_dir / "postmaster.pid").exists():
        pair.start_replica()
    with pair.connect(pair.replica_port) as standby:
        standby.execute("SELECT pg_wal_replay_resume()")
    pair.wait_replayed()


def primary_write(handler: ConnectionHandler, body: str) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        with handler["default"].cursor() as cursor:
            cursor.execute("INSERT INTO note (body) VALUES (%s)", [body])
        return HttpResponse("written")

    return view


def read_notes(handler: ConnectionHandler, body: str) -> Callable[[HttpRequest], HttpResponse]:
    """A page reading through the router (as the ORM does for a catalogue model)."""

    def view(request: HttpRequest) -> HttpResponse:
        alias = replica.ReplicaRouter().db_for_read(ServiceItem)
        with handler[alias].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM note WHERE body = %s", [body])
            row = cursor.fetchone()
        return JsonResponse({"alias": alias, "count": row[0] if row else None})

    return view


def serve(
    path: str, view: Callable[[HttpRequest], HttpResponse], *, method: str = "get", cookie: str | None = None
) -> HttpResponse:
    """One request through the middleware as Django's handler runs it (process_view, the view,
    process_exception when the view raises)."""
    request = getattr(RequestFactory(), method)(path)
    if cookie is not None:
        request.COOKIES[COOKIE_NAME] = cookie
    with translation.override(path.split("/")[1] if path.startswith(("/zh/", "/en/")) else "en"):
        match = resolve(path)
    match.func = view
    request.resolver_match = match

    def handle(request: HttpRequest) -> HttpResponse:
        middleware.process_view(request, view, (), {})
        try:
            return view(request)
        except Exception as exc:
            answer = middleware.process_exception(request, exc)
            if answer is None:
                raise
            return answer

    middleware = ReplicaMiddleware(handle)
    return middleware(request)


def body(response: HttpResponse) -> Any:
    return json.loads(response.content)


def the_cookie(response: HttpResponse) -> str:
    morsel = response.cookies[COOKIE_NAME]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    assert int(morsel["max-age"]) >= 10
    return morsel.value


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def pause_replay(pair: PgPair) -> None:
    with pair.connect(pair.replica_port) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        wait_until(lambda: standby.execute("SELECT pg_get_wal_replay_pause_state()").fetchone() == ("paused",))


def received(pair: PgPair, lsn: str) -> bool:
    with pair.connect(pair.replica_port) as standby:
        row = standby.execute("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", (lsn,)).fetchone()
    return bool(row and row[0])


def test_the_probe_measures_a_streaming_replica(pair: PgPair, wired: tuple[ConnectionHandler, CountingMonitor]) -> None:
    _handler, monitor = wired
    probe = monitor.probe()
    assert probe.healthy, probe.error
    assert probe.lag_seconds == 0.0  # idle: it has replayed all it received
    with pair.connect(pair.replica_port) as standby:
        row = standby.execute("SELECT pg_last_wal_replay_lsn()::text").fetchone()
    assert row is not None
    assert probe.replay_lsn == parse_lsn(row[0])


def test_own_pages_read_their_writes_and_stale_pages_tolerate_lag(
    pair: PgPair, wired: tuple[ConnectionHandler, CountingMonitor], settings: Any
) -> None:
    handler, monitor = wired
    # A recent replayed commit, so that the lag measured below starts near zero.
    serve("/zh/my/profile/", primary_write(handler, "warm-up"), method="post")
    pair.wait_replayed()
    pause_replay(pair)

    written = serve("/zh/my/profile/", primary_write(handler, "mine"), method="post")
    assert written.status_code == 200
    cookie = the_cookie(written)
    lsn = (
        RequestFactory()
        .get("/", HTTP_COOKIE=f"{COOKIE_NAME}={cookie}")
        .get_signed_cookie(COOKIE_NAME, salt=COOKIE_SALT)
    )
    with pair.connect(pair.primary_port) as primary:
        current = primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert current is not None
    assert parse_lsn(lsn) is not None
    assert parse_lsn(lsn) <= parse_lsn(current[0])
    wait_until(lambda: received(pair, lsn))

    # The writer's own page, with the cookie: the replica has not replayed the write -> primary.
    own = body(serve("/zh/my/", read_notes(handler, "mine"), cookie=cookie))
    assert own == {"alias": "default", "count": 1}
    assert monitor.replay_questions == 1  # one question for the cookie, once per request
    # The same kind of page without the cookie (someone else, or much later): the replica, stale.
    assert body(serve("/zh/my/", read_notes(handler, "mine"))) == {"alias": "replica", "count": 0}
    # A public page tolerates the lag while it is under the limit ...
    assert body(serve("/zh/services/", read_notes(handler, "mine")))["alias"] == "replica"
    # ... but not for the writer, whose cookie is honoured on any page.
    assert body(serve("/zh/services/", read_notes(handler, "mine"), cookie=cookie))["alias"] == "default"
    # Certificate verification never reads the replica.
    assert body(serve("/verify/ABC123", read_notes(handler, "mine")))["alias"] == "default"

    # Past the lag limit every page falls back to the primary.
    settings.REPLICA_MAX_LAG_SECONDS = 0.3
    wait_until(lambda: (monitor.probe().lag_seconds or 0) > 0.3)
    assert body(serve("/zh/services/", read_notes(handler, "mine"))) == {"alias": "default", "count": 1}
    assert body(serve("/zh/my/", read_notes(handler, "mine"))) == {"alias": "default", "count": 1}

    # Replay resumes: once the write is replayed, the writer's page reads it from the replica.
    settings.REPLICA_MAX_LAG_SECONDS = 5.0
    with pair.connect(pair.replica_port) as standby:
        standby.execute("SELECT pg_wal_replay_resume()")
    pair.wait_replayed()
    assert body(serve("/zh/my/", read_notes(handler, "mine"), cookie=cookie)) == {"alias": "replica", "count": 1}


def test_a_safe_request_that_writes_also_sets_the_cookie(
    pair: PgPair, wired: tuple[ConnectionHandler, CountingMonitor]
) -> None:
    handler, _monitor = wired
    response = serve("/zh/my/", primary_write(handler, "on-get"))
    assert parse_lsn(
        RequestFactory()
        .get("/", HTTP_COOKIE=f"{COOKIE_NAME}={the_cookie(response)}")
        .get_signed_cookie(COOKIE_NAME, salt=COOKIE_SALT)
    )
    assert COOKIE_NAME not in serve("/zh/my/", read_notes(handler, "on-get")).cookies
    forged = serve("/zh/my/", read_notes(handler, "on-get"), cookie="0/FFFFFFFF")  # unsigned: ignored
    assert body(forged)["alias"] == "replica"


def test_the_router_costs_no_query_on_primary_pages_and_one_probe_per_interval(
    pair: PgPair, wired: tuple[ConnectionHandler, CountingMonitor], settings: Any
) -> None:
    handler, monitor = wired
    settings.REPLICA_PROBE_SECONDS = 60.0

    def nothing(request: HttpRequest) -> HttpResponse:
        return HttpResponse(replica.ReplicaRouter().db_for_read(ServiceItem))

    assert serve("/zh/backoffice/", nothing).content == b"default"
    assert serve("/zh/my/cases/", nothing, method="post").content == b"default"
    assert handler["replica"].connection is None
    assert monitor.measured == 0
    for _ in range(3):
        assert serve("/zh/services/", nothing).content == b"replica"
    assert monitor.measured == 1
    assert handler["replica"].connection is None  # the probe has its own connection
    assert monitor.replay_questions == 0


def test_a_stopped_replica_sends_every_read_to_the_primary(
    pair: PgPair, wired: tuple[ConnectionHandler, CountingMonitor], settings: Any
) -> None:
    handler, monitor = wired
    serve("/zh/my/profile/", primary_write(handler, "while-down"), method="post")
    assert monitor.probe().healthy
    pair.stop_replica()
    started = time.monotonic()
    page = serve("/zh/services/", read_notes(handler, "while-down"))
    assert time.monotonic() - started < 2.5  # refused at once, or the connect timeout
    assert page.status_code == 200
    assert body(page) == {"alias": "default", "count": 1}
    status = replica.replica_status()
    assert status is not None
    assert status["state"] == "fallen_back"
    assert status["error"]  # refused, or the kept connection shut down

    pair.start_replica()
    wait_until(lambda: monitor.probe().healthy)
    assert body(serve("/zh/services/", read_notes(handler, "while-down"))) == {"alias": "replica", "count": 1}


def test_a_replica_lost_between_probes_costs_a_retry_not_an_error(
    pair: PgPair, wired: tuple[ConnectionHandler, CountingMonitor], settings: Any
) -> None:
    handler, monitor = wired
    settings.REPLICA_PROBE_SECONDS = 60.0
    assert monitor.probe().healthy  # trusted for a minute
    pair.stop_replica()
    page = serve("/zh/services/", read_notes(handler, "nothing"))
    assert page.status_code == 200
    assert body(page) == {"alias": "default", "count": 0}
    assert not replica.monitor.probe().healthy  # marked down until the next probe
    with pytest.raises(OperationalError), handler["replica"].cursor() as cursor:
        cursor.execute("SELECT 1")


def test_a_retried_view_that_finds_nothing_answers_its_own_error_page(
    pair: PgPair, wired: tuple[ConnectionHandler, CountingMonitor], settings: Any
) -> None:
    handler, monitor = wired
    settings.REPLICA_PROBE_SECONDS = 60.0
    assert monitor.probe().healthy

    def lookup(request: HttpRequest) -> HttpResponse:
        alias = replica.ReplicaRouter().db_for_read(ServiceItem)
        with handler[alias].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM note WHERE body = 'absent'")
        raise NotFoundError("No such note.")

    pair.stop_replica()
    page = serve("/zh/services/", lookup)
    assert page.status_code == 404  # the retry's own answer, not a 500
    assert not monitor.probe().healthy
