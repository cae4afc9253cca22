"""Periodic jobs: a registry declared in code, the pure maths of which period ("slot") is due, and
the tick that enqueues each due job exactly once per slot, whatever the number of schedulers.

A job is a django-tasks task plus a period: every ``every`` (aligned to the Unix epoch, so that
all nodes agree on the slots) or once a day at ``daily_at`` in the platform's time zone. Contexts
declare their jobs in their ``AppConfig.ready`` with :func:`register`; ``manage.py scheduler``
(a long-running loop, or ``--once`` from cron or a test) calls :func:`run_due`.

Exactly once per slot, on any number of nodes: the tick INSERTs a :class:`ScheduledRun` row
``(job, slot)`` under a unique constraint and enqueues the task in the same transaction
(``core.tasks.enqueue_with_commit``: with the database task backend, the task row commits with
the claim — a transactional outbox). A second scheduler's INSERT waits for the first's commit
and fails on the constraint, so it enqueues nothing. Only the current slot is due: a scheduler
that was down for three days runs a daily job once, not three times; the jobs themselves catch
up (retention deletes everything older than its limit, whenever it runs). Why a home-made
scheduler: docs/adr/0030-scheduler-and-retention.md.

A scheduled task is called with one keyword argument, ``slot``: the ISO 8601 start of its period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from django.db import IntegrityError, transaction
from django_tasks.base import Task

from tongban.core.models import ScheduledRun
from tongban.core.tasks import enqueue_with_commit

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Job:
    """A periodic job: ``task`` enqueued once per ``every`` or once a day at ``daily_at``."""

    name: str
    task: Task[Any, Any]
    every: timedelta | None = None
    daily_at: time | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"job {self.name!r}: give exactly one of every= or daily_at=")
        if self.every is not None and self.every < timedelta(seconds=1):
            raise ValueError(f"job {self.name!r}: every= must be at least one second")


def slot_start(job: Job, now: datetime, tz: tzinfo) -> datetime:
    """The start of the period of ``job`` that contains ``now`` (aware, in UTC).

    Interval jobs: periods of ``every`` counted from the Unix epoch. Daily jobs: from ``daily_at``
    (wall-clock time in ``tz``) of one day to the same time the next day."""
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    if job.every is not None:
        periods = (now - EPOCH) // job.every
        return EPOCH + periods * job.every
    assert job.daily_at is not None
    local = now.astimezone(tz)
    start = datetime.combine(local.date(), job.daily_at, tzinfo=tz)
    if start > local:
        start = datetime.combine(local.date() - timedelta(days=1), job.daily_at, tzinfo=tz)
    return start.astimezone(UTC)


def next_slot(job: Job, now: datetime, tz: tzinfo) -> datetime:
    """When the period after the one containing ``now`` begins (aware, in UTC)."""
    current = slot_start(job, now, tz)
    if job.every is not None:
        return current + job.every
    assert job.daily_at is not None
    local = current.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), job.daily_at, tzinfo=tz).astimezone(UTC)


def due_slots(jobs: Iterable[Job], now: datetime, tz: tzinfo) -> list[tuple[Job, datetime]]:
    """Each job with the slot that is due at ``now``: the one ``now`` falls in. Whether it already
    ran is the database's question (:func:`run_due`), not this function's."""
    return [(job, slot_start(job, now, tz)) for job in jobs]


_JOBS: dict[str, Job] = {}


def register(job: Job) -> None:
    """Declare a periodic job (in the owning app's ``AppConfig.ready``); names are unique."""
    existing = _JOBS.get(job.name)
    if existing is not None and existing != job:
        raise ValueError(f"a different job is already registered as {job.name!r}")
    _JOBS[job.name] = job


def jobs() -> list[Job]:
    """The registered jobs, by name."""
    return [_JOBS[name] for name in sorted(_JOBS)]


def run_due(now: datetime, tz: tzinfo, *, only: Iterable[Job] | None = None) -> list[tuple[str, datetime]]:
    """Enqueue every job whose current slot has not been claimed yet; returns (job, slot) enqueued.

    Each claim and its enqueue are one transaction; a slot another scheduler claimed is skipped."""
    enqueued: list[tuple[str, datetime]] = []
    for job, slot in due_slots(jobs() if only is None else only, now, tz):
        if ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
            continue  # the common case, without provoking an integrity error
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slot, enqueued_at=now)
                enqueue_with_commit(job.task, slot=slot.isoformat())
        except IntegrityError:
            continue  # another scheduler claimed this slot first
        enqueued.append((job.name, slot))
    return enqueued


def seconds_until_next(now: datetime, tz: tzinfo, *, most: float) -> float:
    """How long the scheduler loop may sleep before some job's next slot begins (at most ``most``)."""
    waits = [(next_slot(job, now, tz) - now).total_seconds() for job in jobs()]
    return max(0.0, min([most, *waits]))
