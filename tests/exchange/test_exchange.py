"""The exchange's rules, on the real database: grants scope fields, purpose and time; restricted
data needs consent or a case naming the subject; every call — answered, refused or failed — is in
the access log, whose chain ``exchange_verify`` checks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from tests.factories import AccountFactory, AgencyFactory, FirmFactory, PersonFactory, StaffRoleFactory
from tongban.audit.db import append_only_suspended
from tongban.audit.models import AuditEvent
from tongban.audit.services import seal_pending
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, PermissionDeniedError
from tongban.exchange.models import (
    AccessLogEntry,
    BusinessRecord,
    DataResource,
    Grant,
    GrantStatus,
    PopulationRecord,
)
from tongban.exchange.providers import base as providers
from tongban.exchange.providers.base import Provider, ProviderAnswer, ProviderError, ProviderRequest
from tongban.exchange.services import (
    Basis,
    consent_give,
    consent_withdraw,
    exchange_query,
    grant_decide,
    grant_request,
    grant_revoke,
    reason_text,
    subject_of,
)
from tongban.exchange.verification import firm_verify_against_registry, person_verify_against_registry
from tongban.identity.models import Agency, Person, VerificationLevel

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("tests")
FIELDS = [
    {"name": name, "label": {"zh": zh, "en": en}}
    for name, zh, en in (
        ("name", "姓名", "Name"),
        ("latin_name", "外文姓名", "Name in Latin letters"),
        ("birth_date", "出生日期", "Date of birth"),
        ("registered_address", "户籍地址", "Registered address"),
    )
]


@pytest.fixture(autouse=True)
def _own_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The providers a test registers go into a copy of the registry, gone after the test."""
    monkeypatch.setattr(providers, "registry", providers.registry.copy())


def population(owner: Agency, classification: str = "restricted") -> DataResource:
    return DataResource.objects.create(
        code="population.record",
        owner=owner,
        name_zh="人口登记信息",
        name_en="Population registry record",
        classification=classification,
        subject_kind="person",
        provider="internal.population",
        fields=FIELDS,
    )


def grant(consumer: Agency, resource: DataResource, purpose: str, fields: list[str], **extra: Any) -> Grant:
    now = timezone.now()
    values: dict[str, Any] = {
        "status": GrantStatus.APPROVED,
        "requested_by": AccountFactory(),
        "requested_at": now,
        "decided_at": now,
        "expires_at": now + timedelta(days=30),
        **extra,
    }
    return Grant.objects.create(consumer=consumer, resource=resource, purpose=purpose, fields=fields, **values)


def registered(person: Person) -> PopulationRecord:
    return PopulationRecord.objects.create(
        id_type=person.id_type,
        id_number=person.id_number,
        nationality=str(person.nationality),
        name=person.name,
        latin_name=person.latin_name,
        birth_date=date(1990, 3, 7),
        sex="F",
        registered_address="漕溪北路88弄",
    )


def query(
    consumer: Agency, person: Person, fields: list[str], *, purpose: str = "svc", basis: Basis | None = None
) -> Any:
    return exchange_query(
        consumer=consumer,
        resource_code="population.record",
        fields=fields,
        purpose=purpose,
        basis=basis or Basis(),
        actor=ACTOR,
        now=timezone.now(),
        person=person,
    )


@pytest.fixture
def setup() -> tuple[Any, Any, DataResource, Any]:
    owner, consumer = AgencyFactory(), AgencyFactory()
    resource = population(owner)
    person = PersonFactory()
    registered(person)
    return owner, consumer, resource, person


def case_basis(*people: Person) -> Basis:
    return Basis(kind="case", reference="C-1", parties=tuple(subject_of(person=p)[1] for p in people))


def test_only_granted_fields_leave_and_every_read_is_logged(setup: Any) -> None:
    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name", "birth_date"])
    answered = query(consumer, person, ["name", "birth_date"], basis=case_basis(person))
    assert answered.answered and answered.values == {"name": person.name, "birth_date": "1990-03-07"}
    entry = AccessLogEntry.objects.get(pk=answered.log_id)
    assert (entry.consumer, entry.resource, entry.fields, entry.purpose, entry.basis, entry.case_number) == (
        consumer.code,
        "population.record",
        ["name", "birth_date"],
        "svc",
        "case",
        "C-1",
    )
    assert entry.subject_ref == f"person:{person.public_id}" and entry.outcome == "answered"
    # One field beyond the grant: nothing leaves, and the refusal is logged with its reason.
    refused = query(consumer, person, ["name", "registered_address"], basis=case_basis(person))
    assert not refused.answered and refused.values == {} and refused.reason == "no_grant"
    assert AccessLogEntry.objects.get(pk=refused.log_id).outcome == "refused"
    assert "registered_address" not in str(AccessLogEntry.objects.filter(outcome="answered").values_list("fields"))


def test_a_provider_cannot_leak_fields_beyond_those_asked(setup: Any) -> None:
    _owner, consumer, resource, person = setup

    class Chatty(Provider):
        code = "test.chatty"

        def fetch(self, request: ProviderRequest) -> ProviderAnswer:
            return ProviderAnswer(values={"name": "x", "registered_address": "secret"})

    providers.register(Chatty())
    DataResource.objects.filter(pk=resource.pk).update(provider="test.chatty")
    grant(consumer, resource, "svc", ["name"])
    assert query(consumer, person, ["name"], basis=case_basis(person)).values == {"name": "x"}


def test_purpose_mismatch_is_refused(setup: Any) -> None:
    _owner, consumer, resource, person = setup
    grant(consumer, resource, "work-permit", ["name"])
    result = query(consumer, person, ["name"], purpose="something-else", basis=case_basis(person))
    assert (result.answered, result.reason) == (False, "no_grant")


def test_another_agency_cannot_use_the_grant(setup: Any) -> None:
    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name"])
    assert query(AgencyFactory(), person, ["name"], basis=case_basis(person)).reason == "no_grant"


@pytest.mark.parametrize(
    "extra",
    [
        {"expires_at": timezone.now() - timedelta(seconds=1)},
        {"revoked_at": timezone.now() - timedelta(minutes=1)},
        {"status": GrantStatus.REQUESTED},
        {"status": GrantStatus.REFUSED},
    ],
    ids=["expired", "revoked", "not-yet-decided", "refused"],
)
def test_expired_revoked_and_undecided_grants_give_nothing(setup: Any, extra: dict[str, Any]) -> None:
    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name"], **extra)
    assert query(consumer, person, ["name"], basis=case_basis(person)).reason == "no_grant"


def test_restricted_data_needs_a_case_naming_the_subject(setup: Any) -> None:
    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name"])
    stranger = PersonFactory()
    registered(stranger)
    # A case of someone else: the subject is not among the parties the case layer asserts.
    result = query(consumer, stranger, ["name"], basis=case_basis(person))
    assert (result.answered, result.reason) == (False, "no_basis")
    entry = AccessLogEntry.objects.get(pk=result.log_id)
    assert entry.subject_ref == f"person:{stranger.public_id}" and entry.case_number == "C-1"
    assert query(consumer, person, ["name"]).reason == "no_basis"  # no basis given at all


def test_shared_data_needs_only_the_grant_and_open_data_not_even_that(setup: Any) -> None:
    _owner, consumer, resource, person = setup
    DataResource.objects.filter(pk=resource.pk).update(classification="shared")
    assert query(consumer, person, ["name"]).reason == "no_grant"
    grant(consumer, resource, "svc", ["name"])
    assert query(consumer, person, ["name"]).answered
    DataResource.objects.filter(pk=resource.pk).update(classification="open")
    opened = query(AgencyFactory(), person, ["birth_date"])
    assert opened.answered and AccessLogEntry.objects.get(pk=opened.log_id).basis == "open"


def test_consent_given_then_withdrawn(setup: Any) -> None:
    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name"])
    now = timezone.now()
    consent = consent_give(
        consumer=consumer,
        resource=resource,
        purpose="svc",
        expires_at=now + timedelta(days=1),
        actor=ACTOR,
        now=now,
        person=person,
    )
    answered = query(consumer, person, ["name"])
    assert answered.answered and AccessLogEntry.objects.get(pk=answered.log_id).basis == "consent"
    assert query(consumer, person, ["name"], purpose="other").reason == "no_grant"
    with pytest.raises(PermissionDeniedError):  # only the subject withdraws
        consent_withdraw(consent=consent, person=PersonFactory(), actor=ACTOR, now=now)
    consent_withdraw(consent=consent, person=person, actor=ACTOR, now=now)
    assert query(consumer, person, ["name"]).reason == "no_basis"
    with pytest.raises(ConflictError):
        consent_withdraw(consent=consent, person=person, actor=ACTOR, now=now)
    assert {"exchange.consent_given", "exchange.consent_withdrawn"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_expired_consent_is_no_basis(setup: Any) -> None:
    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name"])
    past = timezone.now() - timedelta(days=10)
    consent_give(
        consumer=consumer,
        resource=resource,
        purpose="svc",
        expires_at=past + timedelta(days=1),
        actor=ACTOR,
        now=past,
        person=person,
    )
    assert query(consumer, person, ["name"]).reason == "no_basis"


@pytest.mark.parametrize(
    ("error", "reason"), [("timeout", "timeout"), ("unavailable", "unavailable"), ("bad_signature", "bad_signature")]
)
def test_a_failing_provider_is_a_logged_failure_not_an_exception(setup: Any, error: str, reason: str) -> None:
    _owner, consumer, resource, person = setup

    class Failing(Provider):
        code = f"test.failing.{error}"

        def fetch(self, request: ProviderRequest) -> ProviderAnswer:
            raise ProviderError(error, "the agency's endpoint did not answer properly")

    providers.register(Failing())
    DataResource.objects.filter(pk=resource.pk).update(provider=Failing.code)
    grant(consumer, resource, "svc", ["name"])
    result = query(consumer, person, ["name"], basis=case_basis(person))
    assert (result.answered, result.outcome) == (False, "failed") and result.reason.startswith(reason)
    assert AccessLogEntry.objects.get(pk=result.log_id).outcome == "failed"
    assert reason_text(result.reason) != result.reason  # explained in words


def test_unknown_resource_fields_and_subject_kind_are_refused(setup: Any) -> None:
    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name"])
    assert query(consumer, person, ["shoe_size"], basis=case_basis(person)).reason == "unknown_fields: shoe_size"
    firm = FirmFactory()
    result = exchange_query(
        consumer=consumer,
        resource_code="population.record",
        fields=["name"],
        purpose="svc",
        basis=Basis(),
        actor=ACTOR,
        now=timezone.now(),
        firm=firm,
    )
    assert result.reason == "wrong_subject: person"
    missing = exchange_query(
        consumer=consumer,
        resource_code="no.such",
        fields=["x"],
        purpose="svc",
        basis=Basis(),
        actor=ACTOR,
        now=timezone.now(),
        person=person,
    )
    assert missing.reason == "unknown_resource" and AccessLogEntry.objects.filter(resource="no.such").exists()


def test_grant_lifecycle_by_the_right_administrators(setup: Any) -> None:
    owner, consumer, resource, person = setup
    consumer_admin = StaffRoleFactory(agency=consumer, agency_admin=True).account
    owner_admin = StaffRoleFactory(agency=owner, agency_admin=True).account
    outsider = StaffRoleFactory(agency=AgencyFactory(), agency_admin=True).account
    now = timezone.now()
    with pytest.raises(PermissionDeniedError):
        grant_request(
            consumer=consumer,
            resource=resource,
            purpose="svc",
            fields=["name"],
            expires_at=now,
            justification="x",
            account=outsider,
            actor=ACTOR,
            now=now,
        )
    requested = grant_request(
        consumer=consumer,
        resource=resource,
        purpose="svc",
        fields=["name"],
        expires_at=now + timedelta(days=5),
        justification="Needed",
        account=consumer_admin,
        actor=ACTOR,
        now=now,
    )
    assert query(consumer, person, ["name"], basis=case_basis(person)).reason == "no_grant"  # not yet approved
    with pytest.raises(PermissionDeniedError):  # the consumer does not approve its own request
        grant_decide(grant=requested, approve=True, reason="", account=consumer_admin, actor=ACTOR, now=now)
    grant_decide(grant=requested, approve=True, reason="ok", account=owner_admin, actor=ACTOR, now=now)
    assert query(consumer, person, ["name"], basis=case_basis(person)).answered
    with pytest.raises(ConflictError):
        grant_decide(grant=requested, approve=False, reason="", account=owner_admin, actor=ACTOR, now=now)
    with pytest.raises(PermissionDeniedError):
        grant_revoke(grant=requested, account=outsider, actor=ACTOR, now=now)
    grant_revoke(grant=requested, account=owner_admin, actor=ACTOR, now=timezone.now())
    assert query(consumer, person, ["name"], basis=case_basis(person)).reason == "no_grant"  # at once
    actions = list(AuditEvent.objects.filter(object_type="grant").order_by("id").values_list("action", flat=True))
    assert actions == ["exchange.grant_requested", "exchange.grant_approved", "exchange.grant_revoked"]


def test_person_verified_against_the_population_registry_through_the_exchange(settings: Any) -> None:
    platform = AgencyFactory(code="big-data")
    settings.EXCHANGE_PLATFORM_AGENCY = "big-data"
    resource = population(AgencyFactory())
    person = PersonFactory()
    outcome = person_verify_against_registry(person=person, actor=ACTOR, now=timezone.now())
    assert not outcome.verified  # no grant for the platform yet: refused, logged
    grant(platform, resource, "identity-verification", ["name", "latin_name", "birth_date"])
    assert not person_verify_against_registry(person=person, actor=ACTOR, now=timezone.now()).verified  # no record
    record = registered(person)
    PopulationRecord.objects.filter(pk=record.pk).update(name="别人")
    assert not person_verify_against_registry(person=person, actor=ACTOR, now=timezone.now()).verified
    PopulationRecord.objects.filter(pk=record.pk).update(name=person.name)
    assert person_verify_against_registry(person=person, actor=ACTOR, now=timezone.now()).verified
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.REGISTRY_VERIFIED
    event = AuditEvent.objects.get(action="identity.person_registry_verified")
    entry = AccessLogEntry.objects.get(pk=event.data["access_log"])
    assert (entry.purpose, entry.basis, entry.outcome) == ("identity-verification", "own_request", "answered")
    assert AccessLogEntry.objects.filter(subject_ref=f"person:{person.public_id}").count() == 4


def test_firm_verified_against_the_business_registry(settings: Any) -> None:
    platform = AgencyFactory(code="big-data")
    settings.EXCHANGE_PLATFORM_AGENCY = "big-data"
    resource = DataResource.objects.create(
        code="business.record",
        owner=AgencyFactory(),
        name_zh="企业登记信息",
        name_en="Business record",
        classification="shared",
        subject_kind="firm",
        provider="internal.business",
        fields=[
            {"name": n, "label": {"zh": n, "en": n}} for n in ("name_zh", "legal_representative_id_number", "status")
        ],
    )
    grant(platform, resource, "identity-verification", ["name_zh", "legal_representative_id_number", "status"])
    firm: Any = FirmFactory()
    BusinessRecord.objects.create(
        uscc=firm.uscc,
        name_zh=firm.name_zh,
        firm_type="limited_company",
        status="operating",
        legal_representative_id_number=firm.legal_representative.id_number,
        registered_capital_yuan=1,
        established_on=date(2020, 1, 1),
    )
    with pytest.raises(PermissionDeniedError):
        firm_verify_against_registry(firm=firm, person=PersonFactory(), actor=ACTOR, now=timezone.now())
    BusinessRecord.objects.filter(uscc=firm.uscc).update(status="revoked")
    assert not firm_verify_against_registry(
        firm=firm, person=firm.legal_representative, actor=ACTOR, now=timezone.now()
    ).verified
    BusinessRecord.objects.filter(uscc=firm.uscc).update(status="operating")
    assert firm_verify_against_registry(
        firm=firm, person=firm.legal_representative, actor=ACTOR, now=timezone.now()
    ).verified
    firm.refresh_from_db()
    assert firm.verification_level == VerificationLevel.REGISTRY_VERIFIED
    assert AuditEvent.objects.filter(action="identity.firm_registry_verified", object_id=firm.uscc).exists()


def _tamper(sql: str, params: list[object]) -> None:
    with append_only_suspended(AccessLogEntry), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_exchange_verify_seals_checks_and_detects_tampering(setup: Any, capsys: Any) -> None:
    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name"])
    for _ in range(3):
        query(consumer, person, ["name"], basis=case_basis(person))
    query(consumer, person, ["registered_address"], basis=case_basis(person))  # a refusal, chained too
    call_command("exchange_verify")
    out = capsys.readouterr().out
    assert "sealed 4 pending" in out and "access log: OK" in out
    table = AccessLogEntry._meta.db_table
    # Someone hides a refusal by rewriting it as an answer.
    _tamper(f"UPDATE {table} SET outcome = %s WHERE seq = 4", ["answered"])
    with pytest.raises(CommandError):
        call_command("exchange_verify", "--no-seal")
    assert "seq 4: content does not match its sealed hash" in capsys.readouterr().out


def test_exchange_verify_detects_a_deleted_entry(setup: Any, capsys: Any) -> None:
    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name"])
    for _ in range(3):
        query(consumer, person, ["name"], basis=case_basis(person))
    seal_pending(AccessLogEntry.STREAM)
    _tamper(f"DELETE FROM {AccessLogEntry._meta.db_table} WHERE seq = 2", [])
    with pytest.raises(CommandError):
        call_command("exchange_verify", "--no-seal")
    assert "seq 2: missing" in capsys.readouterr().out


def test_the_access_log_is_append_only_in_the_database(setup: Any) -> None:
    from django.db import DatabaseError, transaction

    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name"])
    entry_id = query(consumer, person, ["name"], basis=case_basis(person)).log_id
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry_id).update(consumer="someone-else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry_id).delete()


def test_exchange_verify_since_last_reads_only_new_entries_and_refuses_a_tampered_mark(setup: Any, capsys: Any) -> None:
    from tongban.audit.models import VerifiedMark

    _owner, consumer, resource, person = setup
    grant(consumer, resource, "svc", ["name"])
    for _ in range(3):
        query(consumer, person, ["name"], basis=case_basis(person))
    call_command("exchange_verify")
    assert "access log: verified 3 entries from seq 1 in " in capsys.readouterr().out
    for _ in range(2):
        query(consumer, person, ["name"], basis=case_basis(person))
    table = AccessLogEntry._meta.db_table
    _tamper(f"UPDATE {table} SET outcome = %s WHERE seq = 1", ["refused"])  # before the mark: not re-read
    call_command("exchange_verify", "--since", "last")
    assert "verified 2 entries from seq 4 (verified mark at seq 3)" in capsys.readouterr().out
    _tamper(f"UPDATE {table} SET outcome = %s WHERE seq = 5", ["refused"])  # after the last mark (seq 5)
    with pytest.raises(CommandError):
        call_command("exchange_verify", "--since", "4")
    assert "seq 5: content does not match its sealed hash" in capsys.readouterr().out
    with append_only_suspended(VerifiedMark), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_verifiedmark SET entries = 1 WHERE seq = 5")
    with pytest.raises(CommandError):
        call_command("exchange_verify", "--since", "last")
    assert "verified mark at seq 5: signature invalid" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("exchange_verify")  # the full run finds the entry changed before the first mark
    assert "seq 1: content does not match its sealed hash" in capsys.readouterr().out
