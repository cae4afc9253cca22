"""The Redis task backend (django-tasks-rq) runs the project's real tasks, against the real local
Redis: a task enqueued through django-tasks lands in Redis, an RQ worker (the one ``manage.py
rqworker`` builds, here in burst mode and without forking) runs it, and ``get_result`` reports
SUCCESSFUL or FAILED. No mocks. Redis down fails these tests rather than skipping them
(``.ci/run`` needs Redis on 127.0.0.1:6379).

Each test has a queue of its own in the task database (5), so parallel runs (xdist workers, the
SQLite and PostgreSQL suites, another checkout) never take each other's jobs, and deletes only
that queue's keys afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import django_rq
import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq.worker import SimpleWorker

from tests.factories import AccountFactory
from tongban.conf.base import redis_url_with_db
from tongban.core.rq import JobPolicy, requeue_abandoned
from tongban.notifications.models import Delivery, DeliveryStatus
from tongban.notifications.services import message_send
from tongban.notifications.tasks import deliver

TASKS_REDIS_URL = os.environ.get("TEST_TASKS_REDIS_URL", "redis://127.0.0.1:6379/5")
RQ_BACKEND = "django_tasks_rq.RQBackend"
ROOT = Path(__file__).resolve().parents[2]


def _delete_queue_keys(connection: Redis, queue_name: str) -> None:
    """Delete this queue, its registries, its jobs and their results, and its worker's keys."""
    queue = django_rq.get_queue(queue_name)
    registries = [
        queue.started_job_registry,
        queue.finished_job_registry,
        queue.failed_job_registry,
        queue.deferred_job_registry,
        queue.scheduled_job_registry,
        queue.canceled_job_registry,
    ]
    job_ids = {*queue.get_job_ids(), *(job_id for registry in registries for job_id in registry.get_job_ids())}
    keys = {
        key
        for pattern in [f"*{queue_name}*", *(f"*{job_id}*" for job_id in job_ids)]
        for key in connection.scan_iter(match=pattern)
    }
    if keys:
        connection.delete(*keys)
    connection.srem("rq:queues", queue.key)


@pytest.fixture
def rq_queue() -> Iterator[str]:
    """The RQ backend as the default task backend, on a queue of this test's own."""
    connection = Redis.from_url(TASKS_REDIS_URL)
    try:
        connection.ping()
    except RedisConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {TASKS_REDIS_URL} ({exc}); start it (.ci/run does)")
    queue_name = f"test-{uuid.uuid4().hex[:12]}"
    # Changing TASKS makes django-tasks drop its cached backends (its setting_changed receiver);
    # django-rq reads RQ_QUEUES and RQ on every call.
    with override_settings(
        TASKS={"default": {"BACKEND": RQ_BACKEND, "QUEUES": [queue_name]}},
        # RQBackend.get_result fetches jobs through the "default" queue's connection, whatever
        # the queue: every queue must live in the same Redis as "default".
        RQ_QUEUES={"default": {"URL": TASKS_REDIS_URL}, queue_name: {"URL": TASKS_REDIS_URL}},
        RQ={"JOB_CLASS": "django_tasks_rq.Job", "QUEUE_CLASS": "tongban.core.rq.Queue"},
    ):
        try:
            yield queue_name
        finally:
            _delete_queue_keys(connection, queue_name)
    connection.close()


def _run_worker(queue_name: str) -> str:
    """Run the worker ``manage.py rqworker`` would build (job class from settings.RQ), in this
    process and thread (SimpleWorker: no fork), until the queue is empty. Returns its name."""
    worker = django_rq.get_worker(queue_name, worker_class=SimpleWorker, name=f"{queue_name}-worker")
    assert worker.job_class.__module__ + "." + worker.job_class.__name__ == "django_tasks_rq.backend.Job"
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert worker.work(burst=True) is True
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return worker.name


def _render() -> tuple[str, str]:
    if translation.get_language() == "en":
        return "Your application was accepted", "Case 2026-0001 is with the officer."
    return "您的申请已受理", "办件 2026-0001 已由经办人受理。"


@pytest.mark.django_db
def test_email_task_runs_through_redis_and_reports_success(rq_queue: str, django_capture_on_commit_callbacks) -> None:
    account = AccountFactory(preferred_language="en")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = message_send(recipient=account, render=_render, now=timezone.now())
    # The service queues the e-mail only when its transaction commits (into the "default" queue,
    # which this test leaves alone); the test enqueues the same task on its own queue instead.
    assert len(callbacks) == 1

    delivery = Delivery.objects.get(message=message)
    result = deliver.using(queue_name=rq_queue).enqueue(delivery_id=delivery.pk)

    queue = django_rq.get_queue(rq_queue)
    assert queue.get_job_ids() == [result.id]
    assert queue.connection.exists(f"rq:job:{result.id}")
    # The send's job policy (ADR 0050): a short timeout and an explicit Retry.
    job = queue.fetch_job(result.id)
    assert job is not None
    assert (job.timeout, job.retries_left) == (settings.NOTIFY_JOB_TIMEOUT_SECONDS, settings.NOTIFY_JOB_RETRIES)
    assert deliver.get_result(result.id).status == TaskResultStatus.READY
    assert mail.outbox == []

    worker_name = _run_worker(rq_queue)

    done = deliver.get_result(result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value == "sent"
    assert done.errors == []
    assert worker_name in done.worker_ids
    assert done.finished_at is not None
    assert queue.get_job_ids() == []
    assert [(m.subject, m.to) for m in mail.outbox] == [("Your application was accepted", [message.recipient.email])]
    message.refresh_from_db()
    assert message.emailed_at is not None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


@pytest.mark.django_db
def test_email_task_failing_is_retried_later_on_the_same_queue(
    rq_queue: str, django_capture_on_commit_callbacks
) -> None:
    account = AccountFactory(preferred_language="zh-hans")
    with django_capture_on_commit_callbacks(execute=False):  # the service's own enqueue is not run
        message = message_send(recipient=account, render=_render, now=timezone.now())
    # An SMTP server that refuses connections: a port bound but not listening on loopback.
    with socket.socket() as closed_port:
        closed_port.bind(("127.0.0.1", 0))
        port = closed_port.getsockname()[1]
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_TIMEOUT=5,
        ):
            delivery = Delivery.objects.get(message=message)
            result = deliver.using(queue_name=rq_queue).enqueue(delivery_id=delivery.pk)
            _run_worker(rq_queue)

    # The task itself succeeded: it recorded the failure and scheduled its own retry with back-off
    # (RQ's scheduled-job registry of the same queue), rather than failing and being forgotten.
    ran = deliver.get_result(result.id)
    assert ran.status == TaskResultStatus.SUCCESSFUL and ran.return_value == "retry"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRY, 1)
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > timezone.now()
    scheduled = django_rq.get_queue(rq_queue).scheduled_job_registry.get_job_ids()
    assert len(scheduled) == 1
    message.refresh_from_db()
    assert message.emailed_at is None  # not marked sent: a retry sends it


def test_rq_backend_settings_pass_django_checks() -> None:
    """TASKS_BACKEND=django_tasks_rq.RQBackend is a working configuration: django_rq installed, the
    default queue on REDIS_URL's server in database 5, the backend's own system checks pass."""
    script = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.checks import ERROR, run_checks\n"
        "from django_tasks import task_backends\n"
        "errors = [str(m) for m in run_checks() if m.level >= ERROR]\n"
        "print(json.dumps({'errors': errors, 'backend': type(task_backends['default']).__name__,\n"
        "    'queues': settings.RQ_QUEUES, 'apps': settings.INSTALLED_APPS, 'rq': settings.RQ}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"TASKS_REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tongban.conf.base",
        "TASKS_BACKEND": RQ_BACKEND,
        "REDIS_URL": "redis://127.0.0.1:6379/3",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["errors"] == []
    assert found["backend"] == "RQBackend"
    assert "django_rq" in found["apps"]
    assert found["queues"] == {"default": {"URL": "redis://127.0.0.1:6379/5"}}
    assert found["rq"] == {"JOB_CLASS": "django_tasks_rq.Job", "QUEUE_CLASS": "tongban.core.rq.Queue"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/5"),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/5"),
        (
            "rediss://:secret@cache.example:6380/2?ssl_cert_reqs=required",
            "rediss://:secret@cache.example:6380/5?ssl_cert_reqs=required",
        ),
        ("redis://cache.example/1?db=1", "redis://cache.example/5"),
        ("unix:///run/redis.sock?db=0", "unix:///run/redis.sock?db=5"),
    ],
)
def test_task_queue_defaults_to_database_5_of_the_cache_server(url: str, expected: str) -> None:
    assert redis_url_with_db(url, 5) == expected


def test_a_job_policy_keeps_the_timeout_within_rqs_monitoring_interval() -> None:
    """A longer timeout would let RQ declare a job abandoned while its run may still be alive."""
    assert JobPolicy(timeout=30, retries=0).timeout == 30
    for timeout in (0, 31):
        with pytest.raises(ValueError, match="timeout"):
            JobPolicy(timeout=timeout, retries=3)
    with pytest.raises(ValueError, match="retries"):
        JobPolicy(timeout=5, retries=-1)


@pytest.mark.django_db
def test_requeue_abandoned_does_nothing_on_the_database_backend() -> None:
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}):
        assert requeue_abandoned.call() == 0
