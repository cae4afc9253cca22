"""Retention of the hash-chained streams: prune whole checkpointed segments, never single rows.

A stream (the audit trail, the exchange's access log) loses only a prefix of its chain that ends at
a signed checkpoint older than its retention limit: every entry up to and including that
checkpoint's position. Before anything is deleted, the segment is verified and a
:class:`~tongban.audit.models.PruneAnchor` records "pruned through seq X, whose chain hash is H",
carrying the checkpoint's signed statement and a signature over the prune itself, with an audit
event. ``verify_stream`` then starts from the anchor: the retained chain must still link to H,
every later checkpoint must still match, and a removed or changed retained row is still exposed.

Rows are deleted in batches, each its own transaction, after the anchor has moved: a run that
stops half-way leaves rows at or below the anchor, which the verifier skips and the next run
deletes. Entries after the last checkpoint, and any part of a segment, are never deleted (the
database triggers of ``audit.db`` refuse them).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from tongban.audit import chain, streams
from tongban.audit.models import ChainedRecord, Checkpoint, PruneAnchor, StreamHead
from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.core.keyring import KeyRing, b64url, b64url_decode, get_keyring
from tongban.core.retention import RuleFunction

log = logging.getLogger(__name__)


def prune_stream(
    stream: str, *, before: datetime, now: datetime, batch_size: int = 500, keyring: KeyRing | None = None
) -> int:
    """Prune ``stream`` through its latest checkpoint signed before ``before``; delete at most
    ``batch_size`` of the pruned rows. Returns the number of rows deleted by this call (call again
    while it returns ``batch_size``)."""
    model = streams.get(stream)
    keyring = keyring or get_keyring()
    anchor = _advance_anchor(model, stream, before=before, now=now, keyring=keyring)
    if anchor is None:
        return 0
    with transaction.atomic():
        ids = list(
            model._default_manager.filter(seq__lte=anchor.through_seq)
            .order_by("seq")
            .values_list("pk", flat=True)[:batch_size]
        )
        if ids:
            model._default_manager.filter(pk__in=ids).delete()
    return len(ids)


def _advance_anchor(
    model: type[ChainedRecord], stream: str, *, before: datetime, now: datetime, keyring: KeyRing
) -> PruneAnchor | None:
    """Move the stream's anchor to its latest checkpoint signed before ``before`` (never back),
    once that segment verifies; the anchor in force afterwards (None: nothing is pruned).

    The segment is read and verified before the stream head's lock is taken, so the sealer waits
    only for the anchor's write; the anchor must still be where it was when the segment was read."""
    anchor = PruneAnchor.objects.filter(stream=stream).first()
    from_seq = anchor.through_seq if anchor else 0
    checkpoint = (
        Checkpoint.objects.filter(stream=stream, signed_at__lt=before, seq__gt=from_seq).order_by("-seq").first()
    )
    if checkpoint is None:
        return anchor
    problem = _segment_problem(model, stream, anchor, checkpoint, keyring)
    if problem:
        log.error("not pruning stream %s through seq %d: %s", stream, checkpoint.seq, problem)
        return anchor
    with transaction.atomic():
        StreamHead.objects.select_for_update().filter(stream=stream).first()  # one pruner (and sealer) at a time
        current = PruneAnchor.objects.filter(stream=stream).first()
        if (current.through_seq if current else 0) != from_seq:
            return current  # another pruner moved it meanwhile: its segment, not this one
        message = chain.prune_message(
            stream=stream, through_seq=checkpoint.seq, head_hash=checkpoint.head_hash, pruned_at=now
        )
        key_id, signature = keyring.sign(message)
        anchor, _created = PruneAnchor.objects.update_or_create(
            stream=stream,
            defaults={
                "table_name": model._meta.db_table,
                "through_seq": checkpoint.seq,
                "head_hash": checkpoint.head_hash,
                "checkpoint_signed_at": checkpoint.signed_at,
                "checkpoint_key_id": checkpoint.key_id,
                "checkpoint_signature": checkpoint.signature,
                "pruned_at": now,
                "key_id": key_id,
                "signature": b64url(signature),
            },
        )
        Checkpoint.objects.filter(stream=stream, seq__lt=checkpoint.seq).delete()
        audit_record(
            action="audit.segments_pruned",
            actor=Actor.system("retention"),
            object_type="stream",
            object_id=stream,
            data={
                "from_seq": from_seq + 1,
                "through_seq": checkpoint.seq,
                "head_hash": checkpoint.head_hash,
                "checkpoint_signed_at": checkpoint.signed_at.isoformat(),
                "before": before.isoformat(),
            },
        )
        return anchor


def _segment_problem(
    model: type[ChainedRecord], stream: str, anchor: PruneAnchor | None, checkpoint: Checkpoint, keyring: KeyRing
) -> str:
    """Why the segment after ``anchor`` through ``checkpoint`` must not be pruned ("" if it may):
    a checkpoint that does not verify, or a chain that does not lead to it."""
    message = chain.checkpoint_message(
        stream=stream, seq=checkpoint.seq, head_hash=checkpoint.head_hash, signed_at=checkpoint.signed_at
    )
    if not keyring.verify(checkpoint.key_id, message, b64url_decode(checkpoint.signature)):
        return "its checkpoint's signature does not verify"
    start_seq = anchor.through_seq + 1 if anchor else 1
    start_hash = anchor.head_hash if anchor else chain.GENESIS
    rows = (
        model._default_manager.filter(seq__gte=start_seq, seq__lte=checkpoint.seq)
        .order_by("seq")
        .iterator(chunk_size=2000)
    )
    entries = (chain.SealedEntry(row.seq or 0, row.prev_hash, row.entry_hash, row.chain_payload()) for row in rows)
    problems, last_seq, last_hash = chain.verify_entries(entries, start_seq=start_seq, start_hash=start_hash)
    if problems:
        return "; ".join(problems[:5])
    if (last_seq, last_hash) != (checkpoint.seq, checkpoint.head_hash):
        return f"the chain ends at seq {last_seq}, not at the checkpoint's head"
    return ""


def retention_rule(stream: str) -> RuleFunction:
    """The ``core.retention`` rule of ``stream``: prune through the last checkpoint before the cutoff."""

    def apply(*, cutoff: datetime, now: datetime, batch_size: int) -> int:
        return prune_stream(stream, before=cutoff, now=now, batch_size=batch_size)

    return apply
