"""Pure hash-chain maths: canonical encoding, entry hashes, checkpoint messages, chain checks.

The design follows certificate-transparency logs: writers append entries without any global
lock; a single sealer later gives each committed entry the next position (``seq``) and the hash
``H(prev_hash || canonical(entry))``, then signs a checkpoint of the chain head. Changing,
deleting or reordering a sealed entry breaks the recomputed chain or a signed checkpoint.
No database and no clock here: everything is given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def _default(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def canonical_json(payload: dict[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, no spaces, UTF-8, datetimes in UTC ISO 8601."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default).encode()


def entry_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's canonical form, hex-encoded."""
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json(payload))
    return digest.hexdigest()


def checkpoint_message(*, stream: str, seq: int, head_hash: str, signed_at: datetime) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return canonical_json({"stream": stream, "seq": seq, "head": head_hash, "signed_at": signed_at})


@dataclass(frozen=True)
class SealedEntry:
    """What the verifier reads back of one sealed entry."""

    seq: int
    prev_hash: str
    entry_hash: str
    payload: dict[str, Any]


def verify_entries(
    entries: Iterable[SealedEntry], *, start_seq: int = 1, start_hash: str = GENESIS
) -> tuple[list[str], int, str]:
    """Check a run of sealed entries in ``seq`` order.

    Returns (problems, last seq, last hash). A problem is a sentence naming the position.
    """
    problems: list[str] = []
    expected_seq = start_seq
    prev = start_hash
    last_seq = start_seq - 1
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(f"seq {expected_seq}: missing (next sealed entry is seq {entry.seq})")
        if entry.prev_hash != prev:
            problems.append(f"seq {entry.seq}: previous-hash link broken")
        recomputed = entry_hash(entry.prev_hash, entry.payload)
        if recomputed != entry.entry_hash:
            problems.append(f"seq {entry.seq}: content does not match its sealed hash")
        prev = entry.entry_hash
        last_seq = entry.seq
        expected_seq = entry.seq + 1
    return problems, last_seq, prev


def prune_message(*, stream: str, through_seq: int, head_hash: str, pruned_at: datetime) -> bytes:
    """The exact bytes a prune anchor's signature covers: "``stream`` was pruned through
    ``through_seq``, whose chain hash is ``head_hash``, at ``pruned_at``"."""
    return canonical_json({"stream": stream, "pruned_through": through_seq, "head": head_hash, "pruned_at": pruned_at})


def verified_message(*, stream: str, seq: int, head_hash: str, entries: int, verified_at: datetime) -> bytes:
    """The exact bytes a verified mark's signature covers: "``stream`` was recomputed through
    ``seq``, whose chain hash is ``head_hash``, reading ``entries`` entries, at ``verified_at``"."""
    return canonical_json(
        {"stream": stream, "verified_through": seq, "head": head_hash, "entries": entries, "verified_at": verified_at}
    )
