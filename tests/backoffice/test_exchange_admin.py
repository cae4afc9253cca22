"""Back office, data exchange: the resource catalogue, grants requested, decided and revoked through
the pages (and what that does to real ``exchange_query`` calls), who may see and do what, the
request form's validation, and the operators' usage statistics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import AccountFactory, AgencyFactory, PersonFactory, StaffRoleFactory
from tests.querycount import assert_queries_flat
from tests.services import make_service
from tongban.audit.models import AuditEvent
from tongban.core.actors import Actor
from tongban.exchange.models import AccessLogEntry, DataResource, Grant, GrantStatus
from tongban.exchange.providers import base as providers
from tongban.exchange.providers.base import Provider, ProviderAnswer, ProviderRequest
from tongban.exchange.services import Basis, QueryResult, exchange_query
from tongban.identity.models import Account, Agency, Person, StaffRole

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]

GRANTS = "/en/backoffice/exchange/grants/"
NEW = "/en/backoffice/exchange/grants/new/"
STATISTICS = "/en/backoffice/statistics/exchange/"


class EchoProvider(Provider):
    """Answers every field with a value derived from its name."""

    code = "test.echo"

    def fetch(self, request: ProviderRequest) -> ProviderAnswer:
        return ProviderAnswer(values={name: f"value of {name}" for name in request.fields}, source="test")


@pytest.fixture(autouse=True)
def _echo_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(providers, "registry", providers.registry.copy())
    providers.register(EchoProvider())


def _resource(
    owner: Agency, *, code: str = "population.test", classification: str = "shared", provider: str = EchoProvider.code
) -> DataResource:
    return DataResource.objects.create(
        code=code,
        owner=owner,
        name_zh="人口测试信息",
        name_en="Population test record",
        description_zh="测试用。",
        description_en="For tests.",
        classification=classification,
        subject_kind="person",
        provider=provider,
        fields=[
            {"name": "name", "label": {"zh": "姓名", "en": "Name"}},
            {"name": "birth_date", "label": {"zh": "出生日期", "en": "Date of birth"}},
            {"name": "address", "label": {"zh": "户籍地址", "en": "Registered address"}},
        ],
    )


def _client(login_staff: Login, role: StaffRole) -> Client:
    client = Client()
    login_staff(client, role.account)
    return client


def _query(
    consumer: Agency,
    person: Person,
    fields: list[str],
    *,
    purpose: str = "test-permit",
    resource: str = "population.test",
    at: Any = None,
) -> QueryResult:
    return exchange_query(
        consumer=consumer,
        resource_code=resource,
        fields=fields,
        purpose=purpose,
        basis=Basis(),
        actor=Actor.system("tests"),
        now=at or timezone.now(),
        person=person,
    )


def _request_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "fields": ["name", "birth_date"],
        "purpose": "test-permit",
        "expires_on": (timezone.localdate() + timedelta(days=200)).isoformat(),
        "justification": "The permit needs the employee's name and date of birth.",
    }
    data.update(overrides)
    return data


def _grant(consumer: Agency, resource: DataResource, *, status: str = GrantStatus.REQUESTED, **extra: Any) -> Grant:
    moment = timezone.now()
    values: dict[str, Any] = {
        "consumer": consumer,
        "resource": resource,
        "purpose": "test-permit",
        "fields": ["name"],
        "status": status,
        "justification": "tests",
        "requested_by": AccountFactory(),
        "requested_at": moment,
        "expires_at": moment + timedelta(days=100),
    }
    if status != GrantStatus.REQUESTED:
        values |= {"decided_by": AccountFactory(), "decided_at": moment}
    values.update(extra)
    return Grant.objects.create(**values)


@pytest.fixture
def parties() -> dict[str, Any]:
    """The owning agency and its admin, the consuming agency (with a service) and its admin."""
    owner_admin = StaffRoleFactory(agency_admin=True)
    consumer_admin = StaffRoleFactory(agency_admin=True)
    make_service(code="test-permit", agency=consumer_admin.agency)
    resource = _resource(owner_admin.agency)
    return {"owner": owner_admin, "consumer": consumer_admin, "resource": resource}


def test_catalogue_is_for_all_staff_in_both_languages(client: Client, login_staff: Login) -> None:
    officer = StaffRoleFactory()
    _resource(officer.agency)
    login_staff(client, officer.account)
    page = client.get("/en/backoffice/exchange/").content.decode()
    assert "Population test record" in page and "Date of birth" in page and "Shared on grant" in page
    assert "Request access" not in page  # officers do not request grants
    page = client.get("/zh/backoffice/exchange/").content.decode()
    assert "人口测试信息" in page and "出生日期" in page and "测试用。" in page
    assert 'href="/en/backoffice/exchange/"' in client.get("/en/backoffice/").content.decode()


def test_request_approve_query_revoke(login_staff: Login, parties: dict[str, Any]) -> None:
    consumer, owner = parties["consumer"], parties["owner"]
    person = PersonFactory()
    requester = _client(login_staff, consumer)
    assert "Population test record" in requester.get(NEW).content.decode()  # step 1: the resource list
    step2 = requester.get(NEW, {"resource": "population.test"}).content.decode()
    assert "Date of birth" in step2 and "Test service test-permit" in step2
    assert "identity-verification" not in step2  # a platform purpose: operators only
    response = requester.post(f"{NEW}?resource=population.test", _request_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = Grant.objects.get()
    assert (grant.consumer, grant.status, grant.fields) == (consumer.agency, "requested", ["birth_date", "name"])
    assert grant.purpose == "test-permit" and grant.requested_by == consumer.account
    assert "Requests your agency made" in requester.get(GRANTS).content.decode()
    assert _query(consumer.agency, person, ["name"]).reason == "no_grant"  # not yet approved
    # The consumer's admin cannot decide on its own request: a message, not an error page.
    response = requester.post(f"{GRANTS}{grant.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "Only the owning agency" in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == "requested"

    decider = _client(login_staff, owner)
    page = decider.get(GRANTS).content.decode()
    assert "Requests awaiting your decision" in page and f"/backoffice/exchange/grants/{grant.pk}/decide/" in page
    assert "Test service test-permit" in page and "The permit needs" in page
    page = decider.get("/zh/backoffice/exchange/grants/").content.decode()
    assert "人口测试信息" in page and "测试事项test-permit" in page and "出生日期" in page
    response = decider.post(f"{GRANTS}{grant.pk}/decide/", {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == "approved" and grant.decided_by == owner.account and grant.decided_at is not None

    answered = _query(consumer.agency, person, ["name", "birth_date"])
    assert answered.answered and answered.values == {"name": "value of name", "birth_date": "value of birth_date"}
    outside = _query(consumer.agency, person, ["name", "address"])
    assert (outside.answered, outside.reason) == (False, "no_grant")
    assert _query(consumer.agency, person, ["name"], purpose="other-purpose").reason == "no_grant"

    # Revoking needs the confirmation box; then the next query is refused.
    requester.post(f"{GRANTS}{grant.pk}/revoke/", {})
    grant.refresh_from_db()
    assert grant.revoked_at is None
    response = requester.post(f"{GRANTS}{grant.pk}/revoke/", {"confirm": "yes"}, follow=True)
    assert "The grant is revoked" in response.content.decode()
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == consumer.account
    assert _query(consumer.agency, person, ["name"]).reason == "no_grant"
    response = decider.post(f"{GRANTS}{grant.pk}/revoke/", {"confirm": "yes"}, follow=True)
    assert response.status_code == 200 and "already revoked" in response.content.decode()
    assert "Revoked" in decider.get(GRANTS).content.decode()

    actions = {event.action: event for event in AuditEvent.objects.filter(object_type="grant", object_id=str(grant.pk))}
    assert set(actions) == {"exchange.grant_requested", "exchange.grant_approved", "exchange.grant_revoked"}
    assert actions["exchange.grant_requested"].actor_id == consumer.account.pk
    assert actions["exchange.grant_approved"].actor_id == owner.account.pk


def test_refusal_needs_a_reason(login_staff: Login, parties: dict[str, Any]) -> None:
    grant = _grant(parties["consumer"].agency, parties["resource"])
    decider = _client(login_staff, parties["owner"])
    response = decider.post(f"{GRANTS}{grant.pk}/decide/", {"decision": "refuse", "reason": "  "}, follow=True)
    assert "Give the reason" in response.content.decode()
    grant.refresh_from_db()
    assert grant.status == "requested"
    response = decider.post(f"{GRANTS}{grant.pk}/decide/", {"decision": "refuse", "reason": "No legal basis."})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.status, grant.decision_reason) == ("refused", "No legal basis.")
    assert AuditEvent.objects.filter(action="exchange.grant_refused", object_id=str(grant.pk)).exists()
    page = decider.get(GRANTS).content.decode()
    assert "No legal basis." in page and "No requests await your decision." in page
    response = decider.post(f"{GRANTS}{grant.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "already decided" in response.content.decode()


def test_uninvolved_admin_and_officer(login_staff: Login, parties: dict[str, Any]) -> None:
    pending = _grant(parties["consumer"].agency, parties["resource"], justification="secret reason")
    approved = _grant(parties["consumer"].agency, parties["resource"], status=GrantStatus.APPROVED)
    outsider = _client(login_staff, StaffRoleFactory(agency_admin=True))
    page = outsider.get(GRANTS).content.decode()
    assert outsider.get(GRANTS).status_code == 200 and "secret reason" not in page
    assert f"/grants/{pending.pk}/" not in page and f"/grants/{approved.pk}/" not in page
    assert outsider.post(f"{GRANTS}{pending.pk}/decide/", {"decision": "approve"}).status_code == 404
    assert outsider.post(f"{GRANTS}{approved.pk}/revoke/", {"confirm": "yes"}).status_code == 404
    assert outsider.get(STATISTICS).status_code == 403
    officer = _client(login_staff, StaffRoleFactory(agency=parties["owner"].agency))
    assert officer.get(GRANTS).status_code == 403
    assert officer.get(NEW).status_code == 403
    assert officer.post(f"{GRANTS}{pending.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert officer.post(f"{GRANTS}{approved.pk}/revoke/", {"confirm": "yes"}).status_code == 403
    assert officer.get(STATISTICS).status_code == 403
    assert officer.get("/en/backoffice/exchange/").status_code == 200
    pending.refresh_from_db()
    approved.refresh_from_db()
    assert pending.status == "requested" and approved.revoked_at is None
    # A decide/revoke for a grant that does not exist is a 404 too; a GET is not allowed.
    owner = _client(login_staff, parties["owner"])
    assert owner.post(f"{GRANTS}999999/decide/", {"decision": "approve"}).status_code == 404
    assert owner.get(f"{GRANTS}{pending.pk}/decide/").status_code == 405


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"expires_on": "2020-01-01"}, "expires_on", "must be in the future"),
        ({"expires_on": (timezone.localdate() + timedelta(days=3 * 366 + 2)).isoformat()}, "expires_on", "three years"),
        ({"fields": []}, "fields", "This field is required"),
        ({"fields": ["name", "salary"]}, "fields", "salary is not one of the available choices"),
        ({"justification": "   "}, "justification", "This field is required"),
        ({"purpose": "someone-elses-service"}, "purpose", "not one of the available choices"),
    ],
)
def test_request_form_validation(
    login_staff: Login, parties: dict[str, Any], overrides: dict[str, Any], field: str, message: str
) -> None:
    requester = _client(login_staff, parties["consumer"])
    response = requester.post(f"{NEW}?resource=population.test", _request_data(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and f'id="id_{field}_error"' in page
    # The posted values are kept.
    assert "The permit needs the employee" in page or field == "justification"
    assert 'value="birth_date" id="id_fields_1" checked' in page or field == "fields"
    assert not Grant.objects.exists()
    assert not AuditEvent.objects.filter(action="exchange.grant_requested").exists()


def test_operator_requests_for_any_agency_with_a_platform_purpose(login_staff: Login, parties: dict[str, Any]) -> None:
    operator = _client(login_staff, StaffRoleFactory(city_operator=True))
    consumer = parties["consumer"].agency
    page = operator.get(NEW, {"resource": "population.test"}).content.decode()
    assert 'name="consumer"' in page and "Continue" in page  # the agency is chosen first
    step2 = operator.get(NEW, {"resource": "population.test", "consumer": consumer.code}).content.decode()
    assert "identity-verification" in step2
    response = operator.post(
        f"{NEW}?resource=population.test&consumer={consumer.code}",
        _request_data(purpose="identity-verification", fields=["name"]),
    )
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert (grant.consumer, grant.purpose) == (consumer, "identity-verification")
    page = operator.get(GRANTS).content.decode()
    assert "Identity verification" in page and f"/grants/{grant.pk}/decide/" in page


def test_statistics_count_real_queries(login_staff: Login, parties: dict[str, Any]) -> None:
    consumer = parties["consumer"].agency
    resource = parties["resource"]
    _grant(consumer, resource, status=GrantStatus.APPROVED, fields=["name", "birth_date"])
    _resource(parties["owner"].agency, code="broken.test", classification="open", provider="test.absent")
    person = PersonFactory()
    assert _query(consumer, person, ["name"]).answered
    assert _query(consumer, person, ["birth_date"]).answered
    assert _query(consumer, person, ["address"]).outcome == "refused"
    assert _query(consumer, person, ["name"], resource="broken.test").outcome == "failed"
    assert _query(consumer, person, ["name"], at=timezone.now() - timedelta(days=20)).answered  # in 30 days, not 7
    assert AccessLogEntry.objects.count() == 5

    admin = _client(login_staff, parties["owner"])
    assert admin.get(STATISTICS).status_code == 403
    operator = _client(login_staff, StaffRoleFactory(city_operator=True))
    page = operator.get(STATISTICS).content.decode()
    row = page.split(f'<span class="code">{consumer.code}</span>')
    assert consumer.name_en in page and "Population test record" in page
    assert "<td>0</td><td>0</td><td>1</td><td>1</td>" in row[1]  # broken.test (rows by resource code)
    assert "<td>3</td><td>1</td><td>0</td><td>4</td>" in row[2]  # population.test: answered, refused, failed
    assert "<td>3</td><td>1</td><td>1</td><td>5</td></tr></tfoot>" in page
    page = operator.get(STATISTICS, {"days": "7"}).content.decode()
    assert "<td>2</td><td>1</td><td>1</td><td>4</td></tr></tfoot>" in page
    assert operator.get(STATISTICS, {"days": "bogus"}).status_code == 200
    assert consumer.name_zh in operator.get("/zh/backoffice/statistics/exchange/").content.decode()
    assert 'href="/en/backoffice/statistics/exchange/"' in operator.get("/en/backoffice/").content.decode()


def test_grants_list_query_count_does_not_grow(login_staff: Login, parties: dict[str, Any]) -> None:
    owner = parties["owner"]
    admin = _client(login_staff, owner)
    statuses = [GrantStatus.REQUESTED, GrantStatus.APPROVED, GrantStatus.REFUSED]

    def add(count: int) -> None:
        for index in range(count):
            consumer = AgencyFactory()
            make_service(code=f"svc-{consumer.code}", agency=consumer)
            _grant(consumer, parties["resource"], status=statuses[index % 3], purpose=f"svc-{consumer.code}")

    add(2)
    response = assert_queries_flat(admin, GRANTS, lambda: add(18), at_most=14).many
    assert response.status_code == 200
    assert response.content.decode().count("Test service svc-") == 20
