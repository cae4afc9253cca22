"""Pure tests of the hash-chain maths (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tongban.audit.chain import GENESIS, SealedEntry, canonical_json, checkpoint_message, entry_hash, verify_entries


def build(payloads: list[dict[str, object]]) -> list[SealedEntry]:
    entries, prev = [], GENESIS
    for seq, payload in enumerate(payloads, start=1):
        digest = entry_hash(prev, payload)
        entries.append(SealedEntry(seq, prev, digest, payload))
        prev = digest
    return entries


def test_canonical_json_is_order_and_timezone_independent() -> None:
    moment = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    shanghai = moment.astimezone(timezone(timedelta(hours=8)))
    assert canonical_json({"b": 1, "a": moment}) == canonical_json({"a": shanghai, "b": 1})
    assert canonical_json({"name": "王芳"}) == '{"name":"王芳"}'.encode()


def test_intact_chain_verifies() -> None:
    entries = build([{"n": i} for i in range(5)])
    problems, last_seq, last_hash = verify_entries(entries)
    assert problems == []
    assert last_seq == 5 and last_hash == entries[-1].entry_hash


def test_changed_content_is_detected() -> None:
    entries = build([{"n": i} for i in range(5)])
    entries[2] = SealedEntry(3, entries[2].prev_hash, entries[2].entry_hash, {"n": 99})
    problems, *_ = verify_entries(entries)
    assert problems == ["seq 3: content does not match its sealed hash"]


def test_removed_entry_is_detected() -> None:
    entries = build([{"n": i} for i in range(5)])
    del entries[1]
    problems, *_ = verify_entries(entries)
    assert "seq 2: missing (next sealed entry is seq 3)" in problems
    assert "seq 3: previous-hash link broken" in problems


def test_swapped_entries_are_detected() -> None:
    entries = build([{"n": i} for i in range(5)])
    a, b = entries[1], entries[2]
    entries[1] = SealedEntry(2, a.prev_hash, a.entry_hash, b.payload)
    entries[2] = SealedEntry(3, b.prev_hash, b.entry_hash, a.payload)
    problems, *_ = verify_entries(entries)
    assert len(problems) == 2


def test_checkpoint_message_binds_every_field() -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    base = checkpoint_message(stream="audit", seq=3, head_hash="ab", signed_at=moment)
    assert base != checkpoint_message(stream="access", seq=3, head_hash="ab", signed_at=moment)
    assert base != checkpoint_message(stream="audit", seq=4, head_hash="ab", signed_at=moment)
    assert base != checkpoint_message(stream="audit", seq=3, head_hash="ac", signed_at=moment)
