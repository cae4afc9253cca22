"""The cluster of ``make cluster`` (scripts/cluster.py) as a fixture, for fault tests.

``cluster`` (module scope) starts a whole cluster — HAProxy, two web nodes, a PostgreSQL primary
and streaming replica, Redis, RQ workers, the sealer, S3 — in a temporary state directory on a
free port base, and stops it after the module. Every test module here gets a cluster of its own,
so a fault one module causes (a node killed, the replica stopped) never reaches another; the
modules carry ``xdist_group("cluster")`` so that pytest-xdist runs them on one worker, one
cluster at a time. A module of fault tests needs only::

    pytestmark = CLUSTER_TESTS

    def test_something(cluster: RunningCluster) -> None: ...

These tests run in the PostgreSQL half of the suite (they are skipped, with the reason, in the
SQLite half). A machine without the PostgreSQL server binaries, HAProxy or redis-server skips them
with a message; under ``CI=true`` that is a failure.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "cluster.py"
#: Static files collected once (whitenoise compresses every file, the slowest step of a start),
#: copied into each test cluster; scripts/cluster.py collects again when a source is newer.
STATIC_CACHE = ROOT / "var" / "cluster-test-static"
START_TIMEOUT = 900

CLUSTER_TESTS = [pytest.mark.postgres_only, pytest.mark.xdist_group("cluster")]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tongban_cluster_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


script = _load_script()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing program is a failure)")
    pytest.skip(reason)


def _require_machine() -> None:
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("the cluster's fault tests run in the PostgreSQL half of the suite (DATABASE_URL=postgres://...)")
    try:
        script.pg_bindir()
    except script.ClusterError:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) are missing: apt-get install postgresql")
    if script.haproxy_path() is None:
        _unavailable("haproxy is missing (`make test` installs it as root): apt-get install haproxy")
    if shutil.which("redis-server") is None:
        _unavailable("redis-server is missing (`make test` installs it as root): apt-get install redis-server")


def _free_port_base() -> int:
    """A base whose 100 ports are all free, picked at random so parallel runs rarely meet, below
    Linux's ephemeral range (32768–60999), where an outgoing connection could take one meanwhile."""
    rng = random.Random()
    for _ in range(100):
        base = rng.randrange(20_000, 32_700, 100)
        if all(_port_free(base + offset) for offset in range(100)):
            return base
    raise RuntimeError("no free range of 100 ports found")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class RunningCluster:
    """A started cluster: its URL, its parts, and the means to run code against its primary."""

    handle: Any  # scripts/cluster.py's Cluster, loaded from state.json
    start_output: str
    killed: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return str(self.handle.url)

    @property
    def port(self) -> int:
        return int(self.handle.ports["balancer"])

    @property
    def state_dir(self) -> Path:
        return Path(self.handle.dir)

    def env(self) -> dict[str, str]:
        environ: dict[str, str] = self.handle.django_env()
        return environ

    def _run(self, argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *argv],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def python(self, code: str, *args: str, timeout: float = 300) -> str:
        """Run Python in the cluster's environment (Django set up, against the primary); its stdout."""
        done = self._run(["-c", "import django\ndjango.setup()\n" + code, *args], timeout)
        assert done.returncode == 0, f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        return done.stdout

    def manage(self, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return self._run(["manage.py", *argv], timeout)

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> float:
        """Send ``sig`` to a part's whole process group (a granian node: its workers too) and wait
        until it is gone. Returns when the signal was sent (``time.monotonic()``): on a loaded
        machine the wait for a large process to go can take seconds."""
        entry = self.handle.state["pids"][name]
        os.killpg(entry["pid"], sig)
        sent_at = time.monotonic()
        deadline = time.monotonic() + 20
        while script.running(entry):
            assert time.monotonic() < deadline, f"{name} is still running after {sig.name}"
            time.sleep(0.05)
        self.killed.append(name)
        return sent_at

    def stop_postgres(self, which: str) -> None:
        assert script.postgres_stop(self.handle, which), f"PostgreSQL {which} was not running"

    def postgres_ready(self, which: str) -> bool:
        port = str(self.handle.ports[f"pg_{which}"])
        bindir = script.pg_bindir()
        return (
            subprocess.run([str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", port], check=False).returncode
            == 0
        )

    def nodes_up(self) -> list[str]:
        """The web nodes HAProxy sends requests to (up, last health check passed)."""
        return sorted(script.servers_up(self.handle))

    def request(
        self,
        method: str,
        path: str,
        *,
        cookie: str = "",
        body: str = "",
        timeout: float = 60,
        source: str = "127.0.0.1",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """One request through the balancer, on a connection of its own (from ``source``, any
        address of 127.0.0.0/8): status (0 when the connection failed or was cut), headers
        (lower-case names; Set-Cookie values joined by \\n), body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=(source, 0))
        headers = dict(headers or {})
        if cookie:
            headers["Cookie"] = cookie
        if method == "POST":
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.url})
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            collected: dict[str, str] = {}
            for name, value in response.getheaders():
                key = name.lower()
                collected[key] = f"{collected[key]}\n{value}" if key in collected else value
            return response.status, collected, response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            return 0, {}, repr(error)
        finally:
            connection.close()


@dataclass
class Applicant:
    """A demo applicant signed in (a session made as ``login()`` makes it, without paying for
    Argon2) with complete draft applications and the CSRF pair a browser holds."""

    username: str
    session: str
    drafts: list[str]
    csrf_cookie: str = ""
    csrf_token: str = ""

    @property
    def cookie(self) -> str:
        return f"sessionid={self.session}; csrftoken={self.csrf_cookie}"

    def submit_body(self) -> str:
        return f"csrfmiddlewaretoken={quote(self.csrf_token)}"


def demo_applicant(cluster: RunningCluster, drafts: int) -> Applicant:
    """The demo city's HR manager (emma.schmidt) with ``drafts`` complete drafts of the instant
    service si-enrolment for her firm (tests/cluster/drafts.py), and her CSRF pair from the
    review page, as a browser gets it."""
    out = cluster.python("from tests.cluster.drafts import main\nmain()", str(drafts))
    made = json.loads(out.strip().splitlines()[-1])
    applicant = Applicant(username=made["username"], session=made["session"], drafts=made["drafts"])
    status, headers, body = cluster.request(
        "GET", f"/en/applications/{applicant.drafts[0]}/review/", cookie=f"sessionid={applicant.session}"
    )
    assert status == 200, body[:500]
    for value in headers.get("set-cookie", "").split("\n"):
        if value.startswith("csrftoken="):
            applicant.csrf_cookie = value.split(";", 1)[0].split("=", 1)[1]
    marker = 'name="csrfmiddlewaretoken" value="'
    applicant.csrf_token = body.split(marker, 1)[1].split('"', 1)[0]
    assert applicant.csrf_cookie and applicant.csrf_token
    return applicant


@pytest.fixture(scope="module")
def cluster() -> Iterator[RunningCluster]:
    """A whole cluster of its own for the module, stopped (and its state removed) afterwards."""
    _require_machine()
    # Under /tmp and searchable by everyone: PostgreSQL runs as the OS user postgres (pytest's
    # own tmp_path is private to the user running the tests).
    state_dir = Path(tempfile.mkdtemp(prefix="tongban-cluster-"))
    state_dir.chmod(0o755)
    if (STATIC_CACHE / "staticfiles.json").exists():
        shutil.copytree(STATIC_CACHE, state_dir / "var" / "static")
    environ = {**os.environ, "CLUSTER_STATE_DIR": str(state_dir), "CLUSTER_PORT_BASE": str(_free_port_base())}
    environ.pop("CLUSTER_PORT", None)
    started = subprocess.run(
        [sys.executable, str(SCRIPT), "start"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        check=False,
    )
    handle = script.Cluster(state_dir)
    try:
        if started.returncode != 0:
            pytest.fail(f"scripts/cluster.py start failed:\n{started.stdout[-6000:]}\n{started.stderr[-3000:]}")
        handle.load()
        static = state_dir / "var" / "static"
        if not (STATIC_CACHE / "staticfiles.json").exists() or (
            (static / "staticfiles.json").stat().st_mtime > (STATIC_CACHE / "staticfiles.json").stat().st_mtime
        ):
            shutil.rmtree(STATIC_CACHE, ignore_errors=True)
            shutil.copytree(static, STATIC_CACHE)
        yield RunningCluster(handle=handle, start_output=started.stdout)
    finally:
        subprocess.run(
            [sys.executable, str(SCRIPT), "stop"], cwd=ROOT, env=environ, capture_output=True, timeout=120, check=False
        )
        shutil.rmtree(state_dir, ignore_errors=True)
