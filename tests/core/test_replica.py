"""The replica router's decisions, without a database (ADR 0048): the request's mode from its view,
the decision table, LSN arithmetic, the probe's caching, and that nothing changes without a replica.
The same logic against a real primary and streaming replica: test_replica_pg.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from django.http import HttpResponse
from django.test import Client
from django.urls import resolve
from django.utils import translation

from tongban.catalogue.models import ServiceItem as Service
from tongban.core import replica
from tongban.core.models import CalendarDay
from tongban.core.replica import (
    OWN,
    PRIMARY,
    STALE,
    Probe,
    ReplicaMiddleware,
    ReplicaMonitor,
    ReplicaRouter,
    RequestReads,
    format_lsn,
    is_write,
    lsn_reached,
    mode_for,
    parse_lsn,
    read_alias,
    replica_allowed,
    request_reads,
)
from tongban.identity.models import Account, Power, ServiceCentre

HEALTHY = Probe(healthy=True, lag_seconds=0.5, replay_lsn=parse_lsn("0/3000000"), checked_at=0.0)


def test_lsns_are_compared_as_numbers_not_text() -> None:
    assert parse_lsn("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert parse_lsn("0/0") == 0
    assert parse_lsn("nonsense") is None
    assert parse_lsn("") is None
    assert parse_lsn(None) is None
    # As text, "9/0" > "10/0"; as positions it is behind.
    assert not lsn_reached(parse_lsn("9/FFFFFFFF"), parse_lsn("10/0"))
    assert lsn_reached(parse_lsn("10/0"), parse_lsn("9/FFFFFFFF"))
    assert lsn_reached(parse_lsn("0/3000060"), parse_lsn("0/3000060"))
    assert not lsn_reached(None, parse_lsn("0/1"))
    assert lsn_reached(None, None)
    assert format_lsn(parse_lsn("16/B374D848") or 0) == "16/B374D848"


def test_writing_statements_are_told_from_reads() -> None:
    for sql in (
        'INSERT INTO "x" VALUES (1)',
        '  update "x" SET a = 1',
        'DELETE FROM "x"',
        "WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved",
        "TRUNCATE x",
    ):
        assert is_write(sql), sql
    for sql in (
        'SELECT "x"."id" FROM "x" FOR UPDATE',
        "SELECT pg_current_wal_lsn()",
        "WITH t AS (SELECT 1) SELECT * FROM t",
    ):
        assert not is_write(sql), sql


@pytest.mark.parametrize(
    ("path", "method", "mode"),
    [
        ("/zh/services/", "GET", STALE),
        ("/en/services/some-service/", "GET", STALE),
        ("/zh/search/", "GET", STALE),
        ("/zh/centres/", "GET", STALE),
        ("/zh/statistics/", "GET", STALE),
        ("/zh/open-data/", "GET", STALE),
        ("/open-data/catalog.jsonld", "GET", STALE),
        ("/sitemap.xml", "GET", STALE),
        ("/zh/services/some-service/", "POST", PRIMARY),  # every unsafe method writes
        ("/zh/my/", "GET", OWN),
        ("/en/my/cases/SH2025000001/", "GET", OWN),
        ("/zh/my/certificates/", "GET", OWN),
        ("/zh/my/cases/", "POST", PRIMARY),
        ("/zh/my/firms/91310000MA1FL8XQ30/", "GET", PRIMARY),  # a revoked power ends access at once
        ("/verify/ABC123", "GET", PRIMARY),  # a revocation must show at once
        ("/zh/verify/ABC123/", "GET", PRIMARY),
        ("/zh/backoffice/", "GET", PRIMARY),
        ("/zh/login/", "GET", PRIMARY),
        ("/zh/", "GET", PRIMARY),
        ("/healthz", "GET", PRIMARY),
    ],
)
def test_each_page_has_its_mode(path: str, method: str, mode: str) -> None:
    language = path.split("/")[1] if path.startswith(("/zh/", "/en/")) else "en"
    with translation.override(language):
        match = resolve(path)
    assert mode_for(method=method, view_name=match.view_name, route=match.route) == mode


def test_statistics_charts_are_stale_tolerant() -> None:
    from tongban.portal.views.statistics_charts import urlpatterns as chart_patterns

    names = [pattern.name for pattern in chart_patterns()]
    assert names
    for name in names:
        assert mode_for(method="GET", view_name=f"portal:{name}", route=f"zh/statistics/charts/{name}.svg") == STALE


def _allowed(**changes: Any) -> bool | None:
    arguments: dict[str, Any] = {
        "mode": STALE,
        "probe": HEALTHY,
        "max_lag": 5.0,
        "atomic_open": False,
        "wrote": False,
        "cookie_lsn": None,
    }
    arguments.update(changes)
    return replica_allowed(**arguments)


def test_the_decision_table() -> None:
    assert _allowed() is True
    assert _allowed(mode=OWN) is True
    assert _allowed(mode=PRIMARY) is False
    assert _allowed(atomic_open=True) is False  # a transaction reads what it is about to write
    assert _allowed(wrote=True) is False  # the request reads its own writes
    assert _allowed(probe=Probe(healthy=False, error="OperationalError")) is False
    assert _allowed(probe=Probe(healthy=True, lag_seconds=5.0, replay_lsn=0)) is True  # at the limit
    assert _allowed(probe=Probe(healthy=True, lag_seconds=5.01, replay_lsn=0)) is False  # past it
    assert _allowed(probe=Probe(healthy=True, lag_seconds=None)) is False
    assert _allowed(cookie_lsn=parse_lsn("0/2FFFFFF")) is True  # already replayed at the last probe
    assert _allowed(cookie_lsn=parse_lsn("0/3000000")) is True
    assert _allowed(cookie_lsn=parse_lsn("0/3000001")) is None  # ask the replica
    assert _allowed(mode=PRIMARY, cookie_lsn=parse_lsn("0/3000001")) is False  # never asked


class FakeMonitor(ReplicaMonitor):
    """A monitor whose probe and replay answers are given, counting the questions."""

    def __init__(self, probe: Probe, *, replayed: bool = True) -> None:
        super().__init__()
        self.given = probe
        self.answer = replayed
        self.asked: list[int] = []
        self.probes = 0

    def configured(self) -> bool:
        return True

    def probe(self, *, force: bool = False) -> Probe:
        self.probes += 1
        return self.given

    def replayed(self, lsn: int) -> bool:
        self.asked.append(lsn)
        return self.answer


def test_reads_go_where_the_request_allows() -> None:
    monitor = FakeMonitor(HEALTHY)
    assert read_alias(Service, replica_monitor=monitor) == "default"  # outside a request
    with request_reads(RequestReads(mode=PRIMARY)):
        assert read_alias(Service, replica_monitor=monitor) == "default"
    assert monitor.probes == 0  # a primary-mode page costs the router nothing
    with request_reads(RequestReads(mode=STALE)) as reads:
        assert read_alias(Service, replica_monitor=monitor) == "replica"
        assert read_alias(Account, replica_monitor=monitor) == "default"  # accounts are pinned
        assert read_alias(Power, replica_monitor=monitor) == "default"  # so are delegated powers
        assert read_alias(Session, replica_monitor=monitor) == "default"  # and sessions
        assert read_alias(ServiceCentre, replica_monitor=monitor) == "replica"  # not the rest of identity
        reads.wrote = True
        assert read_alias(Service, replica_monitor=monitor) == "default"  # after a write: the primary
    with request_reads(RequestReads(mode=OWN)):
        assert read_alias(Service, replica_monitor=FakeMonitor(Probe(healthy=True, lag_seconds=9))) == "default"
        assert read_alias(Service, replica_monitor=FakeMonitor(Probe(healthy=False))) == "default"


def test_an_open_transaction_reads_from_the_primary(monkeypatch: pytest.MonkeyPatch) -> None:
    monitor = FakeMonitor(HEALTHY)
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    with request_reads(RequestReads(mode=STALE)):
        assert read_alias(Service, replica_monitor=monitor) == "default"


def test_the_cookie_is_checked_once_per_request_and_only_when_needed() -> None:
    behind = FakeMonitor(HEALTHY, replayed=False)
    with request_reads(RequestReads(mode=OWN, cookie_lsn=parse_lsn("0/4000000"))):
        assert read_alias(Service, replica_monitor=behind) == "default"
        assert read_alias(Service, replica_monitor=behind) == "default"
    assert behind.asked == [parse_lsn("0/4000000")]
    caught_up = FakeMonitor(HEALTHY, replayed=True)
    with request_reads(RequestReads(mode=OWN, cookie_lsn=parse_lsn("0/4000000"))):
        assert read_alias(Service, replica_monitor=caught_up) == "replica"
        assert read_alias(Service, replica_monitor=caught_up) == "replica"
    assert len(caught_up.asked) == 1
    old_write = FakeMonitor(HEALTHY)
    with request_reads(RequestReads(mode=STALE, cookie_lsn=parse_lsn("0/100"))):
        assert read_alias(Service, replica_monitor=old_write) == "replica"
    assert old_write.asked == []  # the last probe had already seen it replayed
    with request_reads(RequestReads(mode=PRIMARY, cookie_lsn=parse_lsn("0/4000000"))):
        assert read_alias(Service, replica_monitor=behind) == "default"
    assert len(behind.asked) == 1


def test_the_probe_runs_at_most_once_per_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monitor = ReplicaMonitor(clock=lambda: now[0])
    calls: list[str] = []

    def query(sql: str) -> tuple[Any, ...]:
        calls.append(sql)
        return (True, True, 0.25, "0/3000000")

    monkeypatch.setattr(monitor, "_query", query)
    interval = settings.REPLICA_PROBE_SECONDS
    first = monitor.probe()
    assert first.healthy
    assert first.lag_seconds == 0.25
    assert monitor.probe() is first
    now[0] += interval * 0.9
    assert monitor.probe() is first
    assert len(calls) == 1
    now[0] += interval * 0.2
    assert monitor.probe() is not first
    assert len(calls) == 2


def test_a_failing_probe_marks_the_replica_down(monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    monitor = ReplicaMonitor(clock=lambda: 5.0)

    def refused(sql: str) -> tuple[Any, ...]:
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(monitor, "_query", refused)
    probe = monitor.probe()
    assert not probe.healthy
    assert probe.error == "OperationalError"
    monkeypatch.setattr(monitor, "_query", lambda sql: (False, False, 0, "0/1"))
    assert monitor.probe(force=True).error == "not a standby"  # a promoted replica is no replica
    monkeypatch.setattr(monitor, "_query", lambda sql: (True, False, 0, "0/1"))
    assert monitor.probe(force=True).error == "not streaming"  # cut off: its lag cannot be known


def test_the_router_writes_and_migrates_on_the_primary_only() -> None:
    router = ReplicaRouter()
    assert router.db_for_write(Service) == "default"
    assert router.allow_migrate("default", "catalogue")
    assert not router.allow_migrate("replica", "catalogue")
    one, other = Service(), Service()
    one._state.db, other._state.db = "default", "replica"
    assert router.allow_relation(one, other)


def test_without_a_replica_nothing_changes() -> None:
    assert "replica" not in settings.DATABASES
    assert settings.DATABASE_ROUTERS == []
    with pytest.raises(MiddlewareNotUsed):
        ReplicaMiddleware(lambda request: HttpResponse())
    assert replica.replica_status() is None


@pytest.mark.django_db
def test_healthz_without_a_replica_says_nothing_of_one(client: Client) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert "replica" not in body


@pytest.mark.django_db
def test_healthz_reports_the_replica_and_stays_up_when_it_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replica, "monitor", FakeMonitor(Probe(healthy=True, lag_seconds=1.25)))
    body = client.get("/healthz").json()
    assert body["replica"] == {"configured": True, "state": "in_use", "lag_seconds": 1.25, "max_lag_seconds": 5.0}
    monkeypatch.setattr(replica, "monitor", FakeMonitor(Probe(healthy=True, lag_seconds=60.0)))
    assert client.get("/healthz").json()["replica"]["state"] == "fallen_back"
    monkeypatch.setattr(replica, "monitor", FakeMonitor(Probe(healthy=False, error="OperationalError")))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["replica"] == {
        "configured": True,
        "state": "fallen_back",
        "lag_seconds": None,
        "max_lag_seconds": 5.0,
        "error": "OperationalError",
    }


def _settings_with(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = (
        "import json; from tongban.conf import base; "
        "print(json.dumps({'replica': base.DATABASES.get('replica'), 'routers': base.DATABASE_ROUTERS}, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ, **environment}, check=False
    )


def test_a_replica_url_adds_the_alias_and_the_router() -> None:
    result = _settings_with(
        {
            "DATABASE_URL": "postgres://app@db-primary:5432/tongban",
            "DATABASE_REPLICA_URL": "postgres://app@db-replica:5433/tongban",
        }
    )
    assert result.returncode == 0, result.stderr
    built = json.loads(result.stdout)
    assert built["routers"] == ["tongban.core.replica.ReplicaRouter"]
    alias = built["replica"]
    assert (alias["HOST"], alias["PORT"], alias["NAME"]) == ("db-replica", 5433, "tongban")
    assert alias["TEST"] == {"MIRROR": "default"}
    assert alias["OPTIONS"]["connect_timeout"] == 2  # a stopped replica is noticed fast
    assert alias["OPTIONS"]["pool"]["timeout"] == 2

    empty = _settings_with({"DATABASE_REPLICA_URL": ""})
    assert empty.returncode == 0, empty.stderr
    assert json.loads(empty.stdout) == {"replica": None, "routers": []}

    sqlite = _settings_with({"DATABASE_REPLICA_URL": "sqlite:///tmp/replica.sqlite3"})
    assert sqlite.returncode != 0
    assert "must be a postgres:// URL" in sqlite.stderr


def test_missing_server_binaries_skip_the_pair_tests_but_fail_them_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import pgpair

    monkeypatch.setattr(pgpair, "find_bindir", lambda: None)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="initdb"):
        pgpair.require_binaries()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        pgpair.require_binaries()


def test_a_hanging_probe_does_not_keep_an_old_healthy_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monitor = ReplicaMonitor(clock=lambda: now[0])
    monkeypatch.setattr(monitor, "_query", lambda sql: (True, True, 0, "0/1"))
    assert monitor.probe().healthy
    assert monitor._lock.acquire()  # another thread's probe, hanging on a frozen server
    try:
        now[0] = settings.REPLICA_PROBE_SECONDS * 2
        assert monitor.probe().healthy  # meanwhile: the last answer
        now[0] = settings.REPLICA_PROBE_SECONDS * 3 + 6
        overdue = monitor.probe()
        assert not overdue.healthy
        assert overdue.error == "probe overdue"
    finally:
        monitor._lock.release()


def test_a_request_that_read_the_primary_never_goes_back_to_the_replica() -> None:
    """Otherwise it could see older rows than it already saw (a revision token from the primary,
    then the body it caches under that token from the replica)."""
    monitor = FakeMonitor(Probe(healthy=False, error="OperationalError"))
    with request_reads(RequestReads(mode=STALE)):
        assert read_alias(Service, replica_monitor=monitor) == "default"
        monitor.given = HEALTHY  # the next probe finds it back
        assert read_alias(Service, replica_monitor=monitor) == "default"
    with request_reads(RequestReads(mode=STALE)):
        assert read_alias(Service, replica_monitor=monitor) == "replica"
        assert read_alias(CalendarDay, replica_monitor=monitor) == "default"  # pinned: not a switch
        assert read_alias(Service, replica_monitor=monitor) == "replica"
