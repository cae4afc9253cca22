"""core.db.insert_row writes exactly the row objects.create() would (defaults, JSON, time zones)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tongban.core.db import insert_row
from tongban.exchange.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def _row(pk: int) -> dict[str, Any]:
    return dict(AccessLogEntry.objects.filter(pk=pk).values().get())


def test_insert_row_matches_the_orm() -> None:
    values = {
        "at": datetime(2026, 11, 27, 8, 30, 5, 123456, tzinfo=UTC),
        "consumer": "hr",
        "actor_kind": "system",
        "actor_id": None,
        "actor_label": "tests",
        "subject_kind": "person",
        "subject_ref": "person:x",
        "resource": "population.record",
        "fields": ["name", "birth_date"],
        "purpose": "p",
        "basis": "case",
        "case_number": "TB1",
        "outcome": "answered",
        "reason": '名字 "quoted"',
    }
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
        "tests.done",
        "7",
        "2001:db8::1",
        "firm:X",
        {"k": [1, "二"]},
    )
    assert stored.seq is None and stored.entry_hash == ""  # waits for the sealer


def _fields(obj: Any) -> dict[str, Any]:
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def test_select_objects_builds_what_the_orm_builds() -> None:
    """Every column converted as the ORM converts it on this database: aware datetimes (SQLite
    hands back naive UTC), JSON decoded, booleans, nulls; instances are saved, not new."""
    from tongban.core.db import select_objects
    from tongban.identity.models import Account

    values = {
        "at": datetime(2026, 11, 27, 23, 59, 59, 999999, tzinfo=UTC),
        "consumer": "hr",
        "actor_kind": "system",
        "actor_id": None,
        "actor_label": "tests",
        "subject_kind": "person",
        "subject_ref": "person:x",
        "resource": "population.record",
        "fields": {"nested": ["名字", 1, None, True]},
        "purpose": "p",
        "basis": "case",
        "case_number": "",
        "outcome": "answered",
        "reason": "",
    }
    first = insert_row(AccessLogEntry, **values)
    second = insert_row(AccessLogEntry, **{**values, "consumer": "tax"})
    with CaptureQueriesContext(connection) as captured:
        found = select_objects(AccessLogEntry, "WHERE t.id IN (%s, %s) ORDER BY t.id DESC", [first, second])
    assert len(captured.captured_queries) == 1
    assert [entry.pk for entry in found] == [second, first]
    orm = AccessLogEntry.objects.get(pk=first)
    assert _fields(found[1]) == _fields(orm)
    assert found[1].at == values["at"] and found[1].at.tzinfo is not None
    assert found[1].fields == {"nested": ["名字", 1, None, True]}
    assert not found[1]._state.adding and found[1]._state.db == "default"

    from tests.factories import AccountFactory

    account = AccountFactory(is_active=False)
    (loaded,) = select_objects(Account, "WHERE t.id = %s", [account.pk])
    assert _fields(loaded) == _fields(Account.objects.get(pk=account.pk))
    assert loaded.is_active is False
    assert select_objects(Account, "WHERE t.id = %s", [-1]) == []


def test_select_objects_reads_a_joined_object_like_select_related() -> None:
    from tests.factories import PowerFactory
    from tongban.core.db import select_objects
    from tongban.identity.models import Power

    power = PowerFactory()
    with CaptureQueriesContext(connection) as captured:
        (loaded,) = select_objects(Power, "WHERE t.id = %s", [power.pk], joined=("firm", ("uscc", "name_zh")))
        assert loaded.firm.uscc == power.firm.uscc and loaded.firm.name_zh == power.firm.name_zh
        assert loaded.revoked_by is None  # a null foreign key needs no query either
    assert len(captured.captured_queries) == 1
    assert _fields(loaded) == _fields(Power.objects.get(pk=power.pk))
    assert loaded.firm.get_deferred_fields() >= {"name_en", "legal_representative_id"}  # only what was asked
    (unjoined,) = select_objects(Power, "WHERE t.id = %s", [power.pk], joined=("revoked_by", None))
    assert unjoined.revoked_by_id is None and unjoined.revoked_by is None


def test_select_batch_returns_each_read_as_select_objects_would() -> None:
    from tests.factories import PowerFactory
    from tongban.core.db import Read, select_batch, select_objects
    from tongban.identity.models import Firm, Power

    powers = [PowerFactory(), PowerFactory()]
    reads = (
        Read(Power, "WHERE t.id = %s", [powers[0].pk], joined=("firm", ("uscc", "name_zh"))),
        Read(Firm, "WHERE t.id IN (%s, %s) ORDER BY t.id DESC", [powers[0].firm_id, powers[1].firm_id]),
        Read(Power, "WHERE t.id = %s", [-1]),  # an empty result keeps its place
        Read(Power, "WHERE t.firm_id = %s", [powers[1].firm_id], fields=("area",)),
    )
    with CaptureQueriesContext(connection) as captured:
        batch = select_batch(*reads)
    assert len(captured.captured_queries) == len(reads)  # each statement still runs (and is counted)
    assert batch[3][0].get_deferred_fields() >= {"expires_at"} and batch[3][0].area == powers[1].area
    one_by_one = [select_objects(r.model, r.where, r.params, fields=r.fields, joined=r.joined) for r in reads]
    assert [[_fields(obj) for obj in result] for result in batch] == [
        [_fields(obj) for obj in result] for result in one_by_one
    ]
    assert batch[0][0].firm.uscc == powers[0].firm.uscc  # the joined object came along
    assert [firm.pk for firm in batch[1]] == sorted((powers[0].firm_id, powers[1].firm_id), reverse=True)
    assert batch[2] == []


def test_select_batch_raises_for_a_bad_statement_and_the_connection_goes_on() -> None:
    from django.db import DatabaseError, transaction

    from tongban.core.db import Read, select_batch
    from tongban.identity.models import Firm

    with pytest.raises(DatabaseError), transaction.atomic():
        select_batch(Read(Firm, "WHERE t.id = %s", [1]), Read(Firm, "WHERE t.no_such_column = %s", [1]))
    assert select_batch(Read(Firm, "WHERE t.id = %s", [-1]), Read(Firm, "WHERE t.id = %s", [-2])) == [[], []]


def test_select_batch_sends_its_statements_in_one_round_trip_on_postgresql() -> None:
    """psycopg's pipeline mode: every statement of the batch is sent while the pipeline is open,
    and the results are read back only after all were sent."""
    if connection.vendor != "postgresql":
        pytest.skip("pipeline mode is PostgreSQL's; SQLite answers in-process")
    from psycopg import pq

    from tongban.core.db import Read, select_batch
    from tongban.identity.models import Firm

    seen: list[pq.PipelineStatus] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(connection.connection.pgconn.pipeline_status)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        select_batch(*(Read(Firm, "WHERE t.id = %s", [i]) for i in range(3)))
    assert seen == [pq.PipelineStatus.ON] * 3
    assert connection.connection.pgconn.pipeline_status == pq.PipelineStatus.OFF  # and closed again


def test_select_objects_joins_a_path_of_relations_and_locks_like_select_for_update() -> None:
    """``joins=`` by path, as ``select_related("a__b", "c")``: null links give None without a query."""
    from tests.factories import PersonFactory, PowerFactory
    from tongban.core.db import select_objects
    from tongban.identity.models import Person, Power

    power = PowerFactory()
    joins = (
        ("firm", None),
        ("grantee", None),
        ("grantee__account", ("username",)),
        ("firm__legal_representative", None),
    )
    with CaptureQueriesContext(connection) as captured:
        (loaded,) = select_objects(Power, "WHERE t.id = %s", [power.pk], joins=joins, lock=True)
        orm = Power.objects.select_related("firm", "grantee__account", "firm__legal_representative").get(pk=power.pk)
        assert _fields(loaded.firm) == _fields(orm.firm) and _fields(loaded.grantee) == _fields(orm.grantee)
        assert loaded.grantee.account.username == orm.grantee.account.username
        assert (loaded.firm.legal_representative is None) == (orm.firm.legal_representative is None)
    assert len(captured.captured_queries) == 2  # ours and the ORM's: nothing loaded lazily
    assert ("FOR UPDATE OF t" in captured.captured_queries[0]["sql"]) == connection.features.has_select_for_update_of

    person = PersonFactory(account=None)
    (unlinked,) = select_objects(Person, "WHERE t.id = %s", [person.pk], joins=(("account", None),))
    assert unlinked.account is None


def test_insert_objects_writes_what_bulk_create_writes_in_one_statement() -> None:
    values = {
        "at": datetime(2026, 11, 27, 8, 30, 5, 123456, tzinfo=UTC),
        "consumer": "hr",
        "actor_kind": "system",
        "actor_id": None,
        "actor_label": "tests",
        "subject_kind": "person",
        "subject_ref": "person:x",
        "resource": "population.record",
        "fields": ["name"],
        "purpose": "p",
        "basis": "case",
        "case_number": "TB1",
        "outcome": "answered",
        "reason": "",
    }
    from tongban.core.db import insert_objects

    rows = [AccessLogEntry(**{**values, "consumer": f"c{i}", "fields": [i, "二"]}) for i in range(3)]
    with CaptureQueriesContext(connection) as captured:
        inserted = insert_objects(rows)
    assert len(captured.captured_queries) == 1 and inserted is rows
    assert all(not row._state.adding for row in rows)
    assert [_row(row.pk)["consumer"] for row in rows] == ["c0", "c1", "c2"]  # each got its own key
    orm = AccessLogEntry.objects.bulk_create([AccessLogEntry(**{**values, "consumer": "c0", "fields": [0, "二"]})])
    a, b = _row(rows[0].pk), _row(orm[0].pk)
    assert a.pop("id") != b.pop("id") and a == b
    assert insert_objects([]) == []


def test_insert_objects_can_skip_rows_that_break_a_unique_constraint() -> None:
    from tests.factories import FirmFactory
    from tongban.core.db import insert_objects
    from tongban.identity.models import Firm

    taken = FirmFactory()
    fresh = FirmFactory.build(legal_representative=taken.legal_representative)
    clash = FirmFactory.build(uscc=taken.uscc, legal_representative=taken.legal_representative)
    insert_objects([clash, fresh], ignore_conflicts=True)
    assert Firm.objects.filter(uscc=taken.uscc).count() == 1
    assert Firm.objects.filter(uscc=fresh.uscc).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_objects([FirmFactory.build(uscc=taken.uscc, legal_representative=taken.legal_representative)])


def test_update_object_writes_what_save_update_fields_writes() -> None:
    from tongban.core.db import update_object
    from tongban.identity.models import Agency

    agency = Agency.objects.create(code="upd", name_zh="原名", name_en="Old name")
    agency.name_zh, agency.name_en = '新名 "quoted"', "New name"
    with CaptureQueriesContext(connection) as captured:
        update_object(agency, ("name_zh",))
    assert len(captured.captured_queries) == 1
    stored = Agency.objects.get(pk=agency.pk)
    assert (stored.name_zh, stored.name_en) == ('新名 "quoted"', "Old name")  # only the field named
    gone = Agency(pk=-1, code="gone", name_zh="无", name_en="none")
    with pytest.raises(DatabaseError):
        update_object(gone, ("name_zh",))


def test_select_batch_runs_the_reads_in_turn_where_pipeline_mode_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A libpq older than 14 has no pipeline mode: same results, one read after another."""
    from tests.factories import FirmFactory
    from tongban.core import db
    from tongban.core.db import Read, select_batch
    from tongban.identity.models import Firm

    firm = FirmFactory()
    monkeypatch.setattr(db, "_pipeline_supported", lambda: False)
    found, none = select_batch(Read(Firm, "WHERE t.id = %s", [firm.pk]), Read(Firm, "WHERE t.id = %s", [-1]))
    assert [f.uscc for f in found] == [firm.uscc] and none == []
