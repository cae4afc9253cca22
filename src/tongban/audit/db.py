"""Database-level append-only enforcement for chained tables, on PostgreSQL and SQLite.

A migration operation installs triggers that refuse DELETE, refuse UPDATE of a sealed row, and
refuse UPDATE of any column other than the seal columns. A bug in application code, an admin
tool or a careless shell session therefore cannot rewrite history; only someone who can alter
the schema can, and the hash chain and signed checkpoints then expose it.

The one DELETE allowed is retention's: a sealed row at or below its table's prune anchor
(``audit.models.PruneAnchor``), i.e. inside whole checkpointed segments that were pruned behind a
signed anchor (``audit.pruning``). Moving an anchor without the signing key is exposed by
``verify_stream``, which checks the anchor's signatures.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState, StateApps

from tongban.audit.models import PRUNE_ANCHOR_TABLE, SEAL_COLUMNS

# The anchor table's name is a constant of this package.
_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION tongban_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.seq IS NOT NULL AND OLD.seq <= COALESCE(
            (SELECT through_seq FROM {PRUNE_ANCHOR_TABLE} WHERE table_name = TG_TABLE_NAME), 0
        ) THEN
            RETURN OLD;  -- inside a pruned segment (retention)
        END IF;
        RAISE EXCEPTION 'append-only table %: rows cannot be deleted', TG_TABLE_NAME;
    END IF;
    IF OLD.seq IS NOT NULL THEN
        RAISE EXCEPTION 'append-only table %: sealed row % cannot be changed', TG_TABLE_NAME, OLD.id;
    END IF;
    IF (to_jsonb(NEW) - ARRAY['seq','prev_hash','entry_hash','sealed_at'])
       IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['seq','prev_hash','entry_hash','sealed_at']) THEN
        RAISE EXCEPTION 'append-only table %: only the seal columns may be set', TG_TABLE_NAME;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""  # noqa: S608


def install_sql(vendor: str, table: str, columns: list[str]) -> list[str]:
    """Statements that make ``table`` append-only on ``vendor``."""
    if vendor == "postgresql":
        return [
            _PG_FUNCTION,
            f'DROP TRIGGER IF EXISTS {table}_append_only ON "{table}"',
            (
                f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION tongban_append_only()"
            ),
        ]
    if vendor == "sqlite":
        immutable = [column for column in columns if column not in SEAL_COLUMNS]
        changed = " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in immutable)
        return [
            f'DROP TRIGGER IF EXISTS "{table}_no_delete"',
            f'DROP TRIGGER IF EXISTS "{table}_no_update"',
            (
                f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}" '  # noqa: S608 - model metadata
                f"WHEN OLD.seq IS NULL OR OLD.seq > COALESCE("
                f"(SELECT through_seq FROM {PRUNE_ANCHOR_TABLE} WHERE table_name = '{table}'), 0) "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: rows cannot be deleted'); END"
            ),
            (
                f'CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}" '
                f"WHEN OLD.seq IS NOT NULL OR {changed} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: row cannot be changed'); END"
            ),
        ]
    raise NotImplementedError(f"Append-only triggers are not implemented for {vendor}")


def remove_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS {table}_append_only ON "{table}"']
    return [f'DROP TRIGGER IF EXISTS "{table}_no_delete"', f'DROP TRIGGER IF EXISTS "{table}_no_update"']


def _columns(apps: StateApps, app_label: str, model_name: str) -> tuple[str, list[str]]:
    model = apps.get_model(app_label, model_name)
    return model._meta.db_table, [field.column for field in model._meta.concrete_fields]


class _ChainedTableOperation(Operation):
    """A migration operation on one chained model's table that leaves the model state alone."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [], {"model_name": self.model_name}

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass


class AppendOnly(_ChainedTableOperation):
    """Migration operation: install the append-only triggers on a chained model's table."""

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        table, columns = _columns(to_state.apps, app_label, self.model_name)
        for statement in install_sql(schema_editor.connection.vendor, table, columns):
            schema_editor.execute(statement, params=None)

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        table, _ = _columns(from_state.apps, app_label, self.model_name)
        for statement in remove_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)

    def describe(self) -> str:
        return f"Make {self.model_name} append-only"


#: Dead rows a chained table may gather before autovacuum cleans it. The sealer UPDATEs every
#: entry once (seq, hashes), leaving one dead row per entry; PostgreSQL's default trigger (20 % of
#: the table) would let a table of 10 M entries gather 2 M of them, and the sealer's query for the
#: next unsealed batch then reads every dead row's page (ADR 0051: 1,423 buffers instead of 1).
SEALING_VACUUM_THRESHOLD = 10_000


class VacuumAfterSealing(_ChainedTableOperation):
    """Migration operation (PostgreSQL; nothing on SQLite): autovacuum a chained table after a fixed
    number of sealed entries rather than a share of the table."""

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._alter(
            schema_editor,
            to_state,
            app_label,
            f"SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = {SEALING_VACUUM_THRESHOLD})",
        )

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._alter(
            schema_editor, from_state, app_label, "RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)"
        )

    def _alter(self, schema_editor: BaseDatabaseSchemaEditor, state: ProjectState, app_label: str, change: str) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(state.apps.get_model(app_label, self.model_name)._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} {change}", params=None)

    def describe(self) -> str:
        return f"Autovacuum {self.model_name} after a fixed number of sealed entries"


@contextmanager
def append_only_suspended(model: Any, connection: BaseDatabaseWrapper = default_connection) -> Iterator[None]:
    """Lift the triggers of one table for the duration (schema rights needed): for tamper tests
    and for a documented, audited data repair only."""
    table = model._meta.db_table
    columns = [field.column for field in model._meta.concrete_fields]
    with connection.cursor() as cursor:
        for statement in remove_sql(connection.vendor, table):
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in install_sql(connection.vendor, table, columns):
                cursor.execute(statement)
