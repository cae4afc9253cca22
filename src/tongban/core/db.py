"""Static SQL for the hottest writes and reads, built once per model from its metadata.

Django compiles an INSERT anew for every ``objects.create()`` and a SELECT for every queryset; on
the paths every request of a hot page or write takes (the exchange's access log, the audit trail,
a firm's access check) the compiling cost more than the database.

* ``insert_object`` prepares each value exactly as the ORM does (``Field.pre_save`` and
  ``get_db_prep_save``: JSON, datetimes per backend, defaults) and runs one parameterised INSERT.
  No signals are sent, so use it only for models that have none (append-only log rows).
* ``select_objects`` reads whole rows with a WHERE clause the caller writes and converts each
  column with the converters the ORM would apply on this database (cached per model), then builds
  instances with ``Model.from_db`` as a queryset does."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, Model

ModelT = TypeVar("ModelT", bound=Model)


@cache
def _insert_statement(model: type[Model]) -> tuple[str, tuple[Field[Any, Any], ...]]:
    meta = model._meta
    fields = tuple(field for field in meta.concrete_fields if not field.primary_key)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {pk}".format(  # noqa: S608 - metadata only
        table=quote(meta.db_table),
        columns=", ".join(quote(field.column) for field in fields),
        values=", ".join(["%s"] * len(fields)),
        pk=quote(meta.pk.column),
    )
    return sql, fields


def insert_object(row: ModelT) -> ModelT:
    """INSERT ``row`` (an unsaved instance) and give it its primary key, as ``save()`` would."""
    sql, fields = _insert_statement(type(row))
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row.pk = cursor.fetchone()[0]
    row._state.adding = False
    row._state.db = connection.alias
    return row


def insert_row(model: type[Model], **values: Any) -> int:
    """INSERT one row of ``model`` (unset fields take their defaults) and return its primary key."""
    return int(insert_object(model(**values)).pk)


# --- Static reads ---------------------------------------------------------------------------------


@cache
def _read_plan(
    model: type[Model], fields: tuple[str, ...] | None, vendor: str
) -> tuple[str, tuple[str, ...], tuple[tuple[int, Any, Any], ...]]:
    """The column list of ``model`` (all concrete fields, or those named), their attribute names,
    and per column the converters the ORM would apply on this database (``(index, converter,
    column)``; e.g. SQLite's naive UTC datetimes made aware, JSON decoded)."""
    del vendor  # part of the cache key: a process may talk to SQLite and PostgreSQL (tests)
    chosen = tuple(
        field
        for field in model._meta.concrete_fields
        if fields is None or field.name in fields or field.attname in fields or field.primary_key
    )
    quote = connection.ops.quote_name
    columns = ", ".join(f"t.{quote(field.column)}" for field in chosen)
    plan: list[tuple[int, Any, Any]] = []
    for index, field in enumerate(chosen):
        expression = field.get_col("t")
        converters = [*connection.ops.get_db_converters(expression), *field.get_db_converters(connection)]  # type: ignore[attr-defined]
        plan.extend((index, converter, expression) for converter in converters)
    return columns, tuple(field.attname for field in chosen), tuple(plan)


def select_objects(
    model: type[ModelT], where: str, params: list[Any], *, fields: tuple[str, ...] | None = None
) -> list[ModelT]:
    """``model`` instances from one static statement, ``SELECT <columns> FROM <table> t <where>``:
    every concrete field, or only ``fields`` (and the primary key; the others are deferred, as with
    ``.only()``), each converted as the ORM converts it. ``where`` is SQL written by the caller
    (``WHERE …``, joins on ``t``, ``ORDER BY``), every value a parameter. For the reads every
    request of a hot page makes, where the ORM's compiling cost more than the database."""
    columns, names, plan = _read_plan(model, fields, connection.vendor)
    sql = f"SELECT {columns} FROM {connection.ops.quote_name(model._meta.db_table)} t {where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    objects = []
    for row in rows:
        values = list(row)
        for index, converter, expression in plan:
            values[index] = converter(values[index], expression, connection)
        objects.append(model.from_db(connection.alias, names, values))
    return objects
