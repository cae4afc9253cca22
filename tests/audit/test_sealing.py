"""Sealing, signed checkpoints and tamper detection on the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from tongban.audit.db import append_only_suspended
from tongban.audit.models import AuditEvent, Checkpoint, StreamHead
from tongban.audit.services import audit_record, seal_pending, verify_stream
from tongban.core.actors import Actor
from tongban.core.keyring import KeyRing, get_keyring, new_private_jwk

pytestmark = pytest.mark.django_db


def write(n: int, actor: Actor) -> list[AuditEvent]:
    return [
        audit_record(action="test.event", actor=actor, object_type="thing", object_id=i, data={"i": i})
        for i in range(n)
    ]


def test_seal_chains_and_signs(system_actor: Actor) -> None:
    write(5, system_actor)
    assert seal_pending("audit") == 5
    sealed = list(AuditEvent.objects.order_by("seq"))
    assert [event.seq for event in sealed] == [1, 2, 3, 4, 5]
    assert all(sealed[i].prev_hash == sealed[i - 1].entry_hash for i in range(1, 5))
    checkpoint = Checkpoint.objects.get()
    assert checkpoint.seq == 5 and checkpoint.head_hash == sealed[-1].entry_hash
    assert checkpoint.key_id == get_keyring().active.kid
    report = verify_stream("audit")
    assert report.ok, report.problems
    assert (report.sealed, report.pending, report.checkpoints) == (5, 0, 1)


def test_sealing_again_continues_the_chain(system_actor: Actor) -> None:
    write(2, system_actor)
    seal_pending("audit")
    assert seal_pending("audit") == 0  # nothing pending: no empty checkpoint
    write(3, system_actor)
    seal_pending("audit")
    assert StreamHead.objects.get(stream="audit").seq == 5
    assert Checkpoint.objects.count() == 2
    assert verify_stream("audit").ok


def test_batches_larger_than_the_batch_size(system_actor: Actor) -> None:
    write(7, system_actor)
    assert seal_pending("audit", batch_size=3) == 7
    assert Checkpoint.objects.count() == 3
    assert verify_stream("audit").ok


def test_database_refuses_update_and_delete_of_sealed_rows(system_actor: Actor) -> None:
    write(2, system_actor)
    seal_pending("audit")
    event = AuditEvent.objects.get(seq=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_database_refuses_content_change_of_pending_rows(system_actor: Actor) -> None:
    (event,) = write(1, system_actor)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def _tamper(sql: str, params: list[object]) -> None:
    with append_only_suspended(AuditEvent), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify_fails() -> str:
    with pytest.raises(CommandError):
        call_command("audit_verify", "--no-seal", stdout=(out := _Buffer()))
    return out.text


class _Buffer:
    def __init__(self) -> None:
        self.text = ""

    def write(self, value: str) -> None:
        self.text += value

    def flush(self) -> None:
        pass


def test_audit_verify_passes_on_an_intact_trail(system_actor: Actor) -> None:
    write(4, system_actor)
    out = _Buffer()
    call_command("audit_verify", stdout=out)
    assert "audit: OK" in out.text and "sealed 4 pending" in out.text


def test_tampering_with_a_sealed_row_is_detected(system_actor: Actor) -> None:
    write(4, system_actor)
    seal_pending("audit")
    _tamper("UPDATE audit_auditevent SET actor_label = %s WHERE seq = 2", ["intruder"])
    assert "seq 2: content does not match its sealed hash" in _verify_fails()


def test_tampering_with_the_json_data_is_detected(system_actor: Actor) -> None:
    write(3, system_actor)
    seal_pending("audit")
    _tamper("UPDATE audit_auditevent SET data = %s WHERE seq = 3", [json.dumps({"i": 42})])
    assert "seq 3: content does not match" in _verify_fails()


def test_deleting_a_sealed_row_is_detected(system_actor: Actor) -> None:
    write(4, system_actor)
    seal_pending("audit")
    _tamper("DELETE FROM audit_auditevent WHERE seq = 2", [])
    assert "seq 2: missing" in _verify_fails()


def test_deleting_the_newest_sealed_row_is_detected_by_the_checkpoint(system_actor: Actor) -> None:
    write(4, system_actor)
    seal_pending("audit")
    _tamper("DELETE FROM audit_auditevent WHERE seq = 4", [])
    assert "checkpoint at seq 4: that entry no longer exists" in _verify_fails()


def test_reordering_sealed_rows_is_detected(system_actor: Actor) -> None:
    write(4, system_actor)
    seal_pending("audit")
    _tamper("UPDATE audit_auditevent SET seq = -1 WHERE seq = 2", [])
    _tamper("UPDATE audit_auditevent SET seq = 2 WHERE seq = 3", [])
    _tamper("UPDATE audit_auditevent SET seq = 3 WHERE seq = -1", [])
    assert "previous-hash link broken" in _verify_fails()


def test_rewriting_the_whole_chain_is_caught_by_the_signed_checkpoints(system_actor: Actor) -> None:
    """An intruder who recomputes every hash still cannot forge the checkpoint signature."""
    write(3, system_actor)
    seal_pending("audit")
    _tamper("UPDATE audit_auditevent SET actor_label = %s WHERE seq = 1", ["intruder"])
    # Recompute the chain as the intruder would.
    from tongban.audit.chain import GENESIS, entry_hash

    prev = GENESIS
    for event in AuditEvent.objects.order_by("seq"):
        digest = entry_hash(prev, event.chain_payload())
        _tamper("UPDATE audit_auditevent SET prev_hash = %s, entry_hash = %s WHERE id = %s", [prev, digest, event.pk])
        prev = digest
    StreamHead.objects.filter(stream="audit").update(head_hash=prev)
    Checkpoint.objects.filter(stream="audit").update(head_hash=prev)  # cannot re-sign without the key
    assert "signature invalid" in _verify_fails()


def test_rotated_key_still_verifies_old_checkpoints(system_actor: Actor) -> None:
    old = json.loads(_current_keyring_json())
    write(2, system_actor)
    seal_pending("audit")
    for jwk in old["keys"]:
        jwk["status"] = "retired"
    rotated = {"keys": [new_private_jwk(), *old["keys"]]}
    with override_settings(SIGNING_KEYS_JSON=json.dumps(rotated)):
        write(2, system_actor)
        seal_pending("audit")
        kids = set(Checkpoint.objects.values_list("key_id", flat=True))
        assert len(kids) == 2
        assert verify_stream("audit").ok
    # A ring that has lost the old key cannot vouch for the old checkpoints.
    stranger = KeyRing.from_jwks({"keys": [new_private_jwk()]})
    assert any("signature invalid" in p for p in verify_stream("audit", keyring=stranger).problems)


def _current_keyring_json() -> str:
    from django.conf import settings

    return settings.SIGNING_KEYS_JSON


def test_the_chained_tables_are_vacuumed_after_a_fixed_number_of_sealed_entries() -> None:
    """Sealing leaves one dead row per entry; on PostgreSQL both chained tables are autovacuumed
    after a fixed number of them, not after a fifth of the table (ADR 0051)."""
    if connection.vendor != "postgresql":
        pytest.skip("autovacuum storage parameters are PostgreSQL's")
    from tongban.audit.db import SEALING_VACUUM_THRESHOLD
    from tongban.exchange.models import AccessLogEntry

    for model in (AuditEvent, AccessLogEntry):
        with connection.cursor() as cursor:
            cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
            options = set(cursor.fetchone()[0] or [])
        assert {
            "autovacuum_vacuum_scale_factor=0",
            f"autovacuum_vacuum_threshold={SEALING_VACUUM_THRESHOLD}",
        } <= options, (model, options)
