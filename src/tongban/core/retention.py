"""Retention: how long each kind of record is kept, and the daily job that deletes what is older.

The limits are configuration (``settings.RETENTION``: days per record type, 0 = kept for ever;
``conf/base.py``, documented by ``manage.py settings_doc``). The rules that apply them belong to
the contexts that own the records and plug in here with :func:`register` from their
``AppConfig.ready`` (forms: abandoned drafts; cases: the materials of closed cases; identity:
expired sessions; audit: the checkpointed segments of the hash-chained streams), so that core
imports none of them.

A rule deletes at most ``batch_size`` records per call, each deletion with its audit event in its
own transaction, and returns how many it deleted; :func:`apply_retention` calls it until a call
deletes fewer. Rules select by age only, so a second run (or one that resumes after a crash) finds
only what is still left: running twice does no harm. The daily job is ``retention`` in
``core.schedule``, registered below. Details: docs/personal-data.md, ADR 0030.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django_tasks import task

from tongban.core import schedule
from tongban.core.clock import now as clock_now
from tongban.core.models import ScheduledRun

log = logging.getLogger(__name__)


class RuleFunction(Protocol):
    def __call__(self, *, cutoff: datetime, now: datetime, batch_size: int) -> int: ...


@dataclass(frozen=True)
class Rule:
    """Deletes records of one kind older than ``cutoff``: at most ``batch_size`` per call."""

    name: str
    apply: RuleFunction
    description: str = ""


_RULES: dict[str, Rule] = {}


def register(name: str, apply: RuleFunction, description: str = "") -> None:
    """Plug a context's rule in under ``name``, the key of its limit in ``settings.RETENTION``."""
    _RULES[name] = Rule(name, apply, description)


def rules() -> list[Rule]:
    return [_RULES[name] for name in sorted(_RULES)]


def limit_days(name: str) -> int:
    """Days records of kind ``name`` are kept (0: for ever)."""
    days = settings.RETENTION.get(name, 0)
    return int(days or 0)


def apply_retention(*, now: datetime, only: Callable[[Rule], bool] | None = None) -> dict[str, int]:
    """Apply every rule with a limit at ``now``, batch by batch; returns deleted counts by rule."""
    batch_size = int(settings.RETENTION_BATCH_SIZE)
    deleted: dict[str, int] = {}
    for rule in rules():
        days = limit_days(rule.name)
        if days <= 0 or (only is not None and not only(rule)):
            continue
        cutoff = now - timedelta(days=days)
        total = 0
        while True:
            count = rule.apply(cutoff=cutoff, now=now, batch_size=batch_size)
            total += count
            if count < batch_size:
                break
        deleted[rule.name] = total
        log.info("retention %s: deleted %d records older than %s", rule.name, total, cutoff.isoformat())
    return deleted


def _scheduled_runs(*, cutoff: datetime, now: datetime, batch_size: int) -> int:
    """The scheduler's old claims (bookkeeping, no personal data: not audited)."""
    ids = list(ScheduledRun.objects.filter(slot__lt=cutoff).order_by("slot").values_list("pk", flat=True)[:batch_size])
    ScheduledRun.objects.filter(pk__in=ids).delete()
    return len(ids)


@task()
def retention_job(*, slot: str | None = None) -> dict[str, int]:
    """The daily job: apply every retention rule at the start of its slot (or now)."""
    at = parse_datetime(slot) if slot else None
    return apply_retention(now=at or clock_now())


def register_defaults() -> None:
    """Core's own rule and the daily job (called from ``CoreConfig.ready``)."""
    register("scheduled_runs", _scheduled_runs, "The scheduler's claims of past periods.")
    schedule.register(
        schedule.Job(
            name="retention",
            task=retention_job,
            daily_at=time.fromisoformat(settings.RETENTION_DAILY_AT),
        )
    )
