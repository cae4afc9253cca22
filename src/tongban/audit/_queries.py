"""The audit service's hand-built statements: filling the seal columns of a batch of entries.
Kept here so that ``audit.services`` spells no SQL; identifiers come from model metadata and
every value is a parameter."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from tongban.audit.models import ChainedRecord


def write_seals(model: type[ChainedRecord], entries: list[ChainedRecord], sealed_at: datetime) -> None:
    """Fill the seal columns of ``entries``: one parameterised UPDATE per row, sent as one batch
    (``executemany``; psycopg pipelines it). Django's ``bulk_update`` builds a CASE expression per
    row and cost the sealer about 1 ms per entry; this is a small fraction of that."""
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"UPDATE {table} SET seq = %s, prev_hash = %s, entry_hash = %s, sealed_at = %s WHERE id = %s"  # noqa: S608
    at = connection.ops.adapt_datetimefield_value(sealed_at)
    rows = [(entry.seq, entry.prev_hash, entry.entry_hash, at, entry.pk) for entry in entries]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
