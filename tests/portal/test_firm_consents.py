"""A firm's consents in My space: its legal representative gives and withdraws them, nobody else.

The consent is then tried for real: an agency's ``exchange_query`` of restricted data about the
firm is refused without it, answered with it, and refused again once it is withdrawn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http.response import HttpResponseBase
from django.test import Client
from django.utils import timezone

from tests.factories import AccountFactory, AgencyFactory, FirmFactory, PersonFactory, PowerFactory
from tests.querycount import assert_queries_flat
from tests.services import make_service
from tongban.audit.models import AuditEvent
from tongban.core.actors import Actor
from tongban.core.errors import PermissionDeniedError
from tongban.exchange.models import AccessLogEntry, Consent, DataResource, Grant, GrantStatus, TaxRecord
from tongban.exchange.services import Basis, QueryResult, consent_give, exchange_query
from tongban.identity.models import Account, Agency, Firm, Person

pytestmark = pytest.mark.django_db

LoginPerson = Callable[[Client, Account], None]
SERVICE = "subsidy-application"
FIELDS = ["clearance", "last_filing_on"]


def _label(name: str, zh: str, en: str) -> dict[str, object]:
    return {"name": name, "label": {"zh": zh, "en": en}}


def _grant(consumer: Agency, resource: DataResource, purpose: str, fields: list[str]) -> Grant:
    moment = timezone.now()
    return Grant.objects.create(
        consumer=consumer,
        resource=resource,
        purpose=purpose,
        fields=fields,
        status=GrantStatus.APPROVED,
        requested_by=AccountFactory(),
        requested_at=moment,
        decided_at=moment,
        expires_at=moment + timedelta(days=365),
    )


@dataclass
class Env:
    consumer: Agency
    tax: DataResource
    grant: Grant
    firm: Firm

    @property
    def url(self) -> str:
        return f"/en/my/firms/{self.firm.uscc}/consents/"

    def ask(self, firm: Firm | None = None) -> QueryResult:
        """The consumer reads the firm's tax record with no case: consent is the only basis."""
        return exchange_query(
            consumer=self.consumer,
            resource_code="tax.clearance",
            fields=FIELDS,
            purpose=SERVICE,
            basis=Basis(),
            actor=Actor.system("tests"),
            now=timezone.now(),
            firm=firm or self.firm,
        )


@pytest.fixture
def env(db: object) -> Env:
    owner = AgencyFactory.create(code="tax-bureau", name_zh="税务局", name_en="Tax Bureau")
    consumer = AgencyFactory.create(code="commerce", name_zh="商务委员会", name_en="Commerce Commission")
    make_service(code=SERVICE, agency=consumer, for_firms=True)
    tax = DataResource.objects.create(
        code="tax.clearance",
        owner=owner,
        name_zh="纳税情况",
        name_en="Tax compliance",
        classification="restricted",
        subject_kind="firm",
        provider="internal.tax",
        fields=[
            _label("clearance", "是否欠税", "Tax owed"),
            _label("last_filing_on", "最近申报日期", "Last filing"),
            _label("arrears_yuan", "欠税金额", "Arrears"),
        ],
    )
    firm = FirmFactory()
    TaxRecord.objects.create(taxpayer=firm.uscc, clearance="clear", last_filing_on=date(2025, 4, 15))
    return Env(consumer, tax, _grant(consumer, tax, SERVICE, FIELDS), firm)


def _html(response: HttpResponseBase) -> str:
    """The page, with apostrophes as typed (messages escape them, template text does not)."""
    return str(response.content.decode()).replace("&#x27;", "'")


def _give(client: Client, env: Env, until: date) -> str:
    response = client.post(env.url, {"grant": env.grant.pk, "expires_on": until.isoformat()}, follow=True)
    assert response.status_code == 200
    return _html(response)


def test_legal_representative_gives_then_withdraws_and_the_exchange_follows(
    client: Client, login_person: LoginPerson, env: Env
) -> None:
    before = env.ask()
    assert not before.answered and before.reason == "no_basis"
    login_person(client, env.firm.legal_representative.account)

    page = client.get(env.url).content.decode()
    for text in (
        "Commerce Commission",
        "Tax compliance",
        "Tax owed",
        "Last filing",
        f"Test service {SERVICE}",
        "The firm has not given any consent.",
        "<fieldset",
        "<legend>",
    ):
        assert text in page, text
    assert "Arrears" not in page  # a field the grant does not cover
    assert f'value="{(timezone.localdate() + timedelta(days=365)).isoformat()}"' in page

    until = timezone.localdate() + timedelta(days=30)
    html = _give(client, env, until)
    assert "The firm consented: Commerce Commission may read Tax compliance" in html
    consent = Consent.objects.get(firm=env.firm)
    assert consent.person_id is None and timezone.localtime(consent.expires_at).date() == until
    event = AuditEvent.objects.get(action="exchange.consent_given", object_id=str(consent.pk))
    assert event.acting_for == f"firm:{env.firm.uscc}" and event.actor_id == env.firm.legal_representative.account.pk
    assert event.data["firm"] == env.firm.uscc and event.power_id is None

    answered = env.ask()
    assert answered.answered and answered.values == {"clearance": "clear", "last_filing_on": "2025-04-15"}
    assert AccessLogEntry.objects.get(pk=answered.log_id).basis == "consent"
    other = FirmFactory()  # the consent is this firm's, not every firm's
    TaxRecord.objects.create(taxpayer=other.uscc, clearance="clear", last_filing_on=date(2025, 1, 1))
    assert env.ask(firm=other).reason == "no_basis"
    assert "The firm consented" in client.get(f"/en/my/firms/{env.firm.uscc}/data-use/").content.decode()

    page = client.get(env.url).content.decode()
    withdraw = f"/en/my/firms/{env.firm.uscc}/consents/{consent.pk}/withdraw/"
    assert "Active" in page and f'action="{withdraw}"' in page
    assert f"Given, until {until.isoformat()}" in page
    assert client.get(withdraw).status_code == 405
    assert "The firm's consent is withdrawn" in _html(client.post(withdraw, follow=True))
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    withdrawn = AuditEvent.objects.get(action="exchange.consent_withdrawn", object_id=str(consent.pk))
    assert withdrawn.acting_for == f"firm:{env.firm.uscc}"
    refused = env.ask()
    assert not refused.answered and refused.reason == "no_basis"
    page = client.get(env.url).content.decode()
    assert "Withdrawn" in page and f'action="{withdraw}"' not in page
    response = client.post(withdraw, follow=True)  # twice: a clear message, nothing changes
    assert "already withdrawn" in response.content.decode()
    # The person's own consent pages do not show or withdraw the firm's.
    assert "Tax compliance" not in client.get("/en/my/consents/").content.decode().split("Agencies that may ask")[0]
    assert client.post(f"/en/my/consents/{consent.pk}/withdraw/").status_code == 404


def test_expired_consent_is_listed_as_expired(client: Client, login_person: LoginPerson, env: Env) -> None:
    past = timezone.now() - timedelta(days=10)
    rep = env.firm.legal_representative
    consent_give(
        consumer=env.consumer,
        resource=env.tax,
        purpose=SERVICE,
        expires_at=past + timedelta(days=1),
        actor=Actor.system("tests"),
        now=past,
        firm=env.firm,
        given_by=rep,
    )
    assert env.ask().reason == "no_basis"
    login_person(client, rep.account)
    page = client.get(env.url).content.decode()
    assert "Expired" in page and "/withdraw/" not in page and "Not given" in page


@pytest.mark.parametrize(
    ("grant", "expires_on", "field", "error"),
    [
        ("past", "2020-01-01", "expires_on", "Choose a date in the future."),
        ("ok", "not-a-date", "expires_on", "Enter a real date"),
        ("ok", "far", "expires_on", "at most five years"),
        ("unknown", "soon", "grant", "can no longer ask for the firm's data with consent"),
        ("none", "soon", "grant", "Choose the agency, data and purpose"),
    ],
)
def test_bad_input_is_shown_by_the_field_and_kept(
    client: Client, login_person: LoginPerson, env: Env, grant: str, expires_on: str, field: str, error: str
) -> None:
    login_person(client, env.firm.legal_representative.account)
    values = {
        "soon": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "far": (timezone.localdate() + timedelta(days=6 * 366)).isoformat(),
    }
    typed = values.get(expires_on, expires_on)
    data = {"expires_on": typed}
    if grant != "none":
        data["grant"] = "999999" if grant == "unknown" else str(env.grant.pk)
    response = client.post(env.url, data)
    html = _html(response)
    assert response.status_code == 200
    assert error in html and 'class="error-summary"' in html and 'aria-invalid="true"' in html
    assert f'id="id_{field}_error"' in html
    summary_target = "id_grant_0" if field == "grant" else "id_expires_on"
    assert f'href="#{summary_target}"' in html and f'id="{summary_target}"' in html
    assert f'value="{typed}"' in html  # what was typed is kept
    if grant == "past" or grant == "ok":
        assert f'value="{env.grant.pk}" id="id_grant_0" ' in html and "checked" in html  # the choice too
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(action="exchange.consent_given").exists()


def test_only_the_legal_representative(client: Client, login_person: LoginPerson, env: Env) -> None:
    firm = env.firm
    staff = PowerFactory(firm=firm).grantee  # acts for the firm in an area, but is not its legal representative
    rep = firm.legal_representative
    consent = consent_give(
        consumer=env.consumer,
        resource=env.tax,
        purpose=SERVICE,
        expires_at=timezone.now() + timedelta(days=5),
        actor=Actor.system("tests"),
        now=timezone.now(),
        firm=firm,
        given_by=rep,
    )
    withdraw = f"/en/my/firms/{firm.uscc}/consents/{consent.pk}/withdraw/"
    until = (timezone.localdate() + timedelta(days=10)).isoformat()
    for person in (staff, PersonFactory()):
        visitor = Client()
        login_person(visitor, person.account)
        assert visitor.get(env.url).status_code == 404
        assert visitor.post(env.url, {"grant": env.grant.pk, "expires_on": until}).status_code == 404
        assert visitor.post(withdraw).status_code == 404
        assert "/consents/" not in visitor.get(f"/en/my/firms/{firm.uscc}/").content.decode()
    assert Consent.objects.count() == 1
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert Client().get(env.url).status_code == 302  # anonymous: to the login page

    # The legal representative of another firm cannot reach this firm's consent through their own firm's URL.
    elsewhere = FirmFactory()
    other_rep = Client()
    login_person(other_rep, elsewhere.legal_representative.account)
    assert other_rep.get(f"/en/my/firms/{elsewhere.uscc}/consents/").status_code == 200
    assert other_rep.post(f"/en/my/firms/{elsewhere.uscc}/consents/{consent.pk}/withdraw/").status_code == 404
    # Nor can this firm's legal representative withdraw someone's personal consent through the firm URL.
    login_person(client, rep.account)
    person_resource = DataResource.objects.create(
        code="population.record",
        owner=env.tax.owner,
        name_zh="人口信息",
        name_en="Population record",
        classification="restricted",
        subject_kind="person",
        provider="internal.population",
        fields=[],
    )
    personal = consent_give(
        consumer=env.consumer,
        resource=person_resource,
        purpose=SERVICE,
        expires_at=timezone.now() + timedelta(days=5),
        actor=Actor.system("tests"),
        now=timezone.now(),
        person=PersonFactory(),
    )
    assert client.post(f"/en/my/firms/{firm.uscc}/consents/{personal.pk}/withdraw/").status_code == 404
    consent.refresh_from_db()
    personal.refresh_from_db()
    assert consent.withdrawn_at is None and personal.withdrawn_at is None


def test_the_service_checks_the_legal_representative_too(env: Env) -> None:
    staff = Person.objects.get(pk=PowerFactory(firm=env.firm).grantee_id)
    moment = timezone.now()
    for given_by in (None, staff):
        with pytest.raises(PermissionDeniedError):
            consent_give(
                consumer=env.consumer,
                resource=env.tax,
                purpose=SERVICE,
                expires_at=moment + timedelta(days=1),
                actor=Actor.system("tests"),
                now=moment,
                firm=env.firm,
                given_by=given_by,
            )
    person_resource = DataResource.objects.create(
        code="population.record",
        owner=env.tax.owner,
        name_zh="人口信息",
        name_en="Population record",
        classification="restricted",
        subject_kind="person",
        provider="internal.population",
        fields=[],
    )
    with pytest.raises(ValidationError) as wrong_kind:  # a firm consents only to data about firms
        consent_give(
            consumer=env.consumer,
            resource=person_resource,
            purpose=SERVICE,
            expires_at=moment + timedelta(days=1),
            actor=Actor.system("tests"),
            now=moment,
            firm=env.firm,
            given_by=env.firm.legal_representative,
        )
    assert "resource" in wrong_kind.value.error_dict
    with pytest.raises(ValueError, match="exactly one subject"):
        consent_give(
            consumer=env.consumer,
            resource=env.tax,
            purpose=SERVICE,
            expires_at=moment + timedelta(days=1),
            actor=Actor.system("tests"),
            now=moment,
            firm=env.firm,
            person=env.firm.legal_representative,
        )
    assert not Consent.objects.exists()


def test_links_and_both_languages(client: Client, login_person: LoginPerson, env: Env) -> None:
    uscc = env.firm.uscc
    login_person(client, env.firm.legal_representative.account)
    assert f'href="/en/my/firms/{uscc}/consents/"' in client.get(f"/en/my/firms/{uscc}/").content.decode()
    assert f'href="/en/my/firms/{uscc}/consents/"' in client.get(f"/en/my/firms/{uscc}/data-use/").content.decode()
    _give(client, env, timezone.localdate() + timedelta(days=30))

    en = _html(client.get(env.url))
    for text in ("The firm's consents", "Consents the firm gave", "Give consent for the firm", "Commerce Commission"):
        assert text in en, text
    zh = client.get(f"/zh/my/firms/{uscc}/consents/").content.decode()
    for text in ("企业的授权同意", "企业给予的同意", "为企业给予同意", "商务委员会", "纳税情况", "是否欠税", "有效"):
        assert text in zh, text
    for text in ("Commerce Commission", "Tax compliance", "Consents the firm gave", "Give consent for the firm"):
        assert text not in zh, text
    assert f'href="/zh/my/firms/{uscc}/consents/"' in client.get(f"/zh/my/firms/{uscc}/").content.decode()
    response = client.post(
        f"/zh/my/firms/{uscc}/consents/", {"grant": env.grant.pk, "expires_on": "2020-01-01"}
    ).content.decode()
    assert "请选择今后的日期。" in response and 'class="error-summary"' in response


def test_no_consentable_resource_shows_an_empty_state(client: Client, login_person: LoginPerson, env: Env) -> None:
    Grant.objects.all().delete()
    login_person(client, env.firm.legal_representative.account)
    page = _html(client.get(env.url))
    assert "No agency may currently ask for the firm's data with consent." in page and "<fieldset" not in page


def test_page_queries_do_not_grow_with_consents(client: Client, login_person: LoginPerson, env: Env) -> None:
    rep = env.firm.legal_representative
    login_person(client, rep.account)

    def give(consumer: Agency, resource: DataResource) -> None:
        consent_give(
            consumer=consumer,
            resource=resource,
            purpose=SERVICE,
            expires_at=timezone.now() + timedelta(days=5),
            actor=Actor.system("tests"),
            now=timezone.now(),
            firm=env.firm,
            given_by=rep,
        )

    give(env.consumer, env.tax)

    def add_rows() -> None:
        for number in range(5):
            agency = AgencyFactory.create(code=f"agency-{number}")
            _grant(agency, env.tax, SERVICE, FIELDS)
            give(agency, env.tax)

    html = assert_queries_flat(client, env.url, add_rows).many.content.decode()
    assert html.count("/withdraw/") == 6
