"""Fixtures for the forms tests: a real local S3 server (moto in server mode) and storages on it.

The server is a separate process on a free loopback port, started once per test session (once per
xdist worker) and always terminated. Fake AWS credentials reach the server through its own
environment and the tests through ``monkeypatch``, so nothing leaks into other tests, and no real
AWS configuration or proxy on the machine is ever consulted.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]

ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "us-east-1"
STARTUP_TIMEOUT_SECONDS = 30.0

_FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    "AWS_DEFAULT_REGION": REGION,
}
_UNSET_AWS_ENV = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_S3_SESSION_PROFILE",
)


def _moto_server_executable() -> str:
    found = shutil.which("moto_server") or shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(
            "moto_server was not found on PATH or next to the Python interpreter. The S3 storage tests need a "
            "real local S3 server: install the dev dependencies (`uv sync`, which brings moto[server]) and run "
            "the tests with `uv run pytest`.",
            pytrace=False,
        )
    return found


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/moto-api/")
        connection.getresponse().read()
    except OSError:
        return False
    finally:
        connection.close()
    return True


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a moto S3 server running in a subprocess for this session (or xdist worker)."""
    executable = _moto_server_executable()
    port = _free_loopback_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto_server.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(_FAKE_AWS_ENV)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [executable, "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not _answers(port):
            if process.poll() is not None:
                pytest.fail(
                    f"moto_server exited with code {process.returncode} before answering:\n{log_path.read_text()}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"moto_server did not answer on 127.0.0.1:{port} within {STARTUP_TIMEOUT_SECONDS:.0f} s:\n"
                    f"{log_path.read_text()}",
                    pytrace=False,
                )
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


@pytest.fixture
def fake_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials for this test only; no profile, config file, endpoint or proxy from the machine."""
    for name, value in _FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    for name in _UNSET_AWS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def s3_client(moto_endpoint: str, fake_aws_env: None) -> Any:
    """A boto3 S3 client on the moto server (for setting up and for looking behind the storage API)."""
    return boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )


@pytest.fixture
def s3_bucket(s3_client: Any) -> str:
    """A fresh, empty bucket for this test."""
    name = f"tongban-test-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_storage(moto_endpoint: str, s3_bucket: str) -> S3Storage:
    """django-storages' S3 backend, configured the way production points it at an S3-compatible store."""
    return S3Storage(
        bucket_name=s3_bucket,
        endpoint_url=moto_endpoint,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        region_name=REGION,
        addressing_style="path",
    )
