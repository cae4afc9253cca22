"""Retention of the hash-chained streams: only whole checkpointed segments are pruned, behind a
signed anchor, and ``audit_verify`` / ``exchange_verify`` still pass — and still catch tampering."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tests.audit_guard import audited_writes_checked
from tongban.audit import services as audit_services
from tongban.audit.db import append_only_suspended
from tongban.audit.models import AuditEvent, Checkpoint, PruneAnchor
from tongban.audit.pruning import prune_stream
from tongban.audit.services import audit_record, seal_pending, verify_stream
from tongban.core.actors import Actor
from tongban.exchange.models import AccessLogEntry

pytestmark = pytest.mark.django_db


class Clock:
    """The sealer's clock, moved by hand: each sealed batch gets its own checkpoint time."""

    def __init__(self) -> None:
        self.at = datetime(2020, 1, 1, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(audit_services, "clock_now", clock)
    return clock


def write(n: int, label: str = "w") -> None:
    for i in range(n):
        audit_record(action="test.event", actor=Actor.system(label), object_type="thing", object_id=i)


def three_segments(clock: Clock) -> tuple[datetime, datetime]:
    """Seal seq 1-3 at T1 and seq 4-5 at T2; leave one entry pending. Returns (T1, T2)."""
    write(3)
    seal_pending("audit")
    t1 = clock.at
    clock.at += timedelta(days=400)
    write(2)
    seal_pending("audit")
    t2 = clock.at
    clock.at += timedelta(days=400)
    write(1, "pending")
    return t1, t2


def verify_command(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_prunes_whole_segments_up_to_the_last_checkpoint_before_the_limit(clock: Clock) -> None:
    t1, _t2 = three_segments(clock)
    with audited_writes_checked("prune"):
        deleted = prune_stream("audit", before=t1 + timedelta(days=1), now=clock.at)
    assert deleted == 3
    assert sorted(seq or 0 for seq in AuditEvent.objects.exclude(seq=None).values_list("seq", flat=True)) == [4, 5]
    assert AuditEvent.objects.filter(actor_label="pending").exists()  # after the last checkpoint: kept
    anchor = PruneAnchor.objects.get(stream="audit")
    assert (anchor.through_seq, anchor.table_name) == (3, "audit_auditevent")
    assert list(Checkpoint.objects.filter(stream="audit").values_list("seq", flat=True).order_by("seq")) == [3, 5]
    pruned = AuditEvent.objects.get(action="audit.segments_pruned")
    assert pruned.data["through_seq"] == 3 and pruned.object_id == "audit"

    report = verify_stream("audit")
    assert report.ok, report.problems
    assert report.pruned_through == 3 and report.sealed == 2
    assert "audit: OK" in verify_command("audit_verify")  # seals the pending entries, then verifies
    assert "pruned through seq 3" in verify_command("audit_verify", "--no-seal")


def test_a_limit_between_checkpoints_never_cuts_a_segment(clock: Clock) -> None:
    t1, t2 = three_segments(clock)
    assert prune_stream("audit", before=t1 - timedelta(seconds=1), now=clock.at) == 0  # none old enough
    assert not PruneAnchor.objects.exists()
    prune_stream("audit", before=t2 - timedelta(seconds=1), now=clock.at)  # between the two: the first only
    assert PruneAnchor.objects.get().through_seq == 3
    prune_stream("audit", before=clock.at + timedelta(days=1), now=clock.at)  # everything old: sealed ones only
    assert PruneAnchor.objects.get().through_seq == 5
    # Which rows are left, in no particular order (no ORDER BY: PostgreSQL returns sealed, i.e.
    # updated, rows wherever their new versions landed).
    assert sorted(AuditEvent.objects.values_list("actor_label", flat=True)) == ["pending", "retention", "retention"]
    assert verify_stream("audit").ok


def test_pruning_twice_is_harmless(clock: Clock) -> None:
    t1, _t2 = three_segments(clock)
    before = t1 + timedelta(days=1)
    assert prune_stream("audit", before=before, now=clock.at) == 3
    anchor = PruneAnchor.objects.get()
    assert prune_stream("audit", before=before, now=clock.at) == 0
    assert PruneAnchor.objects.get().signature == anchor.signature
    assert AuditEvent.objects.filter(action="audit.segments_pruned").count() == 1
    assert "audit: OK" in verify_command("audit_verify")


def test_a_pruning_cut_short_resumes_and_verifies_meanwhile(clock: Clock) -> None:
    t1, _t2 = three_segments(clock)
    before = t1 + timedelta(days=1)
    assert prune_stream("audit", before=before, now=clock.at, batch_size=2) == 2
    assert verify_stream("audit").ok  # the row left at or below the anchor is skipped
    assert prune_stream("audit", before=before, now=clock.at, batch_size=2) == 1
    assert prune_stream("audit", before=before, now=clock.at, batch_size=2) == 0
    assert verify_stream("audit").ok


def _tamper(sql: str, params: list[object], model: type = AuditEvent) -> None:
    with append_only_suspended(model), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _fails(command: str) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(command, "--no-seal", stdout=out)
    return out.getvalue()


def test_tampering_after_a_prune_is_still_detected(clock: Clock) -> None:
    t1, _t2 = three_segments(clock)
    prune_stream("audit", before=t1 + timedelta(days=1), now=clock.at)
    _tamper("UPDATE audit_auditevent SET actor_label = %s WHERE seq = 4", ["intruder"])
    assert "seq 4: content does not match its sealed hash" in _fails("audit_verify")


def test_the_database_refuses_deleting_rows_above_the_anchor(clock: Clock) -> None:
    t1, _t2 = three_segments(clock)
    prune_stream("audit", before=t1 + timedelta(days=1), now=clock.at)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=4).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=None).delete()


def test_a_removed_or_moved_anchor_is_detected(clock: Clock) -> None:
    t1, _t2 = three_segments(clock)
    prune_stream("audit", before=t1 + timedelta(days=1), now=clock.at)
    PruneAnchor.objects.filter(stream="audit").update(through_seq=4)  # hide seq 4 without the key
    assert "prune anchor at seq 4" in _fails("audit_verify")
    PruneAnchor.objects.filter(stream="audit").delete()
    assert "seq 1: missing" in _fails("audit_verify")


def test_a_broken_segment_is_not_pruned(clock: Clock) -> None:
    t1, _t2 = three_segments(clock)
    _tamper("UPDATE audit_auditevent SET actor_label = %s WHERE seq = 2", ["intruder"])
    assert prune_stream("audit", before=t1 + timedelta(days=1), now=clock.at) == 0
    assert not PruneAnchor.objects.exists()
    assert AuditEvent.objects.filter(seq=2, actor_label="intruder").exists()  # the evidence stays


def _access(n: int) -> None:
    for i in range(n):
        AccessLogEntry.objects.create(
            at=timezone.now(),
            consumer="agency",
            actor_kind="system",
            subject_kind="person",
            subject_ref=f"person:{i}",
            resource="population",
            fields=["name"],
            purpose="test",
            basis="grant",
            outcome="answered",
        )


def test_the_access_log_is_pruned_by_segments_and_exchange_verify_passes(clock: Clock) -> None:
    _access(4)
    seal_pending("access")
    t1 = clock.at
    clock.at += timedelta(days=10)
    _access(2)
    seal_pending("access")
    assert prune_stream("access", before=t1 + timedelta(days=1), now=clock.at) == 4
    assert sorted(seq or 0 for seq in AccessLogEntry.objects.values_list("seq", flat=True)) == [5, 6]
    out = verify_command("exchange_verify")
    assert "access log: OK" in out and "pruned through seq 4" in out
    _tamper("UPDATE exchange_accesslogentry SET subject_ref = %s WHERE seq = 6", ["person:x"], AccessLogEntry)
    assert "seq 6: content does not match" in _fails("exchange_verify")
