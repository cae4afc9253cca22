"""Re-encrypt personal data under the active data key, recompute lookup digests under the active
lookup key, and store uploaded files anew under the active key, in batches beside live traffic
(ADR 0029). Idempotent and resumable: run it after every rotation until it rewrites nothing.

It lives with the audit trail's other key work (the sealer, the verifier) because each batch it
changes is audited in the same transaction (``core.data_rekeyed``); the work itself is generic,
in ``core.rekey``, over every model with encrypted fields."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.core.crypto import get_data_keyring
from tongban.core.rekey import encrypted_tables, rekey_files, rekey_rows

ACTOR = Actor.system("data_rekey")


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column and file under the active data key; recompute lookup digests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args: Any, **options: Any) -> None:
        ring = get_data_keyring()
        key, lookup_key = ring.active_key().kid, ring.active_lookup_key().kid
        self.stdout.write(f"Active data key {key}, lookup key {lookup_key}")

        def batch_done(table: str, rows: int) -> None:
            audit_record(
                action="core.data_rekeyed",
                actor=ACTOR,
                object_type="table",
                object_id=table,
                data={"rows": rows, "key": key, "lookup_key": lookup_key},
            )

        def file_done(old: str, new: str) -> None:
            audit_record(
                action="core.file_rekeyed",
                actor=ACTOR,
                object_type="file",
                object_id=new.rsplit("/", 1)[-1][:64],
                data={"name": new, "was": old, "key": key},
            )

        for table in encrypted_tables():
            name = table.model._meta.db_table
            changed = rekey_rows(
                connection, name, table.columns, table.digest, batch=options["batch"], on_batch=batch_done
            )
            self.stdout.write(f"{name}: {changed} rows rewritten")
        self.stdout.write(f"files: {rekey_files(on_file=file_done)} rewritten")
