"""The scheduler: which period is due (pure), and each period enqueued exactly once — by one
scheduler run twice, and by two schedulers at once on PostgreSQL."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from tongban.core import schedule
from tongban.core.models import ScheduledRun
from tongban.core.retention import retention_job
from tongban.core.schedule import Job, due_slots, next_slot, slot_start

SHANGHAI = ZoneInfo("Asia/Shanghai")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@task()
def tick(*, slot: str) -> str:
    return slot


EVERY_15 = Job(name="test.every-15", task=tick, every=timedelta(minutes=15))
DAILY = Job(name="test.daily", task=tick, daily_at=time(3, 30))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- Slot maths: pure, no database ------------------------------------------------------------


def test_interval_slots_are_aligned_to_the_epoch() -> None:
    assert slot_start(EVERY_15, utc(2026, 3, 1, 10, 7, 59), SHANGHAI) == utc(2026, 3, 1, 10, 0)
    assert slot_start(EVERY_15, utc(2026, 3, 1, 10, 15), SHANGHAI) == utc(2026, 3, 1, 10, 15)
    assert next_slot(EVERY_15, utc(2026, 3, 1, 10, 14, 59), SHANGHAI) == utc(2026, 3, 1, 10, 15)


def test_daily_slots_start_at_the_local_time() -> None:
    # 03:30 in Shanghai is 19:30 UTC the day before.
    assert slot_start(DAILY, utc(2026, 3, 1, 19, 30), SHANGHAI) == utc(2026, 3, 1, 19, 30)
    assert slot_start(DAILY, utc(2026, 3, 1, 19, 29), SHANGHAI) == utc(2026, 2, 28, 19, 30)
    assert slot_start(DAILY, utc(2026, 3, 2, 12, 0), SHANGHAI) == utc(2026, 3, 1, 19, 30)
    assert next_slot(DAILY, utc(2026, 3, 2, 12, 0), SHANGHAI) == utc(2026, 3, 2, 19, 30)


def test_daily_slots_follow_summer_time_where_there_is_one() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert slot_start(DAILY, utc(2026, 1, 10, 12), paris) == utc(2026, 1, 10, 2, 30)  # UTC+1
    assert slot_start(DAILY, utc(2026, 7, 10, 12), paris) == utc(2026, 7, 10, 1, 30)  # UTC+2


def test_the_due_slot_is_the_one_now_falls_in_for_each_job() -> None:
    due = due_slots([EVERY_15, DAILY], utc(2026, 3, 1, 20, 1), SHANGHAI)
    assert due == [(EVERY_15, utc(2026, 3, 1, 20, 0)), (DAILY, utc(2026, 3, 1, 19, 30))]


def test_a_job_needs_exactly_one_period() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Job(name="x", task=tick)
    with pytest.raises(ValueError, match="exactly one"):
        Job(name="x", task=tick, every=timedelta(hours=1), daily_at=time(1))
    with pytest.raises(ValueError, match="at least one second"):
        Job(name="x", task=tick, every=timedelta(0))
    with pytest.raises(ValueError, match="time-zone aware"):
        slot_start(EVERY_15, datetime(2026, 1, 1), SHANGHAI)


def test_retention_is_a_registered_daily_job() -> None:
    (job,) = [job for job in schedule.jobs() if job.name == "retention"]
    assert job.task is retention_job and job.daily_at == time(3, 30)


# --- Once per slot ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_slot_is_enqueued_once_and_the_next_slot_again() -> None:
    with override_settings(TASKS=DB_TASKS):
        at = utc(2026, 3, 1, 10, 1)
        assert schedule.run_due(at, SHANGHAI, only=[EVERY_15]) == [("test.every-15", utc(2026, 3, 1, 10, 0))]
        assert schedule.run_due(at + timedelta(minutes=5), SHANGHAI, only=[EVERY_15]) == []
        assert schedule.run_due(at + timedelta(minutes=15), SHANGHAI, only=[EVERY_15]) == [
            ("test.every-15", utc(2026, 3, 1, 10, 15))
        ]
        queued = DBTaskResult.objects.filter(task_path=tick.module_path).order_by("enqueued_at")
        assert [row.args_kwargs["kwargs"] for row in queued] == [
            {"slot": "2026-03-01T10:00:00+00:00"},
            {"slot": "2026-03-01T10:15:00+00:00"},
        ]


@pytest.mark.django_db
def test_scheduler_once_run_twice_enqueues_each_job_once() -> None:
    with override_settings(TASKS=DB_TASKS):
        out = io.StringIO()
        call_command("scheduler", "--once", stdout=out)
        call_command("scheduler", "--once", stdout=out)
    names = [job.name for job in schedule.jobs()]
    assert sorted(ScheduledRun.objects.values_list("job", flat=True)) == sorted(names)
    assert DBTaskResult.objects.filter(task_path=retention_job.module_path).count() == 1
    assert out.getvalue().count("retention: enqueued") == 1


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_enqueue_a_slot_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL property; this runs in the PostgreSQL pass")
    at = utc(2026, 3, 1, 10, 1)
    rounds, results, errors = 5, [], []
    with override_settings(TASKS=DB_TASKS):
        for n in range(rounds):
            barrier = threading.Barrier(2)

            def run(n: int = n, barrier: threading.Barrier = barrier) -> None:
                try:
                    barrier.wait(5)
                    results.extend(schedule.run_due(at + n * timedelta(minutes=15), SHANGHAI, only=[EVERY_15]))
                except BaseException as exc:  # surfaced below
                    errors.append(exc)
                finally:
                    connection.close()

            threads = [threading.Thread(target=run) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    assert not errors, errors
    assert len(results) == rounds  # one of the two schedulers won each slot
    assert DBTaskResult.objects.filter(task_path=tick.module_path).count() == rounds
    assert ScheduledRun.objects.filter(job=EVERY_15.name).count() == rounds
