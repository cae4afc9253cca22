"""Row-level work on encrypted columns and files, in batches: encrypting existing rows (the migrations that
introduced encryption), decrypting them (those migrations reversed) and re-encrypting rows under
the active key (``manage.py data_rekey`` after a key rotation), on SQLite and PostgreSQL alike.

Each function reads rows in primary-key order, ``batch`` at a time, and writes each changed value
with a compare-and-set ``UPDATE … WHERE id = %s AND column = <the value read>``: a value a user
changed meanwhile is left alone (it was written under the active key anyway), so the work runs
beside live traffic without locks, may be interrupted at any point, and run again (ADR 0029).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from django.apps import apps
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from tongban.core.crypto import (
    PREFIX,
    decrypt_json,
    decrypt_text,
    encrypt_json,
    encrypt_text,
    get_data_keyring,
    key_id_of,
    lookup_digest,
)
from tongban.core.fields import EncryptedJSONField, EncryptedTextField, LookupDigestField
from tongban.core.storage import EncryptedStorage

Kind = Literal["text", "json"]


@dataclass(frozen=True)
class Digest:
    """A lookup column computed from an encrypted text column."""

    source: str
    column: str
    normalise: Callable[[str], str]


def _is_token(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ".")


def _batches(
    connection: BaseDatabaseWrapper, table: str, columns: list[str], batch: int
) -> Iterator[list[tuple[Any, ...]]]:
    quote = connection.ops.quote_name
    select = "SELECT id, {cols} FROM {table} WHERE id > %s ORDER BY id LIMIT %s".format(  # noqa: S608 - metadata only
        cols=", ".join(quote(c) for c in columns), table=quote(table)
    )
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(select, [last, batch])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _update(connection: BaseDatabaseWrapper, table: str, row_id: Any, changes: dict[str, tuple[Any, Any]]) -> int:
    """Set each column to its new value where it still holds the old one; returns rows changed."""
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(column)} = %s" for column in changes)
    guards = " AND ".join(
        f"{quote(column)} IS NULL" if old is None else f"{quote(column)} = %s"
        for column, (old, _new) in changes.items()
    )
    params = [new for _old, new in changes.values()]
    params.append(row_id)
    params += [old for old, _new in changes.values() if old is not None]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(table)} SET {sets} WHERE id = %s AND {guards}", params)  # noqa: S608 - metadata only
        return int(cursor.rowcount)


def _plain_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def encrypt_rows(
    connection: BaseDatabaseWrapper,
    table: str,
    columns: dict[str, Kind],
    digest: Digest | None = None,
    *,
    batch: int = 500,
) -> int:
    """Encrypt every plaintext value of ``columns`` (and fill ``digest`` from its plaintext source);
    values that are already ciphertext are skipped. Returns the rows changed."""
    names = list(columns) + ([digest.column] if digest else [])
    changed = 0
    for rows in _batches(connection, table, names, batch):
        with transaction.atomic(using=connection.alias):
            for row_id, *values in rows:
                current = dict(zip(names, values, strict=True))
                changes: dict[str, tuple[Any, Any]] = {}
                for column, kind in columns.items():
                    value = current[column]
                    if value is None or _is_token(value):
                        continue
                    if digest and column == digest.source:
                        changes[digest.column] = (current[digest.column], lookup_digest(digest.normalise(value)))
                    if kind == "json":
                        changes[column] = (value, encrypt_json(_plain_json(value), table=table, column=column))
                    else:
                        changes[column] = (value, encrypt_text(value, table=table, column=column))
                if changes:
                    changed += _update(connection, table, row_id, changes)
    return changed


def decrypt_rows(connection: BaseDatabaseWrapper, table: str, columns: dict[str, Kind], *, batch: int = 500) -> int:
    """Turn every ciphertext of ``columns`` back into plaintext (JSON as JSON text): the reverse of
    the migrations that introduced encryption. Needs the keys."""
    names = list(columns)
    changed = 0
    for rows in _batches(connection, table, names, batch):
        with transaction.atomic(using=connection.alias):
            for row_id, *values in rows:
                changes: dict[str, tuple[Any, Any]] = {}
                for column, value in zip(names, values, strict=True):
                    if not _is_token(value):
                        continue
                    plain = decrypt_text(value, table=table, column=column)
                    changes[column] = (value, plain)
                if changes:
                    changed += _update(connection, table, row_id, changes)
    return changed


def rekey_rows(
    connection: BaseDatabaseWrapper,
    table: str,
    columns: dict[str, Kind],
    digest: Digest | None = None,
    *,
    batch: int = 500,
    on_batch: Callable[[str, int], None] | None = None,
) -> int:
    """Re-encrypt every value not made with the active data key, and recompute ``digest`` where it
    was not made with the active lookup key. Idempotent; returns the rows changed. ``on_batch``
    is called inside each batch's transaction that changed rows, with the table and the count
    (the command writes its audit entry there)."""
    ring = get_data_keyring()
    active = ring.active_key().kid
    names = list(columns) + ([digest.column] if digest else [])
    changed = 0
    for rows in _batches(connection, table, names, batch):
        in_batch = 0
        with transaction.atomic(using=connection.alias):
            for row_id, *values in rows:
                current = dict(zip(names, values, strict=True))
                changes: dict[str, tuple[Any, Any]] = {}
                for column, kind in columns.items():
                    value = current[column]
                    if value is None:
                        continue
                    if digest and column == digest.source:
                        wanted = lookup_digest(digest.normalise(decrypt_text(value, table=table, column=column)))
                        if wanted != current[digest.column]:
                            changes[digest.column] = (current[digest.column], wanted)
                    if key_id_of(value) == active:
                        continue
                    if kind == "json":
                        plain = decrypt_json(value, table=table, column=column)
                        changes[column] = (value, encrypt_json(plain, table=table, column=column))
                    else:
                        plain_text = decrypt_text(value, table=table, column=column)
                        changes[column] = (value, encrypt_text(plain_text, table=table, column=column))
                if changes:
                    in_batch += _update(connection, table, row_id, changes)
            if in_batch and on_batch is not None:
                on_batch(table, in_batch)
        changed += in_batch
    return changed


@dataclass(frozen=True)
class EncryptedTable:
    """One table's encrypted columns, as the models declare them."""

    model: type[Model]
    columns: dict[str, Kind]
    digest: Digest | None


def encrypted_tables() -> list[EncryptedTable]:
    """Every model with encrypted fields (and its lookup digest column, if any)."""
    found = []
    for model in apps.get_models():
        columns: dict[str, Kind] = {}
        digest = None
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedJSONField):
                columns[field.column] = "json"
            elif isinstance(field, EncryptedTextField):
                columns[field.column] = "text"
            elif isinstance(field, LookupDigestField) and field.of:
                source = str(model._meta.get_field(field.of).column)  # type: ignore[union-attr]
                digest = Digest(source=source, column=field.column, normalise=field.normalise or (lambda s: s))
        if columns:
            found.append(EncryptedTable(model=model, columns=columns, digest=digest))
    return found


def rekey_files(on_file: Callable[[str, str], None] | None = None) -> int:
    """Store every file of an encrypted storage that is not under the active key (or not
    encrypted at all: files stored before encryption) anew under a fresh name, point the rows that
    name it there, then delete the old file. A crash leaves at worst an unreferenced file, never
    a row naming a missing one. ``on_file(old, new)`` is called in the transaction that points
    the rows at the new name. Returns the files rewritten."""
    changed = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField) or not isinstance(field.storage, EncryptedStorage):
                continue
            storage = field.storage
            rows = model._default_manager.order_by()
            names = sorted(set(rows.exclude(**{field.attname: ""}).values_list(field.attname, flat=True)))
            for name in names:
                if not storage.exists(name):
                    continue
                fresh = storage.rekey(name)
                if fresh is None:
                    continue
                with transaction.atomic():
                    rows.filter(**{field.attname: name}).update(**{field.attname: fresh})
                    if on_file is not None:
                        on_file(name, fresh)
                storage.delete(name)
                changed += 1
    return changed
