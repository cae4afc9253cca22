"""Static SQL for the hottest writes: one INSERT per model, built once from the model's metadata.

Django compiles an INSERT anew for every ``objects.create()``; on a write that runs for every
cross-agency read (the exchange's access log) the compiling cost more than the database. This
prepares each value exactly as the ORM does (``Field.pre_save`` and ``get_db_prep_save``: JSON,
datetimes per backend, defaults) and runs one parameterised statement. No signals are sent, so
use it only for models that have none (append-only log rows)."""

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
