"""The test suite's audit guard (tests/audit_guard.py) catches what it is there to catch: a
transaction that changes an audited table without an audit entry — and nothing else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from tests.audit_guard import AUDITED_TABLES, NOT_AUDITED, AuditedWritesMiddleware
from tests.factories import PersonFactory
from tongban.audit.models import AuditEvent
from tongban.audit.services import audit_record
from tongban.core.actors import Actor
from tongban.identity.models import Person

pytestmark = pytest.mark.django_db


def _serve(work: Callable[[], None]) -> HttpResponse:
    def view(_request: HttpRequest) -> HttpResponse:
        work()
        return HttpResponse("done")

    return AuditedWritesMiddleware(view)(RequestFactory().post("/somewhere/"))


def _rename(person: Person, name: str) -> None:
    Person.objects.filter(pk=person.pk).update(name=name)


def test_a_change_without_its_audit_entry_fails_the_request() -> None:
    person = PersonFactory()

    def work() -> None:
        with transaction.atomic():
            _rename(person, "改名")

    with pytest.raises(AssertionError, match=r"(?s)POST /somewhere/ changed audited tables.*identity_person"):
        _serve(work)


def test_a_change_outside_any_transaction_fails_the_request() -> None:
    person = PersonFactory()
    with pytest.raises(AssertionError, match="identity_person"):
        _serve(lambda: _rename(person, "改名"))


def test_a_change_with_its_audit_entry_in_the_same_transaction_passes() -> None:
    person = PersonFactory()

    def work() -> None:
        with transaction.atomic():
            _rename(person, "改名")
            with transaction.atomic():  # a nested block is still the same transaction
                audit_record(
                    action="identity.person_renamed", actor=Actor.system(), object_type="person", object_id=person.pk
                )

    assert _serve(work).status_code == 200


def test_an_audit_entry_in_another_transaction_does_not_count() -> None:
    person = PersonFactory()

    def work() -> None:
        with transaction.atomic():
            _rename(person, "改名")
        with transaction.atomic():
            audit_record(
                action="identity.person_renamed", actor=Actor.system(), object_type="person", object_id=person.pk
            )

    with pytest.raises(AssertionError, match="identity_person"):
        _serve(work)


def test_a_change_rolled_back_needs_no_audit_entry_and_a_rolled_back_entry_audits_nothing() -> None:
    person = PersonFactory()

    def undone() -> None:
        with transaction.atomic():
            _rename(person, "改名")
            transaction.set_rollback(True)

    assert _serve(undone).status_code == 200

    def entry_undone() -> None:
        with transaction.atomic():
            _rename(person, "改名")
            try:
                with transaction.atomic():
                    audit_record(action="identity.person_renamed", actor=Actor.system(), object_type="person")
                    raise RuntimeError("the audit entry is rolled back with its savepoint")
            except RuntimeError:
                pass

    with pytest.raises(AssertionError, match="identity_person"):
        _serve(entry_undone)
    assert not AuditEvent.objects.filter(action="identity.person_renamed").exists()


def test_what_is_audited() -> None:
    """The brief's four — cases, certificates, grants (powers, data grants, consents) and data
    access (the access log is a stream) — and, by default, every other table of the platform;
    the exceptions are named, and each names a table that exists."""
    assert {
        "cases_case",
        "cases_caseevent",
        "certificates_certificate",
        "identity_power",
        "exchange_grant",
        "exchange_consent",
        "identity_staffrole",
        "identity_account",
        "catalogue_serviceversion",
    } <= AUDITED_TABLES
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    assert NOT_AUDITED.keys() <= tables, "an exception that names no table should leave the list"
    assert not NOT_AUDITED.keys() & AUDITED_TABLES
    assert "exchange_accesslogentry" not in AUDITED_TABLES  # it is the audit entry of a data access
