"""Writes to the audit trail: record an event, seal pending entries, verify a stream.

``audit_record`` is called by other contexts' services inside their own transaction, so the
event commits or rolls back with the change it records. It only INSERTs: no counter, no head
row, no lock shared between writers. ``seal_pending`` runs in the background sealer (and in
``audit_verify``); it is the only writer of chain positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from tongban.audit import chain, streams
from tongban.audit._queries import write_seals
from tongban.audit.models import AuditEvent, ChainedRecord, Checkpoint, PruneAnchor, StreamHead, VerifiedMark
from tongban.core.actors import Actor
from tongban.core.clock import now as clock_now
from tongban.core.db import insert_object
from tongban.core.keyring import KeyRing, b64url, b64url_decode, get_keyring


def audit_record(
    *,
    action: str,
    actor: Actor,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail (inside the caller's transaction). Every business write
    calls this, so the INSERT is a static statement (``core.db``), not compiled per call."""
    return insert_object(
        AuditEvent(
            occurred_at=clock_now(),
            action=action,
            actor_kind=actor.kind,
            actor_id=actor.account_id,
            actor_label=actor.label[:150],
            acting_for=actor.acting_for,
            power_id=actor.power_id,
            object_type=object_type,
            object_id=str(object_id),
            ip=actor.ip,
            data=data or {},
        )
    )


def seal_pending(stream: str, *, batch_size: int = 2000, keyring: KeyRing | None = None) -> int:
    """Chain every committed, unsealed entry of ``stream`` and sign a checkpoint of the new head.

    Returns the number of entries sealed. Concurrent sealers queue on the stream head's row lock.
    """
    model = streams.get(stream)
    total = 0
    while True:
        sealed = _seal_batch(model, stream, batch_size, keyring or get_keyring())
        total += sealed
        if sealed < batch_size:
            return total


def _seal_batch(model: type[ChainedRecord], stream: str, batch_size: int, keyring: KeyRing) -> int:
    with transaction.atomic():
        sealed_at = clock_now()
        StreamHead.objects.get_or_create(
            stream=stream, defaults={"seq": 0, "head_hash": chain.GENESIS, "updated_at": sealed_at}
        )
        head = StreamHead.objects.select_for_update().get(stream=stream)
        pending = list(model._default_manager.filter(seq__isnull=True).order_by("id")[:batch_size])
        if not pending:
            return 0
        seq, prev = head.seq, head.head_hash
        for entry in pending:
            seq += 1
            entry.seq = seq
            entry.prev_hash = prev
            entry.entry_hash = chain.entry_hash(prev, entry.chain_payload())
            entry.sealed_at = sealed_at
            prev = entry.entry_hash
        write_seals(model, pending, sealed_at)
        head.seq, head.head_hash, head.updated_at = seq, prev, sealed_at
        head.save(update_fields=["seq", "head_hash", "updated_at"])
        message = chain.checkpoint_message(stream=stream, seq=seq, head_hash=prev, signed_at=sealed_at)
        kid, signature = keyring.sign(message)
        Checkpoint.objects.create(
            stream=stream, seq=seq, head_hash=prev, signed_at=sealed_at, key_id=kid, signature=b64url(signature)
        )
        return len(pending)


#: The start of an incremental run: ``"last"`` (the last verified mark) or a position.
Since = int | str | None


@dataclass
class VerifyReport:
    """What ``audit_verify`` found for one stream. ``sealed`` counts the entries read and
    recomputed by this run; ``start_seq`` is the first position it read (1 for a full run)."""

    stream: str
    sealed: int = 0
    pending: int = 0
    checkpoints: int = 0
    head_seq: int = 0
    head_hash: str = chain.GENESIS
    start_seq: int = 1
    started_from: str = ""
    pruned_through: int = 0
    problems: list[str] = field(default_factory=list)
    refused: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_stream(
    stream: str, *, since: Since = None, batch_size: int = 2000, keyring: KeyRing | None = None
) -> VerifyReport:
    """Recompute the chain of ``stream`` and check every signed checkpoint against it.

    A stream pruned under retention (``audit.pruning``) is checked from its anchor: the anchor's
    two signatures must verify, and the retained chain must link to the anchor's hash.

    ``since`` makes the run incremental (ADR 0047): ``"last"`` starts after the stream's last
    :class:`VerifiedMark`, a number ``n`` after the latest signed statement (checkpoint or mark)
    below ``n``. The statement's signature is checked first; a bad one refuses the run
    (``report.refused``) rather than trusting its hash. Entries are read in keyset batches of
    ``batch_size`` by ``seq`` (no OFFSET), so memory stays flat and time is linear in entries."""
    keyring = keyring or get_keyring()
    model = streams.get(stream)
    report = VerifyReport(stream=stream)
    start_seq, start_hash = _verified_start(stream, keyring, report)
    if since is not None:
        start_seq, start_hash = _incremental_start(
            stream, since, (start_seq, start_hash), keyring=keyring, report=report
        )
        if report.refused:
            return report
    report.start_seq = start_seq
    checkpoints = Checkpoint.objects.filter(stream=stream)
    if since is not None:
        checkpoints = checkpoints.filter(seq__gte=start_seq)
    sealed_hashes: dict[int, str] = {}
    checkpoint_seqs = set(checkpoints.values_list("seq", flat=True))

    def entries() -> Any:
        after = start_seq - 1
        while True:
            batch = list(model._default_manager.filter(seq__gt=after).order_by("seq")[:batch_size])
            for entry in batch:
                assert entry.seq is not None
                report.sealed += 1
                if entry.seq in checkpoint_seqs:
                    sealed_hashes[entry.seq] = entry.entry_hash
                after = entry.seq
                yield chain.SealedEntry(entry.seq, entry.prev_hash, entry.entry_hash, entry.chain_payload())
            if len(batch) < batch_size:
                return

    problems, last_seq, last_hash = chain.verify_entries(entries(), start_seq=start_seq, start_hash=start_hash)
    report.problems.extend(problems)
    report.head_seq, report.head_hash = last_seq, last_hash
    report.pending = model._default_manager.filter(seq__isnull=True).count()

    for checkpoint in checkpoints.order_by("seq").iterator():
        report.checkpoints += 1
        message = chain.checkpoint_message(
            stream=stream, seq=checkpoint.seq, head_hash=checkpoint.head_hash, signed_at=checkpoint.signed_at
        )
        if not keyring.verify(checkpoint.key_id, message, b64url_decode(checkpoint.signature)):
            report.problems.append(f"checkpoint at seq {checkpoint.seq}: signature invalid or key unknown")
        if checkpoint.seq < start_seq:  # inside the pruned segments: its entry is gone by design
            if checkpoint.seq == start_seq - 1 and checkpoint.head_hash != start_hash:
                report.problems.append(f"checkpoint at seq {checkpoint.seq}: differs from the prune anchor")
            continue
        actual = sealed_hashes.get(checkpoint.seq)
        if actual is None:
            report.problems.append(f"checkpoint at seq {checkpoint.seq}: that entry no longer exists")
        elif actual != checkpoint.head_hash:
            report.problems.append(f"checkpoint at seq {checkpoint.seq}: chain head differs from the signed one")

    head = StreamHead.objects.filter(stream=stream).first()
    if head is not None and (head.seq, head.head_hash) != (last_seq, last_hash):
        report.problems.append(f"stream head says seq {head.seq}, the chain ends at seq {last_seq}")
    return report


def record_verified(report: VerifyReport, *, keyring: KeyRing | None = None) -> VerifiedMark | None:
    """Sign and store "``report.stream`` verified through ``report.head_seq``" after a clean run,
    so that the next ``--since last`` starts there. Nothing is stored for a broken or empty run,
    nor when the last mark already covers the same position."""
    if not report.ok or report.head_seq < 1:
        return None
    last = VerifiedMark.objects.filter(stream=report.stream).order_by("-seq").first()
    if last is not None and last.seq >= report.head_seq:
        return None
    keyring = keyring or get_keyring()
    verified_at = clock_now()
    message = chain.verified_message(
        stream=report.stream,
        seq=report.head_seq,
        head_hash=report.head_hash,
        entries=report.sealed,
        verified_at=verified_at,
    )
    kid, signature = keyring.sign(message)
    try:
        with transaction.atomic():
            return VerifiedMark.objects.create(
                stream=report.stream,
                seq=report.head_seq,
                head_hash=report.head_hash,
                entries=report.sealed,
                verified_at=verified_at,
                key_id=kid,
                signature=b64url(signature),
            )
    except IntegrityError:  # a concurrent run recorded the same position first
        return None


def _incremental_start(
    stream: str, since: int | str, start: tuple[int, str], *, keyring: KeyRing, report: VerifyReport
) -> tuple[int, str]:
    """Where an incremental run begins: just after a signed statement whose signature verifies.
    Sets ``report.refused`` (with a problem) when the statement has been tampered with. ``start``
    is where a full run begins (after the prune anchor, or at the genesis)."""
    start_seq, start_hash = start
    marks = VerifiedMark.objects.filter(stream=stream)
    checkpoint: Checkpoint | None = None
    if since == "last":
        mark = marks.order_by("-seq").first()
        if mark is None:
            report.started_from = "no verified mark yet: full run"
            return start_seq, start_hash
    else:
        below = int(since) - 1
        mark = marks.filter(seq__lte=below).order_by("-seq").first()
        checkpoint = Checkpoint.objects.filter(stream=stream, seq__lte=below).order_by("-seq").first()
        if checkpoint is not None and (mark is None or checkpoint.seq > mark.seq):
            mark = None
        else:
            checkpoint = None
    if mark is not None:
        seq, head_hash, what = mark.seq, mark.head_hash, f"verified mark at seq {mark.seq}"
        message = chain.verified_message(
            stream=stream, seq=mark.seq, head_hash=mark.head_hash, entries=mark.entries, verified_at=mark.verified_at
        )
        valid = keyring.verify(mark.key_id, message, b64url_decode(mark.signature))
    elif checkpoint is not None:
        seq, head_hash, what = checkpoint.seq, checkpoint.head_hash, f"checkpoint at seq {checkpoint.seq}"
        message = chain.checkpoint_message(
            stream=stream, seq=checkpoint.seq, head_hash=checkpoint.head_hash, signed_at=checkpoint.signed_at
        )
        valid = keyring.verify(checkpoint.key_id, message, b64url_decode(checkpoint.signature))
    else:
        report.started_from = "no signed statement below that position: full run"
        return start_seq, start_hash
    if not valid:
        report.refused = True
        report.problems.append(f"{what}: signature invalid or key unknown; run a full verification")
        return start_seq, start_hash
    if seq < start_seq - 1:  # older than the prune anchor: start from the anchor
        report.started_from = f"prune anchor at seq {start_seq - 1}"
        return start_seq, start_hash
    report.started_from = what
    return seq + 1, head_hash


def _verified_start(stream: str, keyring: KeyRing, report: VerifyReport) -> tuple[int, str]:
    """Where the retained chain of ``stream`` begins: after its prune anchor (both signatures
    checked), or at the genesis."""
    anchor = PruneAnchor.objects.filter(stream=stream).first()
    if anchor is None:
        return 1, chain.GENESIS
    report.pruned_through = anchor.through_seq
    checkpoint = chain.checkpoint_message(
        stream=stream, seq=anchor.through_seq, head_hash=anchor.head_hash, signed_at=anchor.checkpoint_signed_at
    )
    if not keyring.verify(anchor.checkpoint_key_id, checkpoint, b64url_decode(anchor.checkpoint_signature)):
        report.problems.append(f"prune anchor at seq {anchor.through_seq}: its checkpoint's signature is invalid")
    prune = chain.prune_message(
        stream=stream, through_seq=anchor.through_seq, head_hash=anchor.head_hash, pruned_at=anchor.pruned_at
    )
    if not keyring.verify(anchor.key_id, prune, b64url_decode(anchor.signature)):
        report.problems.append(f"prune anchor at seq {anchor.through_seq}: its signature is invalid")
    return anchor.through_seq + 1, anchor.head_hash
