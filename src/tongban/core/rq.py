"""What the Redis task backend (django-tasks-rq on RQ 3) needs beyond the tasks API: a job policy
per task (an RQ job timeout and an explicit ``Retry``), applied by the queue class when a task is
enqueued, and the maintenance job that hands jobs whose worker died back to RQ (ADR 0050).

* **Policies.** The tasks API has no timeout and no retries, and ``RQBackend`` creates every job
  with the queue's defaults (180 s, no retry). A context registers a policy for a task of its own
  (``register(deliver, lambda: JobPolicy(timeout=…, retries=…))``, read from settings at each
  enqueue); :class:`Queue`, named in ``RQ["QUEUE_CLASS"]``, fills it in for that task's jobs.
* **Abandoned jobs.** A worker killed with SIGKILL (or its machine lost) leaves its job in the
  queue's StartedJobRegistry with the expiry of its last heartbeat: with a job timeout of at most
  30 s, the job's start + timeout + 60 s. RQ does not watch that expiry: its
  ``StartedJobRegistry.cleanup`` retries an expired job that has retries left (``Retry``) and
  fails the others, but it runs only in a worker's maintenance, at start and every 10 minutes.
  :func:`requeue_abandoned`, a scheduled job every minute, runs the same cleanup for the task
  queues, so a killed worker's job runs again within about a minute of its expiry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_rq
from django_rq.queues import DjangoRQ
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django_tasks.base import Task
from django_tasks_rq.backend import Job as TaskJob
from django_tasks_rq.backend import RQBackend
from rq.job import Job, Retry
from rq.registry import StartedJobRegistry

#: RQ's job monitoring interval (rq.defaults.DEFAULT_JOB_MONITORING_INTERVAL). A job whose
#: timeout is at most this long is declared abandoned only after its timeout has passed
#: (the registry entry expires at start + timeout + 60 s), so a rerun never overlaps a live run.
MAX_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class JobPolicy:
    """How RQ runs one task's jobs: ``timeout`` seconds before the work-horse is killed, and
    ``retries`` further runs after a failure, a timeout or the worker's death."""

    timeout: int
    retries: int

    def __post_init__(self) -> None:
        if not 0 < self.timeout <= MAX_TIMEOUT_SECONDS:
            raise ValueError(f"an RQ job timeout must be 1–{MAX_TIMEOUT_SECONDS} s, not {self.timeout}")
        if self.retries < 0:
            raise ValueError("retries cannot be negative")


_policies: dict[str, Callable[[], JobPolicy]] = {}


def register(work: Task[Any, Any], policy: Callable[[], JobPolicy]) -> None:
    """Run ``work``'s RQ jobs under ``policy()`` (evaluated at each enqueue)."""
    _policies[work.module_path] = policy


def policy_for(function_path: str) -> JobPolicy | None:
    """The policy registered for the task at ``function_path``, if any."""
    policy = _policies.get(function_path)
    return policy() if policy is not None else None


class Queue(DjangoRQ):
    """django-rq's queue, creating the jobs of a task with a registered policy with its timeout
    and ``Retry`` (set as ``RQ["QUEUE_CLASS"]``)."""

    def create_job(self, func: Any, *args: Any, **kwargs: Any) -> Job:
        policy = policy_for(func) if isinstance(func, str) else None
        if policy is not None:
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = policy.timeout
            if kwargs.get("retry") is None and policy.retries:
                kwargs["retry"] = Retry(max=policy.retries)
        return super().create_job(func, *args, **kwargs)


@task()
def requeue_abandoned(*, slot: str = "") -> int:
    """Run RQ's cleanup of started jobs whose heartbeat expired (their worker died) on every
    queue of the RQ task backend: each is retried if it has retries left, else failed. Returns
    how many were handled; does nothing on another backend."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if not isinstance(backend, RQBackend):
        return 0
    handled = 0
    for name in sorted(backend.queues):
        # The registry takes the job class on its own (not from the queue): the task job class,
        # whose failure callback marks the django-tasks result of the abandoned run.
        registry = StartedJobRegistry(queue=django_rq.get_queue(name), job_class=TaskJob)
        handled += len(registry.get_expired_job_ids())
        registry.cleanup()
    return handled
