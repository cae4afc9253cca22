"""Re-encrypt personal data under the active data key and recompute lookup digests under the
active lookup key, in batches, beside live traffic (ADR 0029). Idempotent and resumable."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from tongban.core.crypto import get_data_keyring
from tongban.core.rekey import encrypted_tables, rekey_rows


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column under the active data key; recompute lookup digests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args: Any, **options: Any) -> None:
        ring = get_data_keyring()
        self.stdout.write(f"Active data key {ring.active_key().kid}, lookup key {ring.active_lookup_key().kid}")
        for table in encrypted_tables():
            name = table.model._meta.db_table
            changed = rekey_rows(connection, name, table.columns, table.digest, batch=options["batch"])
            self.stdout.write(f"{name}: {changed} rows rewritten")
