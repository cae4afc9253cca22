"""An RQ worker killed mid-task, before the send (issue 18, ADR 0050): the job is run again by RQ
(its explicit ``Retry``, handed back by the ``requeue_abandoned`` maintenance job once the dead
run's heartbeat expired) and the text goes out once.

Real parts only: Redis at 127.0.0.1:6379 in a database no other test uses (13; the test's own
queue in it), ``manage.py rqworker --job-class django_tasks_rq.Job <queue>`` subprocesses on the
test database, and the demo's file gateway as the outside SMS carrier, held at the door on the
test's signal (``tests.notifications.doubles.HeldGateway``). The worker is killed with SIGKILL
while its send waits there; a second worker is started; after RQ's abandoned-job expiry (job
start + job timeout + 60 s, RQ's fixed margin) the maintenance job runs and the second worker sends.
About 70 s, most of it that expiry.

PostgreSQL only: the worker subprocess must see the test database (SQLite's is in memory).
Without Redis the test is skipped, or fails under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import django_rq
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq.job import JobStatus

from tests.factories import AccountFactory
from tongban.core.actors import Actor
from tongban.core.rq import requeue_abandoned
from tongban.notifications.models import Channel, Delivery, DeliveryStatus
from tongban.notifications.services import message_send, preference_set
from tongban.notifications.tasks import deliver

REDIS_URL = os.environ.get("TEST_WORKER_KILLED_REDIS_URL", "redis://127.0.0.1:6379/13")
ROOT = Path(__file__).resolve().parents[2]
JOB_TIMEOUT = 5  # seconds: the worker is killed well before it; the expiry is start + 5 + 60 s
RETRIES = 2
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

pytestmark = pytest.mark.django_db(transaction=True)  # the worker subprocess reads committed rows


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


def _wait_for(what: str, check: Callable[[], bool], *, seconds: float, logs: Path) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            found = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(logs.glob("*.log")))
            pytest.fail(f"timed out after {seconds} s waiting for {what}\n{found}")
        time.sleep(0.1)


class Workers:
    """``manage.py rqworker`` subprocesses, each in a session of its own, killed by process group."""

    def __init__(self, *, queue: str, env: dict[str, str], logs: Path) -> None:
        self.queue, self.env, self.logs = queue, env, logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        command = [sys.executable, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job"]
        process = subprocess.Popen(
            [*command, "--name", f"{self.queue}-{name}", self.queue],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the worker and its work-horse share a process group
        )
        log.close()
        self.started.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen[bytes], horse: int | None = None) -> None:
        """SIGKILL the worker, then its work-horse (a forked child that RQ puts in a session of
        its own), as a machine lost would stop both: the worker first, so that it cannot see its
        horse die and report the job failed."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        if horse is not None:
            with contextlib.suppress(ProcessLookupError):  # it may have ended already
                os.kill(horse, signal.SIGKILL)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill(process)


def _delete_keys(connection_: Redis, queue_name: str, job_ids: set[str]) -> None:
    patterns = [f"*{queue_name}*", *(f"*{job_id}*" for job_id in job_ids)]
    keys = {key for pattern in patterns for key in connection_.scan_iter(match=pattern)}
    if keys:
        connection_.delete(*keys)


@pytest.fixture
def rq_setup(tmp_path: Path) -> Iterator[tuple[str, Workers, Path]]:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: a worker subprocess cannot see SQLite's in-memory test database")
    redis = Redis.from_url(REDIS_URL)
    try:
        redis.ping()
    except RedisConnectionError as exc:
        _unavailable(f"Redis is not reachable at {REDIS_URL} ({exc})")
    queue = f"test-killed-{uuid.uuid4().hex[:12]}"
    database = connection.settings_dict
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database['NAME']}").geturl()
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "CI"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "TONGBAN_TEST_RQ_QUEUE": queue,
        "TASKS_BACKEND": "django_tasks_rq.RQBackend",
        "TASKS_REDIS_URL": REDIS_URL,
        "DATABASE_URL": url,
        "DB_POOL_MAX": "2",
        "SIGNING_KEYS_JSON": settings.SIGNING_KEYS_JSON,
        "DATA_KEYS_JSON": settings.DATA_KEYS_JSON,
        "SMS_GATEWAY": "tests.notifications.doubles.HeldGateway",
        "SMS_FAKE_FILE": str(tmp_path / "outbox.jsonl"),
        "TONGBAN_TEST_SMS_HOLD": str(tmp_path / "hold"),
    }
    workers = Workers(queue=queue, env=env, logs=tmp_path)
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}},
        RQ_QUEUES={"default": {"URL": REDIS_URL}, queue: {"URL": REDIS_URL}},
        RQ={"JOB_CLASS": "django_tasks_rq.Job", "QUEUE_CLASS": "tongban.core.rq.Queue"},
        NOTIFY_JOB_TIMEOUT_SECONDS=JOB_TIMEOUT,
        NOTIFY_JOB_RETRIES=RETRIES,
    ):
        rq_queue = django_rq.get_queue(queue)
        try:
            yield queue, workers, tmp_path
        finally:
            (tmp_path / "hold").unlink(missing_ok=True)  # a send still held (a failed test) goes on and ends
            workers.stop_all()
            registries = [rq_queue.started_job_registry, rq_queue.finished_job_registry, rq_queue.failed_job_registry]
            job_ids = {*rq_queue.get_job_ids(), *(i for r in registries for i in r.get_job_ids(cleanup=False))}
            _delete_keys(redis, queue, job_ids)
            redis.srem("rq:queues", rq_queue.key)
            dead = [m for m in redis.smembers("rq:workers") if queue.encode() in m]  # the killed worker's entry
            if dead:
                redis.srem("rq:workers", *dead)
    redis.close()


def _outbox(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_worker_killed_before_the_send_is_retried_and_sends_once(
    rq_setup: tuple[str, Workers, Path], system_actor: Actor
) -> None:
    queue_name, workers, files = rq_setup
    hold, held, outbox = files / "hold", files / "hold.held", files / "outbox.jsonl"
    now = timezone.now()
    account = AccountFactory(preferred_language="en", email="", phone="13800138000")
    preference_set(account=account, email=False, sms=True, actor=system_actor, now=now)
    # The service's own enqueue goes to the "default" queue, which other runs share: it is
    # held back here (dummy backend) and the same task is enqueued on this test's queue.
    with override_settings(TASKS=DUMMY_TASKS), transaction.atomic():
        message = message_send(
            recipient=account, render=lambda: ("Your case moved", "Case 2026-0001 was accepted."), now=now
        )
    delivery = Delivery.objects.get(message=message, channel=Channel.SMS)
    hold.touch()  # the carrier holds the first send at the door
    job_id = deliver.using(queue_name=queue_name).enqueue(delivery_id=delivery.pk).id
    queue = django_rq.get_queue(queue_name)
    assert queue.get_job_ids() == [job_id]
    job = queue.fetch_job(job_id)
    assert job is not None and (job.timeout, job.retries_left) == (JOB_TIMEOUT, RETRIES)

    # Worker A takes the job, claims the delivery and is stopped at the door: SIGKILL it.
    first = workers.start("a")
    _wait_for("the first send to reach the gateway", held.exists, seconds=120, logs=files)
    horse = int(held.read_text().split()[0])  # the process whose send waits at the door
    assert horse != first.pid
    workers.kill(first, horse)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claimed_by) == (DeliveryStatus.SENDING, job_id)
    assert _outbox(outbox) == []
    job.refresh()
    assert job.get_status() == JobStatus.STARTED  # nobody told RQ: the job is abandoned
    hold.unlink()  # the carrier lets texts through again

    # A supervisor restarts a worker at once; its start-up cleanup finds nothing expired yet.
    workers.start("b")
    registry = queue.started_job_registry
    [(_entry, expires_at)] = queue.connection.zrange(registry.key, 0, -1, withscores=True)
    assert expires_at >= job.started_at.timestamp() + JOB_TIMEOUT + 60 - 1
    _wait_for("the dead run's heartbeat to expire", lambda: time.time() > expires_at + 0.5, seconds=90, logs=files)

    # The maintenance job (every minute from the scheduler) hands the job back to RQ: Retry.
    assert requeue_abandoned.call() == 1

    def sent() -> bool:
        delivery.refresh_from_db()
        return delivery.status == DeliveryStatus.SENT

    _wait_for("the job's rerun to send", sent, seconds=120, logs=files)
    assert delivery.claimed_by == job_id  # the same job, run again, took over its own claim
    assert delivery.attempts == 1
    texts = _outbox(outbox)
    assert [(t["to"], t["reference"]) for t in texts] == [("13800138000", f"tongban-{delivery.pk}")]
    assert delivery.provider_ref == texts[0]["id"]
    job.refresh()
    assert (job.get_status(), job.retries_left) == (JobStatus.FINISHED, RETRIES - 1)
    assert deliver.get_result(job_id).return_value == DeliveryStatus.SENT

    # Any further run (the sweep, a duplicate enqueue) finds it sent and sends nothing.
    again = deliver.using(queue_name=queue_name).enqueue(delivery_id=delivery.pk)
    _wait_for(
        "the duplicate run to finish",
        lambda: deliver.get_result(again.id).status == TaskResultStatus.SUCCESSFUL,
        seconds=60,
        logs=files,
    )
    assert deliver.get_result(again.id).return_value == "not-claimed"
    assert len(_outbox(outbox)) == 1
