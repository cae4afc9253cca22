"""``audit_verify --since`` (ADR 0047): an incremental run starts after the last verified mark,
checked by its signature first; it reads only what came after, in keyset batches; a full run still
reads everything. Every run reports the entries verified and the time taken."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tongban.audit.db import append_only_suspended
from tongban.audit.models import AuditEvent, Checkpoint, VerifiedMark
from tongban.audit.services import audit_record, seal_pending, verify_stream
from tongban.core.actors import Actor

pytestmark = pytest.mark.django_db


class _Buffer:
    def __init__(self) -> None:
        self.text = ""

    def write(self, value: str) -> None:
        self.text += value

    def flush(self) -> None:
        pass


def write(n: int, actor: Actor) -> None:
    for i in range(n):
        audit_record(action="test.event", actor=actor, object_type="thing", object_id=i, data={"i": i})


def _tamper(model: type[object], sql: str, params: list[object]) -> None:
    with append_only_suspended(model), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _run(*args: str) -> str:
    out = _Buffer()
    call_command("audit_verify", "--stream", "audit", *args, stdout=out)
    return out.text


def _fails(*args: str) -> str:
    out = _Buffer()
    with pytest.raises(CommandError):
        call_command("audit_verify", "--stream", "audit", *args, stdout=out)
    return out.text


def test_a_clean_run_reports_entries_and_time_and_records_a_signed_mark(system_actor: Actor) -> None:
    write(5, system_actor)
    text = _run()
    assert re.search(r"audit: verified 5 entries from seq 1 in \d+\.\d{3} s \([\d,]+ entries/s\)", text)
    mark = VerifiedMark.objects.get(stream="audit")
    assert mark.seq == 5 and mark.entries == 5 and mark.signature
    assert "verified mark recorded at seq 5" in text


def test_since_last_reads_only_what_came_after_the_mark(system_actor: Actor) -> None:
    write(6, system_actor)
    _run()
    write(3, system_actor)
    seal_pending("audit")
    report = verify_stream("audit", since="last")
    assert report.ok and report.start_seq == 7 and report.sealed == 3 and report.head_seq == 9
    text = _run("--since", "last")
    assert "verified 3 entries from seq 7 (verified mark at seq 6)" in text


def test_since_last_finds_a_tampered_entry_after_the_mark(system_actor: Actor) -> None:
    write(4, system_actor)
    _run()
    write(4, system_actor)
    seal_pending("audit")
    _tamper(AuditEvent, "UPDATE audit_auditevent SET actor_label = %s WHERE seq = 6", ["intruder"])
    assert "seq 6: content does not match its sealed hash" in _fails("--no-seal", "--since", "last")
    assert VerifiedMark.objects.filter(stream="audit").count() == 1  # a broken run records nothing


def test_a_tampered_entry_before_the_mark_is_not_reread_but_a_full_run_finds_it(system_actor: Actor) -> None:
    write(5, system_actor)
    _run()
    write(3, system_actor)
    seal_pending("audit")
    _tamper(AuditEvent, "UPDATE audit_auditevent SET actor_label = %s WHERE seq = 2", ["intruder"])
    with CaptureQueriesContext(connection) as queries:
        report = verify_stream("audit", since="last", batch_size=2)
    assert report.ok and report.sealed == 3  # seq 6..8 only
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "audit_auditevent"' in q["sql"]]
    assert len(reads) == 3  # two keyset batches of 2 (the second short) and the pending count
    assert not any("OFFSET" in sql for sql in reads)
    assert "seq 2: content does not match its sealed hash" in _fails("--no-seal")


def test_a_tampered_mark_is_refused(system_actor: Actor) -> None:
    write(4, system_actor)
    _run()
    write(2, system_actor)
    seal_pending("audit")
    # Someone rewrites entries up to seq 5 and moves the mark past them, with the hash it needs.
    fake = Checkpoint.objects.get(stream="audit", seq=6).head_hash
    _tamper(VerifiedMark, "UPDATE audit_verifiedmark SET seq = 6, head_hash = %s", [fake])
    text = _fails("--no-seal", "--since", "last")
    assert "REFUSED" in text and "verified mark at seq 6: signature invalid" in text


def test_verified_marks_are_append_only_in_the_database(system_actor: Actor) -> None:
    write(2, system_actor)
    _run()
    with pytest.raises(DatabaseError), transaction.atomic():
        VerifiedMark.objects.update(seq=99)
    with pytest.raises(DatabaseError), transaction.atomic():
        VerifiedMark.objects.all().delete()


def test_since_a_position_starts_at_the_signed_checkpoint_below_it(system_actor: Actor) -> None:
    write(3, system_actor)
    seal_pending("audit")  # checkpoint at seq 3
    write(4, system_actor)
    seal_pending("audit")  # checkpoint at seq 7
    _tamper(AuditEvent, "UPDATE audit_auditevent SET actor_label = %s WHERE seq = 2", ["intruder"])
    report = verify_stream("audit", since=5)
    assert report.ok and report.start_seq == 4 and report.sealed == 4
    assert report.started_from == "checkpoint at seq 3"
    text = _run("--no-seal", "--no-record", "--since", "5")
    assert "verified 4 entries from seq 4 (checkpoint at seq 3)" in text


def test_since_a_position_refuses_a_tampered_checkpoint(system_actor: Actor) -> None:
    write(3, system_actor)
    seal_pending("audit")
    write(2, system_actor)
    seal_pending("audit")
    with connection.cursor() as cursor:  # checkpoints carry no trigger: their signature guards them
        cursor.execute("UPDATE audit_checkpoint SET head_hash = %s WHERE seq = 3", ["f" * 64])
    assert "checkpoint at seq 3: signature invalid" in _fails("--no-seal", "--since", "4")


def test_since_last_without_a_mark_is_a_full_run(system_actor: Actor) -> None:
    write(3, system_actor)
    text = _run("--since", "last")
    assert "verified 3 entries from seq 1 (no verified mark yet: full run)" in text


def test_since_rejects_nonsense() -> None:
    with pytest.raises(CommandError):
        call_command("audit_verify", "--since", "yesterday")
