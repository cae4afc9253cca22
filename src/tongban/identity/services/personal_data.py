"""The personal-data export, audited: a person downloads everything held about them.

The document comes from ``core.personal_data``, whose sections each context registers; this
service builds it for the signed-in person and records the export in the audit trail in the same
transaction (a GET may write audit rows of reads, and only those: ADR 0026)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from tongban.audit.services import audit_record
from tongban.core import personal_data
from tongban.core.actors import Actor
from tongban.identity.models import Person


@transaction.atomic
def personal_data_export(*, person: Person, actor: Actor, now: datetime) -> dict[str, Any]:
    """Everything held about ``person``, as the export document; the export is audited."""
    document = personal_data.export(person, now=now)
    audit_record(
        action="identity.personal_data_exported",
        actor=actor,
        object_type="person",
        object_id=str(person.public_id),
        data={"schema": personal_data.SCHEMA, "sections": sorted(document["sections"])},
    )
    return document
