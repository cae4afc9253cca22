"""What ``make cluster`` configures, checked without starting it (both halves of the suite): the
balancer never resends a request a node may have received, health checks that Django answers,
every part on its own port, and the environment each node gets (ADR 0049)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.conftest import script


def _cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base: int) -> Any:
    monkeypatch.setenv("CLUSTER_PORT_BASE", str(base))
    monkeypatch.delenv("CLUSTER_PORT", raising=False)
    return script.Cluster(tmp_path / str(base))


def test_the_balancer_resends_nothing_a_node_may_have_received(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = script.haproxy_config(_cluster(tmp_path, monkeypatch, 18000))
    lines = [line.strip() for line in config.splitlines() if line.strip() and not line.strip().startswith("#")]
    # Only a connection that could not be made is tried again (on the other node)...
    assert [line for line in lines if line.startswith("retry-on")] == ["retry-on conn-failure"]
    assert "option redispatch 1" in lines
    # ...and a POST never, whatever retry-on says.
    assert "http-request disable-l7-retry if METH_POST" in lines
    # Round robin over both nodes, checked on /healthz with a Host header (Django answers 400 without one).
    assert "balance roundrobin" in lines
    assert "option httpchk GET /healthz HTTP/1.1" in lines
    assert "http-check send hdr Host 127.0.0.1" in lines
    assert "option forwardfor" in lines
    assert [line.split()[1:3] for line in lines if line.startswith("server ")] == [
        ["web1", "127.0.0.1:18031"],
        ["web2", "127.0.0.1:18032"],
    ]
    haproxy = script.haproxy_path()
    if haproxy:
        path = tmp_path / "haproxy.cfg"
        path.write_text(config)
        checked = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_part_has_its_own_port_and_two_bases_never_meet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = _cluster(tmp_path, monkeypatch, 18000)
    other = _cluster(tmp_path, monkeypatch, 18100)
    ports = set(one.ports.values())
    assert len(ports) == len(one.ports)
    assert 5432 not in ports and 6379 not in ports
    assert not ports & set(other.ports.values())


def test_each_node_trusts_one_proxy_and_reads_the_replica(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = _cluster(tmp_path, monkeypatch, 18000)
    web = cluster.django_env(web=True)
    worker = cluster.django_env()
    assert web["TRUSTED_PROXY_COUNT"] == "1"
    assert "TRUSTED_PROXY_COUNT" not in worker or worker["TRUSTED_PROXY_COUNT"] != "1"
    assert web["DATABASE_URL"] == "postgres://postgres@127.0.0.1:18001/tongban"
    assert web["DATABASE_REPLICA_URL"] == "postgres://postgres@127.0.0.1:18002/tongban"
    assert web["PUBLIC_BASE_URL"] == "http://127.0.0.1:18080"
    assert web["TASKS_BACKEND"] == "django_tasks_rq.RQBackend"
    # The queue in its own Redis, never the cache's (a cache clear is FLUSHDB; ADR 0014).
    assert web["TASKS_REDIS_URL"] != web["REDIS_URL"]
    assert web["FILE_STORAGE"] == "s3"
    assert web["S3_ENDPOINT_URL"] == "http://127.0.0.1:18020"
    assert web["SECRET_KEY"] == worker["SECRET_KEY"]  # one key for every node, kept in the state directory
