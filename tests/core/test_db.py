"""core.db.insert_row writes exactly the row objects.create() would (defaults, JSON, time zones)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.core.db import insert_row
from tongban.exchange.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def _row(pk: int) -> dict[str, Any]:
    return dict(AccessLogEntry.objects.filter(pk=pk).values().get())


def test_insert_row_matches_the_orm() -> None:
    values = {
        "at": datetime(2026, 11, 27, 8, 30, 5, 123456, tzinfo=UTC), "consumer": "hr", "actor_kind": "system",
        "actor_id": None, "actor_label": "tests", "subject_kind": "person", "subject_ref": "person:x",
        "resource": "population.record", "fields": ["name", "birth_date"], "purpose": "p", "basis": "case",
        "case_number": "TB1", "outcome": "answered", "reason": "名字 \"quoted\"",
    }  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        fast = insert_row(AccessLogEntry, **values)
    assert len(captured.captured_queries) == 1
    slow = AccessLogEntry.objects.create(**values).pk
    a, b = _row(fast), _row(slow)
    assert a.pop("id") == fast and b.pop("id") == slow
    assert a == b
    assert a["fields"] == ["name", "birth_date"] and a["at"] == values["at"]
    assert a["seq"] is None and a["prev_hash"] == "" and a["sealed_at"] is None  # the model's defaults


def test_audit_record_through_insert_object_is_a_saved_event() -> None:
    from tongban.audit.models import AuditEvent
    from tongban.audit.services import audit_record
    from tongban.core.actors import Actor

    actor = Actor(kind="account", account_id=None, label="tests", ip="2001:db8::1", acting_for="firm:X")
    event = audit_record(action="tests.done", actor=actor, object_type="thing", object_id=7, data={"k": [1, "二"]})
    assert event.pk is not None and not event._state.adding
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.object_id, stored.ip, stored.acting_for, stored.data) == (
        "tests.done", "7", "2001:db8::1", "firm:X", {"k": [1, "二"]},
    )  # fmt: skip
    assert stored.seq is None and stored.entry_hash == ""  # waits for the sealer
