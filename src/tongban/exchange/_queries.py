"""The exchange's hot statement, for its services: the consumer's live grants, checked on every
read (``exchange_query``). Static SQL (``core.db`` style), kept out of the service module so that
no service holds a raw WHERE string."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import connection

from tongban.exchange.models import DataResource, Grant, GrantStatus

#: The grant check runs on every read, so it is one static, parameterised statement (no ORM query
#: building, which cost four times the query itself): the consumer's live grants for a purpose,
#: with their resource. Identifiers come from the models' metadata, values are parameters.
_RESOURCE_COLUMNS = ("id", "code", "classification", "subject_kind", "fields", "provider")
_LIVE_GRANTS_SQL = (  # noqa: S608 - identifiers from model metadata; every value is a parameter
    "SELECT g.fields, {resource_columns} FROM {grant} g JOIN {resource} r ON r.id = g.resource_id "
    "WHERE g.consumer_id = %s AND r.code = %s AND g.purpose = %s AND g.status = %s "
    "AND g.revoked_at IS NULL AND g.expires_at > %s"
).format(
    resource_columns=", ".join(f"r.{column}" for column in _RESOURCE_COLUMNS),
    grant=Grant._meta.db_table,
    resource=DataResource._meta.db_table,
)


def live_grants(
    *, consumer_id: int, resource_code: str, purpose: str, now: datetime
) -> tuple[DataResource | None, list[list[str]]]:
    """For ``exchange_query``: the resource (None if the consumer holds no live grant to it) and
    the fields each approved, unrevoked, unexpired grant of the consumer for this purpose allows."""
    params: list[Any] = [
        consumer_id,
        resource_code,
        purpose,
        GrantStatus.APPROVED.value,
        connection.ops.adapt_datetimefield_value(now),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_LIVE_GRANTS_SQL, params)
        rows = cursor.fetchall()
    if not rows:
        return None, []
    values = dict(zip(_RESOURCE_COLUMNS, rows[0][1:], strict=True))
    values["fields"] = _json(values["fields"])
    return DataResource(**values), [_json(row[0]) for row in rows]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value
