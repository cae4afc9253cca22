"""Audit data: chained, append-only records; signed checkpoints; the sealer's chain heads."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

#: Columns the sealer fills in once; every other column of a chained table is immutable.
SEAL_COLUMNS = ("seq", "prev_hash", "entry_hash", "sealed_at")


class ChainedRecord(models.Model):
    """Base of every append-only stream table.

    Rows are inserted by services inside the business transaction and never updated, except
    that the sealer fills the seal columns exactly once. Database triggers (see
    ``tongban.audit.db.AppendOnly``) refuse any other UPDATE and every DELETE.
    """

    STREAM: ClassVar[str]

    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(null=True, blank=True, unique=True, help_text="Position in the chain.")
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    entry_hash = models.CharField(max_length=64, blank=True, default="")
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        indexes = [
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="%(app_label)s_%(class)s_pending"),
        ]

    def chain_payload(self) -> dict[str, Any]:
        """The immutable content the chain hash covers: every column but the seal columns."""
        payload: dict[str, Any] = {}
        for field in self._meta.concrete_fields:
            if field.attname in SEAL_COLUMNS:
                continue
            payload[field.attname] = field.value_from_object(self)
        return payload


class AuditEvent(ChainedRecord):
    """One state change or security event: who, acting for whom under which power, did what."""

    STREAM = "audit"

    occurred_at = models.DateTimeField()
    action = models.CharField(max_length=64, help_text="Dotted event name, e.g. identity.power_granted.")
    actor_kind = models.CharField(max_length=16)
    actor_id = models.BigIntegerField(null=True, blank=True, help_text="Account id of the actor, if any.")
    actor_label = models.CharField(max_length=150, blank=True)
    acting_for = models.CharField(max_length=64, blank=True, help_text="e.g. firm:<USCC>")
    power_id = models.BigIntegerField(null=True, blank=True, help_text="Delegated power used, if any.")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta(ChainedRecord.Meta):
        indexes = [
            *ChainedRecord.Meta.indexes,
            models.Index(fields=["object_type", "object_id", "id"], name="audit_event_object"),
            models.Index(fields=["actor_id", "id"], name="audit_event_actor"),
            models.Index(fields=["acting_for", "id"], name="audit_event_acting_for"),
            models.Index(fields=["action", "id"], name="audit_event_action"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label or self.actor_kind} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class StreamHead(models.Model):
    """The sealed head of one stream. Only the sealer writes it; its row lock serialises sealers,
    never writers."""

    stream = models.CharField(max_length=32, primary_key=True)
    seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.stream} @ {self.seq}"


class Checkpoint(models.Model):
    """A signed statement of a stream's head: (stream, seq, head hash, time) signed with Ed25519."""

    stream = models.CharField(max_length=32)
    seq = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=128, help_text="base64url Ed25519 signature.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="audit_checkpoint_stream_seq")]

    def __str__(self) -> str:
        return f"{self.stream} checkpoint @ {self.seq} ({self.key_id[:8]})"


#: The anchor table's name, spelled out in the append-only triggers (``audit.db``).
PRUNE_ANCHOR_TABLE = "audit_pruneanchor"


class PruneAnchor(models.Model):
    """Where a stream's retained chain begins: every entry up to ``through_seq`` (a signed
    checkpoint's position) was pruned under retention, and the chain goes on from ``head_hash``.

    Holds the checkpoint's own signed statement (so it outlives the checkpoint rows) and a second
    signature over the prune itself. The append-only triggers let a row be deleted only at or below
    its table's ``through_seq``; ``verify_stream`` starts from here. Written by
    ``audit.pruning.prune_stream`` only, with an audit event."""

    stream = models.CharField(max_length=32, primary_key=True)
    table_name = models.CharField(max_length=63, unique=True, help_text="The stream's table, for the triggers.")
    through_seq = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)
    checkpoint_signed_at = models.DateTimeField()
    checkpoint_key_id = models.CharField(max_length=64)
    checkpoint_signature = models.CharField(max_length=128)
    pruned_at = models.DateTimeField()
    key_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=128, help_text="base64url Ed25519 signature of the prune statement.")

    class Meta:
        db_table = PRUNE_ANCHOR_TABLE

    def __str__(self) -> str:
        return f"{self.stream} pruned through {self.through_seq}"


class VerifiedMark(models.Model):
    """ "``audit_verify`` recomputed ``stream`` through ``seq``, whose chain hash is ``head_hash``":
    the point an incremental run (``--since last``) starts from (ADR 0047).

    Signed with the keyring like a checkpoint, but over its own message
    (``chain.verified_message``), so neither can stand in for the other. Append-only: the same
    database triggers as the chained tables refuse every UPDATE and DELETE; a forged or edited row
    fails its signature and the incremental run is refused."""

    id = models.BigAutoField(primary_key=True)
    stream = models.CharField(max_length=32)
    seq = models.BigIntegerField(help_text="The last position verified.")
    head_hash = models.CharField(max_length=64)
    entries = models.BigIntegerField(help_text="Entries the run read and recomputed.")
    verified_at = models.DateTimeField()
    key_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=128, help_text="base64url Ed25519 signature.")

    class Meta:
        # A run records a mark only past the last one: one mark per position.
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="audit_verifiedmark_stream_seq")]

    def __str__(self) -> str:
        return f"{self.stream} verified through {self.seq}"
