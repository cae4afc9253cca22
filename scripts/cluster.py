"""The cluster on one machine (``make cluster``, ADR 0049): start, stop and show it.

    scripts/uv.sh run python scripts/cluster.py start|stop|status

``start`` brings up, from the project's own files and Debian packages (installed when missing
and run as root, otherwise the ``apt-get`` command is printed):

* a PostgreSQL **primary** and a **streaming replica** (hot standby, made with
  ``pg_basebackup -R -C -S``): two clusters of their own on their own ports, never the server on
  5432; run as the OS user ``postgres`` when started as root; ``fsync`` stays on;
* **Redis** twice: a cache (sessions are read through it; nothing to lose, no persistence) and
  the task queue (append-only file, so queued jobs survive a restart of Redis);
* an **S3** store (moto's server) holding uploaded files, with its bucket;
* the demo city loaded into the primary (keyring, migrations, calendar, static files, demo data);
* **two RQ workers**, the **audit sealer** and the **scheduler**;
* **two granian WSGI web nodes**, each trusting exactly one proxy (``TRUSTED_PROXY_COUNT=1``);
* **HAProxy** on one port in front of them (round robin, health-checked on ``/healthz``, never
  resending a request a node may have received, so a POST is never made twice).

Everything it makes lives in the state directory (``CLUSTER_STATE_DIR``, default
``var/cluster/``): data directories, configuration, logs and ``state.json`` (ports and the pids
it started). Ports are ``CLUSTER_PORT_BASE`` (default 18000) plus a fixed offset per part; the
balancer is on ``CLUSTER_PORT`` (default base + 80). Two clusters with different bases and state
directories never collide. ``stop`` stops only the processes recorded in ``state.json`` (each is
checked to be the same process, by its start time) and the two PostgreSQL clusters
(``pg_ctl stop -m fast``); the data stays for the next ``start``.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_SLOT = "tongban_replica"
DB_NAME = "tongban"
S3_BUCKET = "tongban"
#: A replica made again (its directory removed) takes a new slot of the same name.
DROP_SLOT = f"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{PG_SLOT}'"  # noqa: S608
S3_KEY = "cluster-local"  # moto accepts any key; the nodes sign with this one

#: Offsets from the port base, one per listening part.
OFFSETS = {
    "pg_primary": 1,
    "pg_replica": 2,
    "redis_cache": 10,
    "redis_queue": 11,
    "s3": 20,
    "web1": 31,
    "web2": 32,
    "balancer_stats": 81,
}
#: Long-running processes in start order (stopped in reverse), each with its log file's name.
WORKERS = ("rqworker1", "rqworker2", "audit_sealer", "scheduler")
WEB_NODES = ("web1", "web2")


class ClusterError(Exception):
    """A part did not come up, or the machine lacks what the cluster needs."""


# --------------------------------------------------------------------------------------------
# Paths, ports and the state file


class Cluster:
    def __init__(self, state_dir: Path | None = None) -> None:
        """The cluster of ``state_dir`` (default: ``CLUSTER_STATE_DIR``, else var/cluster/)."""
        self.dir = Path(state_dir or os.environ.get("CLUSTER_STATE_DIR") or ROOT / "var" / "cluster").resolve()
        self.base = int(os.environ.get("CLUSTER_PORT_BASE") or 18000)
        self.ports = {name: self.base + offset for name, offset in OFFSETS.items()}
        self.ports["balancer"] = int(os.environ.get("CLUSTER_PORT") or self.base + 80)
        self.logs = self.dir / "logs"
        self.pg = self.dir / "pg"
        self.state_file = self.dir / "state.json"
        self.state: dict[str, Any] = {"ports": self.ports, "pids": {}}

    # -- state -----------------------------------------------------------------------------
    def load(self) -> bool:
        if not self.state_file.exists():
            return False
        self.state = json.loads(self.state_file.read_text())
        self.ports = self.state["ports"]
        return True

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=2))
        tmp.replace(self.state_file)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['balancer']}"

    def db_url(self, which: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.ports['pg_' + which]}/{DB_NAME}"

    def secret_key(self) -> str:
        path = self.dir / "secret_key"
        if not path.exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()

    def django_env(self, *, web: bool = False) -> dict[str, str]:
        """The environment every Django process of the cluster runs with (all from this file, so
        that a caller's DATABASE_URL or PUBLIC_BASE_URL never leaks in)."""
        environ = dict(os.environ)
        environ.update(
            DJANGO_SETTINGS_MODULE="tongban.conf.base",
            SECRET_KEY=self.secret_key(),
            TONGBAN_VAR_DIR=str(self.dir / "var"),  # keys, static files, mail: shared by all nodes
            DATABASE_URL=self.db_url("primary"),
            DATABASE_REPLICA_URL=self.db_url("replica"),
            REDIS_URL=f"redis://127.0.0.1:{self.ports['redis_cache']}/0",
            TASKS_BACKEND="django_tasks_rq.RQBackend",
            TASKS_REDIS_URL=f"redis://127.0.0.1:{self.ports['redis_queue']}/0",
            FILE_STORAGE="s3",
            S3_ENDPOINT_URL=f"http://127.0.0.1:{self.ports['s3']}",
            S3_BUCKET=S3_BUCKET,
            S3_ACCESS_KEY=S3_KEY,
            S3_SECRET_KEY=S3_KEY,
            S3_REGION="us-east-1",
            S3_ADDRESSING_STYLE="path",
            PUBLIC_BASE_URL=self.url,
            PYTHONUNBUFFERED="1",
        )
        if web:
            environ["TRUSTED_PROXY_COUNT"] = "1"  # exactly HAProxy, which appends X-Forwarded-For
        return environ


# --------------------------------------------------------------------------------------------
# Small helpers


def say(message: str) -> None:
    print(message, flush=True)  # noqa: T201 - a command-line tool


def as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the OS user ``postgres`` then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def pg_bindir() -> Path:
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(out.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for path in candidates:
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    raise ClusterError("PostgreSQL server binaries (initdb, pg_ctl) not found")


def haproxy_path() -> str | None:
    """HAProxy's program: Debian installs it in /usr/sbin, not on an ordinary user's PATH."""
    found = shutil.which("haproxy")
    if found is None and Path("/usr/sbin/haproxy").exists():
        found = "/usr/sbin/haproxy"
    return found


def ensure_packages() -> None:
    """Install the Debian packages the cluster runs (as root), or print the command and fail."""
    need = []
    try:
        pg_bindir()
    except ClusterError:
        need.append("postgresql")
    if not shutil.which("redis-server"):
        need.append("redis-server")
    if not haproxy_path():
        need.append("haproxy")
    if not need:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"Installing system packages: {' '.join(need)}")
        environ = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=environ, check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *need], env=environ, check=True)
        return
    raise ClusterError(
        f"Missing system packages: {' '.join(need)}. Install them with:  sudo apt-get install -y {' '.join(need)}"
    )


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def http_status(url: str, timeout: float = 5.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own loopback URL
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, urllib.error.URLError):
        return 0


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return f"(no log at {path})"
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(f"    {line}" for line in text[-lines:])


def start_time(pid: int) -> str | None:
    """The process's start time (clock ticks since boot), to tell our process from a reused pid;
    None when it is gone (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] in "ZX" else fields[19]  # a zombie is dead, only not yet reaped


def alive(entry: dict[str, Any]) -> bool:
    started = start_time(entry["pid"])
    return started is not None and started == entry["started"]


def group_left(pid: int) -> bool:
    """Whether a process of the group ``pid`` led is still there (granian's workers when their
    parent died). Linux never hands out a pid still used as a process group id, so they are ours."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pid and fields[0] not in "ZX":
            return True
    return False


def running(entry: dict[str, Any]) -> bool:
    """The recorded process, or what is left of its process group."""
    return alive(entry) or (start_time(entry["pid"]) is None and group_left(entry["pid"]))


# --------------------------------------------------------------------------------------------
# Starting


class Starter:
    def __init__(self, cluster: Cluster) -> None:
        self.c = cluster
        self.bindir = pg_bindir()

    def spawn(self, name: str, argv: list[str], *, environ: dict[str, str] | None = None) -> None:
        """Start a process in a session of its own (so stopping it stops its children, e.g.
        granian's workers) and record its pid and start time."""
        self.c.logs.mkdir(parents=True, exist_ok=True)
        log = self.c.logs / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.c.state["pids"][name] = {"pid": process.pid, "started": start_time(process.pid), "log": str(log)}
        self.c.save()

    def wait(self, name: str, ready: Any, *, seconds: float = 60, log: Path | None = None) -> None:
        deadline = time.monotonic() + seconds
        entry = self.c.state["pids"].get(name)
        while time.monotonic() < deadline:
            if ready():
                return
            if entry is not None and not alive(entry):
                break
            time.sleep(0.25)
        log = log or self.c.logs / f"{name}.log"
        raise ClusterError(f"{name} did not come up. The end of {log}:\n{tail(log)}")

    # -- PostgreSQL ------------------------------------------------------------------------
    def pg(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*as_postgres(), *argv], capture_output=True, text=True, check=check)

    def pg_ctl(self, which: str, action: str) -> subprocess.CompletedProcess[str]:
        log = self.c.logs / f"pg_{which}.log"
        return self.pg(
            str(self.bindir / "pg_ctl"), action, "-w", "-t", "90", "-D", str(self.c.pg / which), "-l", str(log),
            check=False,
        )  # fmt: skip

    def postgres_ready(self, which: str) -> bool:
        port = str(self.c.ports[f"pg_{which}"])
        done = subprocess.run([str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", port], check=False)
        return done.returncode == 0

    def postgres(self) -> None:
        c = self.c
        for which in ("primary", "replica"):
            if port_open(c.ports[f"pg_{which}"]) and not (c.pg / which / "postmaster.pid").exists():
                raise ClusterError(f"port {c.ports[f'pg_{which}']} (PostgreSQL {which}) is taken by another program")
        c.pg.mkdir(parents=True, exist_ok=True)
        c.logs.mkdir(parents=True, exist_ok=True)
        for which in ("primary", "replica"):
            (c.logs / f"pg_{which}.log").touch()
        if os.geteuid() == 0:
            for path in (c.pg, c.logs / "pg_primary.log", c.logs / "pg_replica.log"):
                shutil.chown(path, "postgres", "postgres")
            probe = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(c.pg)], check=False)
            if probe.returncode != 0:
                raise ClusterError(
                    f"The OS user postgres cannot write {c.pg}: every directory above the state directory "
                    "must be searchable by it (chmod o+x), or choose another CLUSTER_STATE_DIR"
                )
        primary = c.pg / "primary"
        if not (primary / "PG_VERSION").exists():
            say("  initdb the primary")
            self.pg(
                str(self.bindir / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust",
                "--encoding=UTF8", "--locale=C.UTF-8",
            )  # fmt: skip
            # Local clusters on loopback only. fsync stays on (the default): an acknowledged
            # commit survives a crash of the machine, as in production.
            settings = (
                f"\n# make cluster (scripts/cluster.py)\nport = {c.ports['pg_primary']}\n"
                "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
                "wal_level = replica\nmax_wal_senders = 5\nmax_replication_slots = 5\nhot_standby = on\n"
                "max_connections = 150\nfsync = on\nsynchronous_commit = on\n"
            )
            with (primary / "postgresql.conf").open("a") as conf:
                conf.write(settings)
        self.start_pg("primary")
        exists = self.pg(
            str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(c.ports["pg_primary"]), "-U", "postgres",
            "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'",  # noqa: S608 - constants
        ).stdout.strip()  # fmt: skip
        if exists != "1":
            self.pg(
                str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(c.ports["pg_primary"]), "-U", "postgres",
                DB_NAME,
            )  # fmt: skip
        replica = c.pg / "replica"
        if not (replica / "PG_VERSION").exists():
            say("  pg_basebackup the replica (-R -C -S: standby settings and its own replication slot)")
            self.pg(
                str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(c.ports["pg_primary"]), "-U", "postgres",
                "-tAc", DROP_SLOT,
            )  # fmt: skip
            self.pg(
                str(self.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(c.ports["pg_primary"]),
                "-U", "postgres", "-D", str(replica), "-R", "-C", "-S", PG_SLOT, "-X", "stream", "-c", "fast",
            )  # fmt: skip
            with (replica / "postgresql.conf").open("a") as conf:
                conf.write(f"port = {c.ports['pg_replica']}\n")
        self.start_pg("replica")

    def start_pg(self, which: str) -> None:
        if self.postgres_ready(which):
            return
        done = self.pg_ctl(which, "start")
        if done.returncode != 0:
            log = self.c.logs / f"pg_{which}.log"
            raise ClusterError(
                f"PostgreSQL {which} did not start: {done.stdout}{done.stderr}\nThe end of {log}:\n{tail(log)}"
            )
        self.wait(f"pg_{which}", lambda: self.postgres_ready(which), seconds=60)
        self.c.state.setdefault("postgres", {})[which] = str(self.c.pg / which)
        self.c.save()

    # -- Redis and S3 ----------------------------------------------------------------------
    def redis(self) -> None:
        c = self.c
        for name in ("redis_cache", "redis_queue"):
            if port_open(c.ports[name]):
                raise ClusterError(f"port {c.ports[name]} ({name}) is taken by another program")
            folder = c.dir / name
            folder.mkdir(parents=True, exist_ok=True)
            argv = [
                shutil.which("redis-server") or "redis-server",
                "--bind", "127.0.0.1", "--port", str(c.ports[name]), "--dir", str(folder), "--daemonize", "no",
                "--save", "", "--protected-mode", "yes",
            ]  # fmt: skip
            if name == "redis_cache":
                # Sessions live in the database and are only read through the cache: losing it
                # costs a cold cache, never data. It may evict.
                argv += ["--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"]
            else:
                # The task queue: a job queued after a commit (an e-mail to send) exists nowhere
                # else, so it must survive a restart of Redis: append-only file, fsync every
                # second; and never evicted (ADR 0014).
                argv += ["--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"]
            self.spawn(name, argv)
        for name in ("redis_cache", "redis_queue"):
            port = c.ports[name]
            self.wait(name, lambda port=port: redis_ping(port), seconds=20)

    def s3(self) -> None:
        c = self.c
        port = c.ports["s3"]
        if port_open(port):
            raise ClusterError(f"port {port} (S3) is taken by another program")
        self.spawn("s3", [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)])
        self.wait("s3", lambda: http_status(f"http://127.0.0.1:{port}/") == 200, seconds=30)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/{S3_BUCKET}", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our loopback store
            if response.status != 200:
                raise ClusterError(f"S3: creating the bucket answered {response.status}")

    # -- Django ----------------------------------------------------------------------------
    def setup(self) -> None:
        """What `make run` does before serving, against the primary, in one Python process (each
        ``manage.py`` would pay Django's start-up again): keyring, migrations, calendar, static
        files (skipped when they are newer than every static source), the demo city."""
        steps: list[list[str]] = [
            ["keyring_generate"],
            ["migrate", "--noinput", "--verbosity", "0"],
            ["calendar_seed"],
            ["collectstatic", "--noinput", "--verbosity", "0"],
            ["demo_load"],
        ]
        manifest = self.c.dir / "var" / "static" / "staticfiles.json"
        if manifest.exists() and manifest.stat().st_mtime > newest_static_source():
            steps = [step for step in steps if step[0] != "collectstatic"]
            say("  static files are up to date")
        log = self.c.logs / "setup.log"
        script = (
            "import json, sys, time\nimport django\ndjango.setup()\n"
            "from django.core.management import call_command\n"
            "for argv in json.loads(sys.argv[1]):\n"
            "    began = time.monotonic()\n"
            "    call_command(*argv)\n"
            "    print(f'cluster: manage.py {argv[0]} ({time.monotonic() - began:.1f} s)', flush=True)\n"
        )
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-c", script, json.dumps(steps)],
                cwd=ROOT,
                env=self.c.django_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            assert process.stdout is not None
            for line in process.stdout:
                out.write(line)
                out.flush()
                if line.startswith(b"cluster: "):
                    say("  " + line.decode().removeprefix("cluster: ").rstrip())
        if process.wait() != 0:
            raise ClusterError(f"Setting up the database failed. The end of {log}:\n{tail(log)}")

    def workers(self) -> None:
        python = sys.executable
        environ = self.c.django_env()
        for number, name in enumerate(("rqworker1", "rqworker2"), start=1):
            argv = [python, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job"]
            if number == 1:
                argv.append("--with-scheduler")  # tasks queued to run later (run_after): one worker
            self.spawn(name, [*argv, "default"], environ=environ)
        self.spawn("audit_sealer", [python, "manage.py", "audit_sealer"], environ=environ)
        self.spawn("scheduler", [python, "manage.py", "scheduler"], environ=environ)

    def web(self) -> None:
        # Two cores shared by two nodes: one granian worker each, threads as scripts/serve.sh
        # sizes them (2 x cores + 1, at most the pool of 8), backpressure = threads.
        threads, workers = node_threads(), node_workers()
        for name in WEB_NODES:
            port = self.c.ports[name]
            if port_open(port):
                raise ClusterError(f"port {port} ({name}) is taken by another program")
            self.spawn(
                name,
                [
                    str(VENV_BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                    "--workers", str(workers), "--blocking-threads", str(threads), "--backpressure", str(threads),
                    "--no-ws", "tongban.wsgi:application",
                ],
                environ=self.c.django_env(web=True),
            )  # fmt: skip
        for name in WEB_NODES:
            port = self.c.ports[name]
            self.wait(name, lambda port=port: http_status(f"http://127.0.0.1:{port}/healthz") == 200, seconds=90)
        for name in WORKERS:
            if not alive(self.c.state["pids"][name]):
                raise ClusterError(f"{name} exited. The end of its log:\n{tail(self.c.logs / f'{name}.log')}")

    # -- HAProxy ---------------------------------------------------------------------------
    def balancer(self) -> None:
        c = self.c
        for name in ("balancer", "balancer_stats"):
            if port_open(c.ports[name]):
                raise ClusterError(f"port {c.ports[name]} ({name}) is taken by another program")
        config = c.dir / "haproxy.cfg"
        config.write_text(haproxy_config(c))
        haproxy = haproxy_path() or "haproxy"
        check = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise ClusterError(f"haproxy refuses {config}:\n{check.stdout}{check.stderr}")
        self.spawn("balancer", [haproxy, "-db", "-f", str(config)])
        self.wait("balancer", lambda: http_status(f"{c.url}/healthz") == 200, seconds=30)
        self.wait("balancer", lambda: sorted(servers_up(c)) == list(WEB_NODES), seconds=30)


def node_threads() -> int:
    """Threads of each web node's granian worker: 2 x cores + 1, at most the pool of 8."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def node_workers() -> int:
    return int(os.environ.get("CLUSTER_WEB_WORKERS") or 1)


def newest_static_source() -> float:
    """When a static file the project serves last changed: its own static folders, and the
    dependencies' (through uv.lock, which changes with them)."""
    newest = (ROOT / "uv.lock").stat().st_mtime
    for folder in (ROOT / "src" / "tongban").glob("*/static"):
        for path in folder.rglob("*"):
            newest = max(newest, path.stat().st_mtime)
    return newest


def haproxy_config(c: Cluster) -> str:
    servers = "\n".join(f"    server {name} 127.0.0.1:{c.ports[name]} check" for name in WEB_NODES)
    return f"""# Written by scripts/cluster.py (make cluster); see docs/adr/0049-cluster-on-one-machine.md.
global
    log stdout format raw local0 info
    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 5s
    # A node's /healthz reads the database: under load it may take more than the 1 s check interval.
    timeout check 5s
    timeout queue 30s
    # A request is sent again only when the connection to a node could not be made: the node
    # never received it (conn-failure, HAProxy's default and the only reason listed here). Each
    # retry goes to the other node (redispatch). A request a node may have received is never
    # resent, so a submission is never made twice; the client gets a 502/504 and decides.
    retries 2
    option redispatch 1
    retry-on conn-failure

frontend www
    bind 127.0.0.1:{c.ports["balancer"]}
    # The node learns the client's address from the one proxy it trusts (TRUSTED_PROXY_COUNT=1).
    option forwardfor
    # Belt and braces: even if retry-on is widened one day, a POST is never replayed.
    http-request disable-l7-retry if METH_POST
    default_backend web

backend web
    balance roundrobin
    # A node works on at most as many connections as it has threads (granian's backpressure), and
    # a connection keeps its place while it is open. Kept for reuse, HAProxy's idle connections to
    # a node (purged every 5 s) held those places, and under load new requests waited in steps of
    # 5 s (make bench-cluster). So every request has a connection of its own, closed after the answer.
    option http-server-close
    # Django answers a request without a Host header with 400: the check names the host.
    option httpchk GET /healthz HTTP/1.1
    http-check send hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 1s fastinter 500ms downinter 1s fall 3 rise 2 maxconn 64
{servers}

listen stats
    bind 127.0.0.1:{c.ports["balancer_stats"]}
    stats enable
    stats uri /
    stats refresh 5s
"""


def servers_up(c: Cluster) -> list[str]:
    """The web nodes HAProxy sends requests to: up, and the last health check passed (a node
    counts as up before its first check). Read from the stats page, as CSV."""
    url = f"http://127.0.0.1:{c.ports['balancer_stats']}/;csv"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            rows = response.read().decode().splitlines()
    except (OSError, urllib.error.URLError):
        return []
    if not rows:
        return []
    header = rows[0].lstrip("# ").split(",")
    up = []
    for row in csv.DictReader(rows[1:], fieldnames=header):
        ours = row["pxname"] == "web" and row["svname"] in WEB_NODES
        if ours and row["status"].startswith("UP") and row["check_status"] == "L7OK":
            up.append(row["svname"])
    return up


# --------------------------------------------------------------------------------------------
# Commands


def start(c: Cluster) -> int:
    began = time.monotonic()
    if c.load() and any(running(entry) for entry in c.state["pids"].values()):
        raise ClusterError(f"A cluster already runs from {c.dir}: `make cluster-stop` first")
    c.state = {"ports": c.ports, "pids": {}, "postgres": {}}
    ensure_packages()
    starter = Starter(c)
    say(f"Starting the cluster in {c.dir} (ports from {c.base})")
    try:
        starter.postgres()
        say(f"  PostgreSQL primary :{c.ports['pg_primary']}, replica :{c.ports['pg_replica']}")
        starter.redis()
        starter.s3()
        say(f"  Redis cache :{c.ports['redis_cache']}, queue :{c.ports['redis_queue']}; S3 :{c.ports['s3']}")
        starter.setup()
        starter.workers()
        starter.web()
        starter.balancer()
    except KeyboardInterrupt:
        say("Interrupted: stopping what was started")
        stop(c)
        return 130
    except (ClusterError, subprocess.CalledProcessError) as error:
        if isinstance(error, subprocess.CalledProcessError):
            error = ClusterError(f"{' '.join(map(str, error.cmd))} failed:\n{error.stdout or ''}{error.stderr or ''}")
        say(f"FAILED: {error}")
        if not os.environ.get("CLUSTER_KEEP_ON_FAILURE"):
            say("Stopping what was started (CLUSTER_KEEP_ON_FAILURE=1 keeps it for a look)")
            stop(c)
        return 1
    c.state["ready_seconds"] = round(time.monotonic() - began, 1)
    c.save()
    say(f"\nTongban's cluster is serving at {c.url}/  (ready in {c.state['ready_seconds']} s)")
    print_parts(c)
    say("Stop it with:  make cluster-stop")
    return 0


def print_parts(c: Cluster) -> None:
    p = c.ports
    rows = [
        ("balancer (HAProxy)", p["balancer"], f"{c.url}/"),
        ("balancer stats", p["balancer_stats"], f"http://127.0.0.1:{p['balancer_stats']}/"),
        ("web node 1 (granian)", p["web1"], ""),
        ("web node 2 (granian)", p["web2"], ""),
        ("PostgreSQL primary", p["pg_primary"], c.db_url("primary")),
        ("PostgreSQL replica", p["pg_replica"], c.db_url("replica")),
        ("Redis cache/sessions", p["redis_cache"], f"redis://127.0.0.1:{p['redis_cache']}/0"),
        ("Redis task queue", p["redis_queue"], f"redis://127.0.0.1:{p['redis_queue']}/0"),
        ("S3 (moto)", p["s3"], f"http://127.0.0.1:{p['s3']}/{S3_BUCKET}"),
    ]
    for name, port, where in rows:
        say(f"  {name:<22} {port:<6} {where}")
    say(f"  logs: {c.logs}/")


def stop(c: Cluster) -> int:
    if not c.load():
        say(f"No cluster state in {c.dir}: nothing to stop")
        return 0
    pids: dict[str, dict[str, Any]] = c.state["pids"]
    order = ["balancer", *WEB_NODES, *WORKERS, "s3", "redis_queue", "redis_cache"]
    names = [name for name in order if name in pids] + [name for name in pids if name not in order]
    live = [name for name in names if running(pids[name])]
    for name in live:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pids[name]["pid"], signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(running(pids[name]) for name in live):
        time.sleep(0.2)
    for name in live:
        if running(pids[name]):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pids[name]["pid"], signal.SIGKILL)
        say(f"  stopped {name} (pid {pids[name]['pid']})")
    for which in ("replica", "primary"):
        if c.state.get("postgres", {}).get(which):
            done = postgres_stop(c, which)
            say(f"  stopped PostgreSQL {which}" if done else f"  PostgreSQL {which} was not running")
    c.state["pids"] = {}
    c.save()
    say("The cluster is stopped (its data stays in " + str(c.dir) + ")")
    return 0


def postgres_stop(c: Cluster, which: str) -> bool:
    """Stop the primary or the replica (``pg_ctl stop -m fast``: sessions are ended, what was
    committed stays); False if it was not running."""
    data = c.state.get("postgres", {}).get(which)
    if not data or not (Path(data) / "postmaster.pid").exists():
        return False
    argv = [*as_postgres(), str(pg_bindir() / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", data]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ClusterError(f"pg_ctl stop ({which}): {done.stdout}{done.stderr}")
    return True


def status(c: Cluster) -> int:
    if not c.load():
        say(f"No cluster state in {c.dir}")
        return 1
    bindir = pg_bindir()
    down = 0
    say(f"Cluster in {c.dir}, serving at {c.url}/ ({http_status(c.url + '/healthz') or 'no answer'} on /healthz)")
    for which in ("primary", "replica"):
        port = c.ports[f"pg_{which}"]
        ready = subprocess.run([str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)], check=False)
        up = ready.returncode == 0
        down += not up
        say(f"  {'up  ' if up else 'DOWN'} PostgreSQL {which:<8} :{port}")
    for name, entry in c.state["pids"].items():
        up = alive(entry)
        down += not up
        listens = f" :{c.ports[name]}" if name in c.ports else ""
        say(f"  {'up  ' if up else 'DOWN'} {name:<19} pid {entry['pid']:<8}{listens}")
    say(f"  HAProxy sends requests to: {', '.join(servers_up(c)) or 'no node'}")
    return 1 if down else 0


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in ("start", "stop", "status"):
        say(__doc__ or "")
        return 2
    cluster = Cluster()
    try:
        return {"start": start, "stop": stop, "status": status}[argv[1]](cluster)
    except ClusterError as error:
        say(f"FAILED: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
