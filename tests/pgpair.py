"""A throw-away PostgreSQL primary and streaming hot standby for tests (ADR 0048).

``pg_pair()`` makes both in a temporary directory from the server binaries (``initdb``,
``pg_ctl``, ``pg_basebackup -R -C -S``) on free local ports, trusting local connections as
``postgres``, and removes them afterwards. PostgreSQL refuses to run as root: as root the
commands run as the ``postgres`` OS user (``runuser``), who is given the directory.

``require_binaries()`` returns the binaries' directory, or skips the test with the reason — and
fails it under ``CI=true``, where a missing server is a broken machine, not a choice.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

SLOT = "tongban_test_replica"
_CANDIDATES = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")


def find_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and pg_basebackup, or None."""
    candidates: list[str] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with suppress(OSError, subprocess.CalledProcessError):
            candidates.append(
                subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
            )
    candidates.extend(_CANDIDATES)
    for candidate in candidates:
        path = Path(candidate)
        if all((path / name).is_file() for name in ("initdb", "pg_ctl", "pg_basebackup")):
            return path
    return None


def require_binaries() -> Path:
    bindir = find_bindir()
    if bindir is not None and (os.geteuid() != 0 or _postgres_user() is not None):
        return bindir
    reason = (
        "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) not found"
        if bindir is None
        else "running as root and no 'postgres' OS user to run the servers as"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the primary + replica tests must run)")
    pytest.skip(f"{reason}: the primary + replica tests need them (apt-get install postgresql)")


def _postgres_user() -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgPair:
    """A running primary and its streaming replica."""

    bindir: Path
    root: Path
    primary_port: int
    replica_port: int

    @property
    def primary_dir(self) -> Path:
        return self.root / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.root / "replica"

    def run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.root, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr or result.stdout}")

    def database(self, port: int, **options: object) -> dict[str, object]:
        """A Django DATABASES entry for one of the two servers (no pool, short connect timeout)."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "postgres",
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "OPTIONS": {"connect_timeout": 2, **options},
        }

    def connect(self, port: int) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True)

    def start_replica(self) -> None:
        self.run("pg_ctl", "-D", str(self.replica_dir), "-l", str(self.root / "replica.log"), "-w", "start")

    def stop_replica(self) -> None:
        self.run("pg_ctl", "-D", str(self.replica_dir), "-m", "fast", "-w", "stop")

    def wait_replayed(self, timeout: float = 10.0) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with self.connect(self.primary_port) as primary:
            row = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
        assert row is not None
        deadline = time.monotonic() + timeout
        with self.connect(self.replica_port) as replica:
            while time.monotonic() < deadline:
                done = replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (row[0],)).fetchone()
                if done and done[0]:
                    return
                time.sleep(0.02)
        raise TimeoutError("the replica did not catch up")


def _configure(directory: Path, port: int, socket_dir: Path) -> None:
    with (directory / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{socket_dir}'\n"
            "fsync = off\nfull_page_writes = off\nsynchronous_commit = on\nshared_buffers = '16MB'\n"
            "max_connections = 20\nmax_wal_senders = 4\nmax_replication_slots = 4\nwal_level = replica\n"
            "hot_standby = on\nwal_receiver_status_interval = 1\nlogging_collector = off\n"
        )


@contextmanager
def pg_pair() -> Iterator[PgPair]:
    """Start a primary and a streaming replica; stop and delete both afterwards."""
    bindir = require_binaries()
    root = Path(tempfile.mkdtemp(prefix="tongban-pgpair-"))
    user = _postgres_user() if os.geteuid() == 0 else None
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    root.chmod(0o700)
    pair = PgPair(bindir=bindir, root=root, primary_port=free_port(), replica_port=free_port())
    started: list[Path] = []
    try:
        pair.run("initdb", "-D", str(pair.primary_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        _configure(pair.primary_dir, pair.primary_port, root)
        pair.run("pg_ctl", "-D", str(pair.primary_dir), "-l", str(root / "primary.log"), "-w", "start")
        started.append(pair.primary_dir)
        pair.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres",
            "-D", str(pair.replica_dir), "-R", "-C", "-S", SLOT, "-X", "stream", "--no-sync",
        )  # fmt: skip
        with (pair.replica_dir / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {pair.replica_port}\n")
        pair.start_replica()
        started.append(pair.replica_dir)
        pair.wait_replayed()
        yield pair
    finally:
        for directory in reversed(started):
            with suppress(RuntimeError):  # already stopped (a test stopped the replica)
                pair.run("pg_ctl", "-D", str(directory), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
