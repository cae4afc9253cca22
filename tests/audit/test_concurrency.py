"""On PostgreSQL: parallel writers never wait for the sealer, and every committed entry is sealed."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tongban.audit.models import AuditEvent, StreamHead
from tongban.audit.services import audit_record, seal_pending, verify_stream
from tongban.core.actors import Actor

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is a PostgreSQL property; this runs in the PostgreSQL pass")


def test_concurrent_writers_are_all_sealed_none_lost() -> None:
    writers, per_writer = 6, 40
    stop = threading.Event()
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(per_writer):
                with transaction.atomic():
                    audit_record(action="test.concurrent", actor=Actor.system(f"w{worker}"), object_id=f"{worker}-{i}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    def seal() -> None:
        try:
            while not stop.is_set():
                seal_pending("audit", batch_size=25)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    sealer = threading.Thread(target=seal)
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    sealer.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    sealer.join()
    assert not errors, errors
    seal_pending("audit")

    total = writers * per_writer
    assert AuditEvent.objects.count() == total
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert sorted(seq or 0 for seq in AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    assert len(set(AuditEvent.objects.values_list("object_id", flat=True))) == total
    report = verify_stream("audit")
    assert report.ok, report.problems


def test_writers_do_not_wait_for_a_sealer_holding_the_head_lock() -> None:
    audit_record(action="test.first", actor=Actor.system())
    seal_pending("audit")
    locked, release = threading.Event(), threading.Event()

    def hold_the_sealer_lock() -> None:
        with transaction.atomic():
            StreamHead.objects.select_for_update().get(stream="audit")
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_sealer_lock)
    holder.start()
    assert locked.wait(10)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")
            audit_record(action="test.while_sealing", actor=Actor.system())  # would time out on a global lock
    finally:
        release.set()
        holder.join()
    seal_pending("audit")
    assert verify_stream("audit").ok
