"""Static SQL for the hottest writes and reads, built once per model from its metadata.

Django compiles an INSERT anew for every ``objects.create()`` and a SELECT for every queryset; on
the paths every request of a hot page or write takes (the exchange's access log, the audit trail,
a firm's access check) the compiling cost more than the database.

* ``insert_object`` prepares each value exactly as the ORM does (``Field.pre_save`` and
  ``get_db_prep_save``: JSON, datetimes per backend, defaults) and runs one parameterised INSERT.
  No signals are sent, so use it only for models that have none (append-only log rows).
* ``select_objects`` reads whole rows with a WHERE clause the caller writes and converts each
  column with the converters the ORM would apply on this database (cached per model), then builds
  instances with ``Model.from_db`` as a queryset does. ``select_batch`` sends several such reads
  to PostgreSQL in one round trip (pipeline mode)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple, TypeVar

from django.db import DatabaseError, connection
from django.db.models import Field, Model

ModelT = TypeVar("ModelT", bound=Model)


@cache
def _insert_statement(model: type[Model], unless_taken: str = "") -> tuple[str, tuple[Field[Any, Any], ...]]:
    meta = model._meta
    fields = tuple(field for field in meta.concrete_fields if not field.primary_key)
    quote = connection.ops.quote_name
    conflict = ""
    if unless_taken:
        column: str = meta.get_field(unless_taken).column  # type: ignore[union-attr, assignment]
        conflict = f" ON CONFLICT ({quote(column)}) DO NOTHING"
    sql = "INSERT INTO {table} ({columns}) VALUES ({values}){conflict} RETURNING {pk}".format(  # noqa: S608 - metadata only
        table=quote(meta.db_table),
        columns=", ".join(quote(field.column) for field in fields),
        values=", ".join(["%s"] * len(fields)),
        conflict=conflict,
        pk=quote(meta.pk.column),
    )
    return sql, fields


def _insert(row: Model, unless_taken: str) -> bool:
    sql, fields = _insert_statement(type(row), unless_taken)
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchone()
    if returned is None:
        return False
    row.pk = returned[0]
    row._state.adding = False
    row._state.db = connection.alias
    return True


def insert_object(row: ModelT) -> ModelT:
    """INSERT ``row`` (an unsaved instance) and give it its primary key, as ``save()`` would."""
    _insert(row, "")
    return row


def insert_object_unless_taken(row: Model, field: str) -> bool:
    """INSERT ``row`` unless its value of the unique ``field`` is taken already: then nothing is
    written and False returned, without an error (``ON CONFLICT … DO NOTHING``, so the caller's
    transaction goes on without a savepoint). A clash on another unique field still raises
    ``IntegrityError``."""
    return _insert(row, field)


def insert_objects(rows: list[ModelT], *, ignore_conflicts: bool = False) -> list[ModelT]:
    """INSERT ``rows`` (unsaved instances of one model) in one statement, as ``bulk_create`` would,
    giving each its primary key. With ``ignore_conflicts`` a row that would break a unique
    constraint is skipped (``ON CONFLICT DO NOTHING``) and no primary keys are set. No signals
    (as ``bulk_create``). For the rows every submission writes: the ORM compiled its bulk INSERT
    anew each time."""
    if not rows:
        return rows
    model = type(rows[0])
    meta = model._meta
    fields = tuple(field for field in meta.concrete_fields if not field.primary_key)
    quote = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = "INSERT INTO {table} ({columns}) VALUES {values}{conflict} RETURNING {pk}".format(  # noqa: S608 - metadata only
        table=quote(meta.db_table),
        columns=", ".join(quote(field.column) for field in fields),
        values=", ".join([one] * len(rows)),
        conflict=" ON CONFLICT DO NOTHING" if ignore_conflicts else "",
        pk=quote(meta.pk.column),
    )
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for row in rows for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchall()
    if not ignore_conflicts:
        # PostgreSQL and SQLite return the rows of a multi-row VALUES in their order (Django's
        # bulk_create relies on the same).
        for row, (pk,) in zip(rows, returned, strict=True):
            row.pk = pk
            row._state.adding = False
            row._state.db = connection.alias
    return rows


@cache
def _update_statement(model: type[Model], names: tuple[str, ...]) -> tuple[str, tuple[Field[Any, Any], ...]]:
    meta = model._meta
    fields: tuple[Field[Any, Any], ...] = tuple(meta.get_field(name) for name in names)  # type: ignore[misc]
    quote = connection.ops.quote_name
    sql = "UPDATE {table} SET {assignments} WHERE {pk} = %s".format(  # noqa: S608 - metadata only
        table=quote(meta.db_table),
        assignments=", ".join(f"{quote(field.column)} = %s" for field in fields),
        pk=quote(meta.pk.column),
    )
    return sql, fields


def update_object(row: Model, fields: tuple[str, ...]) -> None:
    """UPDATE ``fields`` of the saved ``row``, as ``row.save(update_fields=fields)`` would (each value
    prepared by its field, ``auto_now`` fields stamped) in one static statement. No signals: only
    for models that have none. Raises ``DatabaseError`` if the row is gone, as ``save`` would."""
    sql, prepared = _update_statement(type(row), fields)
    params = [field.get_db_prep_save(field.pre_save(row, False), connection) for field in prepared]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, row.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{type(row).__name__} {row.pk} was not updated: it no longer exists.")


def insert_row(model: type[Model], **values: Any) -> int:
    """INSERT one row of ``model`` (unset fields take their defaults) and return its primary key."""
    return int(insert_object(model(**values)).pk)


# --- Static reads ---------------------------------------------------------------------------------


@cache
def _read_plan(
    model: type[Model], fields: tuple[str, ...] | None, alias: str, vendor: str
) -> tuple[str, tuple[str, ...], tuple[tuple[int, Any, Any], ...]]:
    """The column list of ``model`` as ``alias`` (all concrete fields, or those named), their
    attribute names, and per column the converters the ORM would apply on this database
    (``(index, converter, column)``; e.g. SQLite's naive UTC datetimes made aware, JSON decoded)."""
    del vendor  # part of the cache key: a process may talk to SQLite and PostgreSQL (tests)
    chosen = tuple(
        field
        for field in model._meta.concrete_fields
        if fields is None or field.name in fields or field.attname in fields or field.primary_key
    )
    quote = connection.ops.quote_name
    columns = ", ".join(f"{alias}.{quote(field.column)}" for field in chosen)
    plan: list[tuple[int, Any, Any]] = []
    for index, field in enumerate(chosen):
        expression = field.get_col(alias)
        converters = [*connection.ops.get_db_converters(expression), *field.get_db_converters(connection)]  # type: ignore[attr-defined]
        plan.extend((index, converter, expression) for converter in converters)
    return columns, tuple(field.attname for field in chosen), tuple(plan)


def _build(model: type[ModelT], names: tuple[str, ...], plan: tuple[tuple[int, Any, Any], ...], row: Any) -> ModelT:
    values = list(row)
    for index, converter, expression in plan:
        values[index] = converter(values[index], expression, connection)
    return model.from_db(connection.alias, names, values)


Join = tuple[str, tuple[str, ...] | None]


class Read(NamedTuple):
    """One static read for ``select_objects`` / ``select_batch`` (see ``select_objects``)."""

    model: type[Model]
    where: str
    params: list[Any]
    fields: tuple[str, ...] | None = None
    joined: Join | None = None
    joins: tuple[Join, ...] = ()
    lock: bool = False


@dataclass(frozen=True)
class _JoinPlan:
    path: tuple[str, ...]  # attribute names from the root object, e.g. ("version", "item")
    model: type[Model]
    names: tuple[str, ...]
    plan: tuple[tuple[int, Any, Any], ...]
    start: int  # first column of this object in the row
    present: int  # the column of its primary key: NULL when the foreign key is


@cache
def _select_plan(
    model: type[Model], fields: tuple[str, ...] | None, joins: tuple[Join, ...], vendor: str
) -> tuple[str, tuple[str, ...], tuple[tuple[int, Any, Any], ...], tuple[_JoinPlan, ...]]:
    """``SELECT … FROM … LEFT JOIN …`` for ``model`` as ``t`` and each joined path (parents named
    before their children: ``version``, then ``version__item``) as ``j``, ``j2``, ``j3`` …"""
    quote = connection.ops.quote_name
    columns, names, plan = _read_plan(model, fields, "t", vendor)
    width = len(names)
    aliases: dict[tuple[str, ...], tuple[str, type[Model]]] = {(): ("t", model)}
    sql_joins = []
    plans = []
    for number, (path_text, join_fields) in enumerate(joins, start=1):
        path = tuple(path_text.split("__"))
        parent_alias, parent_model = aliases[path[:-1]]  # KeyError: name the parent join first
        relation = parent_model._meta.get_field(path[-1])
        target: type[Model] = relation.related_model  # type: ignore[assignment]
        alias = "j" if number == 1 else f"j{number}"
        aliases[path] = (alias, target)
        join_columns, join_names, join_plan = _read_plan(target, join_fields, alias, vendor)
        columns = f"{columns}, {join_columns}"
        fk_column: str = relation.column  # type: ignore[union-attr, assignment]
        sql_joins.append(
            f"LEFT JOIN {quote(target._meta.db_table)} {alias} "
            f"ON {alias}.{quote(target._meta.pk.column)} = {parent_alias}.{quote(fk_column)} "
        )
        present = width + join_names.index(target._meta.pk.attname)
        plans.append(_JoinPlan(path, target, join_names, join_plan, width, present))
        width += len(join_names)
    sql = f"SELECT {columns} FROM {quote(model._meta.db_table)} t {''.join(sql_joins)}"  # noqa: S608 - metadata only
    return sql, names, plan, tuple(plans)


def _statement(read: Read) -> tuple[str, Callable[[list[Any]], list[Any]]]:
    """The SQL of ``read`` and the function that turns its rows into instances."""
    joins = ((read.joined,) if read.joined is not None else ()) + read.joins
    select, names, plan, join_plans = _select_plan(read.model, read.fields, joins, connection.vendor)
    sql = select + read.where
    if read.lock and connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF t"
    width = len(names)

    def materialize(rows: list[Any]) -> list[Any]:
        objects = []
        for row in rows:
            obj = _build(read.model, names, plan, row[:width])
            built: dict[tuple[str, ...], Model | None] = {(): obj}
            for join in join_plans:
                parent = built.get(join.path[:-1])
                if parent is None or row[join.present] is None:
                    built[join.path] = None
                    if parent is not None:
                        setattr(parent, join.path[-1], None)
                    continue
                end = join.start + len(join.names)
                child = _build(join.model, join.names, join.plan, row[join.start : end])
                setattr(parent, join.path[-1], child)
                built[join.path] = child
            objects.append(obj)
        return objects

    return sql, materialize


def select_objects(
    model: type[ModelT],
    where: str,
    params: list[Any],
    *,
    fields: tuple[str, ...] | None = None,
    joined: Join | None = None,
    joins: tuple[Join, ...] = (),
    lock: bool = False,
) -> list[ModelT]:
    """``model`` instances from one static statement, ``SELECT <columns> FROM <table> t <where>``:
    every concrete field, or only ``fields`` (and the primary key; the others are deferred, as with
    ``.only()``), each converted as the ORM converts it. ``where`` is SQL written by the caller
    (``WHERE …`` on ``t``, ``ORDER BY``), every value a parameter. ``joined=(foreign key, fields)``
    also reads the object that foreign key points to in the same statement (LEFT JOIN as ``j``),
    like ``select_related``; ``joins=`` several, by path (``("version", None), ("version__item",
    None)``: as ``j``, ``j2`` …, a parent before its children). ``lock=True`` locks the rows of
    ``t`` (``FOR UPDATE OF t``, like ``select_for_update(of=("self",))``; SQLite locks the whole
    database on the transaction's first write instead). For the reads every request of a hot page
    or write makes, where the ORM's compiling cost more than the database."""
    return select_batch(Read(model, where, params, fields, joined, joins, lock))[0]


@cache
def _pipeline_supported() -> bool:
    """psycopg's pipeline mode needs libpq 14 or later; with an older one, reads run in turn."""
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


def select_batch(*reads: Read) -> list[list[Any]]:
    """The results of several independent static reads (each as ``select_objects``), in order.

    On PostgreSQL they travel in **one round trip** (psycopg's pipeline mode: the statements are
    sent together, then their results read back together), so a page that needs three reads waits
    for the database once, not three times. Each statement still runs on its own, as it would one
    after another in autocommit (or in the caller's transaction); a failing one raises here. On
    SQLite, which answers in-process, they simply run in turn."""
    statements = [_statement(read) for read in reads]
    if connection.vendor != "postgresql" or len(reads) == 1 or not _pipeline_supported():
        results = []
        for read, (sql, materialize) in zip(reads, statements, strict=True):
            with connection.cursor() as cursor:
                cursor.execute(sql, read.params)
                results.append(materialize(cursor.fetchall()))
        return results
    connection.ensure_connection()
    cursors = [connection.cursor() for _read in reads]
    try:
        # The results (and any error) arrive when the pipeline syncs, outside the cursors' own
        # error translation: wrap them as Django does, so callers see django.db's exceptions.
        with connection.wrap_database_errors, connection.connection.pipeline():
            for cursor, read, (sql, _materialize) in zip(cursors, reads, statements, strict=True):
                cursor.execute(sql, read.params)
        return [materialize(cursor.fetchall()) for cursor, (_sql, materialize) in zip(cursors, statements, strict=True)]
    finally:
        for cursor in cursors:
            cursor.close()
