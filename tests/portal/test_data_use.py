"""Who used my data, consents and verification against the registries, through the portal.

Log entries are made by the real exchange (``exchange_query``) against the in-platform registries,
never inserted by hand."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.factories import AccountFactory, AgencyFactory, PersonFactory, PowerFactory
from tests.querycount import assert_queries_flat
from tests.services import make_service
from tests.world import World
from tongban.cases.services import case_submit
from tongban.core.actors import Actor
from tongban.exchange.models import (
    AccessLogEntry,
    BusinessRecord,
    Consent,
    DataResource,
    Grant,
    GrantStatus,
    PopulationRecord,
)
from tongban.exchange.services import Basis, QueryResult, exchange_query, reason_text, subject_of
from tongban.forms.services import application_start
from tongban.identity.models import Account, Agency, Firm, Person, VerificationLevel

pytestmark = pytest.mark.django_db

LoginPerson = Callable[[Client, Account], None]
SERVICE = "residence-permit"


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
    population: DataResource
    business: DataResource
    grant: Grant

    def register(self, person: Person, *, name: str | None = None) -> PopulationRecord:
        return PopulationRecord.objects.create(
            id_type=person.id_type,
            id_number=person.id_number,
            nationality=str(person.nationality) or "CN",
            name=name if name is not None else person.name,
            birth_date=date(1985, 1, 2),
            sex="F",
        )

    def ask(
        self, *, person: Person | None = None, firm: Firm | None = None, reference: str = "", case: bool = True
    ) -> QueryResult:
        ref = subject_of(person=person, firm=firm)[1]
        basis = Basis(kind="case", reference=reference, parties=(ref,)) if case else Basis()
        return exchange_query(
            consumer=self.consumer,
            resource_code="population.record" if person else "business.record",
            fields=["name", "birth_date"] if person else ["name_zh", "status"],
            purpose=SERVICE,
            basis=basis,
            actor=Actor.system("tests"),
            now=timezone.now(),
            person=person,
            firm=firm,
        )


@pytest.fixture
def env(db: object) -> Env:
    owner = AgencyFactory.create(code="public-security", name_zh="公安局", name_en="Public Security Bureau")
    consumer = AgencyFactory.create(code="exit-entry", name_zh="出入境管理局", name_en="Exit and Entry Bureau")
    make_service(code=SERVICE, agency=consumer, for_individuals=True, for_firms=True)
    population = DataResource.objects.create(
        code="population.record",
        owner=owner,
        name_zh="人口信息",
        name_en="Population record",
        classification="restricted",
        subject_kind="person",
        provider="internal.population",
        fields=[
            _label("name", "姓名", "Name"),
            _label("latin_name", "外文姓名", "Latin name"),
            _label("birth_date", "出生日期", "Date of birth"),
        ],
    )
    business = DataResource.objects.create(
        code="business.record",
        owner=owner,
        name_zh="企业登记信息",
        name_en="Business registration",
        classification="shared",
        subject_kind="firm",
        provider="internal.business",
        fields=[
            _label("name_zh", "企业名称", "Firm name"),
            _label("status", "状态", "Status"),
            _label("legal_representative_id_number", "法定代表人证件号", "Legal representative's ID"),
        ],
    )
    _grant(consumer, business, SERVICE, ["name_zh", "status"])
    return Env(consumer, population, business, _grant(consumer, population, SERVICE, ["name", "birth_date"]))


def _rows(html: str) -> int:
    return html.count('<th scope="row">')


# --- Who used my data ---------------------------------------------------------------------------


def test_person_sees_their_entries_in_both_languages(client: Client, login_person: LoginPerson, env: Env) -> None:
    person, other = PersonFactory(), PersonFactory()
    env.register(person)
    assert env.ask(person=person, reference="C-2025-0001").answered
    refused = env.ask(person=person, case=False)
    assert refused.outcome == "refused" and refused.reason == "no_basis"
    env.ask(person=other, reference="OTHER-9999")
    login_person(client, person.account)

    html = client.get("/en/my/data-use/").content.decode()
    assert _rows(html) == 2
    for text in (
        "Exit and Entry Bureau",
        "Population record",
        "Date of birth",
        f"Test service {SERVICE}",
        "C-2025-0001",
        "Answered",
        "Refused",
        "Handling a case that concerns you",  # the legal basis in words
        reason_text("no_basis"),
        "cannot be changed or deleted",
    ):
        assert text in html, text
    assert "OTHER-9999" not in html

    html = client.get("/zh/my/data-use/").content.decode()
    assert _rows(html) == 2
    for text in ("出入境管理局", "人口信息", "出生日期", "姓名", f"测试事项{SERVICE}", "C-2025-0001"):
        assert text in html, text
    with translation.override("zh-hans"):
        assert reason_text("no_basis") in html
    assert "OTHER-9999" not in html and "Exit and Entry Bureau" not in html


def test_an_application_is_named_as_its_applicant_knows_it(
    client: Client, login_person: LoginPerson, env: Env, world: World
) -> None:
    """A read made for an application names the case it became, or the service of the application
    still in progress, and the basis in words — never the application's internal id; one query
    for the page's applications, however many rows name them."""
    person = world.hr
    env.register(person)
    ref = subject_of(person=person)[1]
    drafts = [
        application_start(person=person, version=world.version, firm=world.firm, actor=world.actor, now=timezone.now())
        for _ in range(2)
    ]
    for draft in drafts:
        exchange_query(
            consumer=env.consumer,
            resource_code="population.record",
            fields=["name"],
            purpose=SERVICE,
            basis=Basis(kind="application", reference=str(draft.public_id), parties=(ref,)),
            actor=Actor.system("tests"),
            now=timezone.now(),
            person=person,
        )
    world.fill(drafts[0])
    case = case_submit(application=drafts[0], person=person, actor=world.actor, now=timezone.now())
    assert person.account is not None
    login_person(client, person.account)
    html = client.get("/en/my/data-use/").content.decode()
    assert str(drafts[0].public_id) not in html and str(drafts[1].public_id) not in html
    assert f'<span class="code">{case.number}</span>' in html
    assert f"Application in progress for “{world.version.name_en}”" in html
    assert "Filling in an application that concerns you from the government&#x27;s records" in html
    chinese = client.get("/zh/my/data-use/").content.decode()
    assert f"正在办理的“{world.version.name_zh}”申请" in chinese
    csv_text = b"".join(client.get("/en/my/data-use.csv").streaming_content).decode("utf-8-sig")
    assert case.number in csv_text and str(drafts[1].public_id) not in csv_text


def test_my_space_links_to_my_data(client: Client, login_person: LoginPerson) -> None:
    person = PersonFactory()
    login_person(client, person.account)
    html = client.get("/en/my/").content.decode()
    assert 'href="/en/my/data-use/"' in html and 'href="/en/my/consents/"' in html


def test_keyset_pages(client: Client, login_person: LoginPerson, env: Env) -> None:
    person = PersonFactory()
    env.register(person)
    for number in range(53):
        env.ask(person=person, reference=f"R-{number:03d}")
    login_person(client, person.account)
    first = client.get("/en/my/data-use/").content.decode()
    assert _rows(first) == 50
    assert "R-052" in first and "R-003" in first and "R-002" not in first
    match = re.search(r'href="(/en/my/data-use/\?before=(\d+))"', first)
    assert match is not None
    older = client.get(match.group(1)).content.decode()
    assert _rows(older) == 3
    assert "R-002" in older and "R-000" in older and "R-003" not in older
    assert 'rel="next"' not in older and 'href="/en/my/data-use/"' in older
    assert _rows(client.get("/en/my/data-use/?before=garbage").content.decode()) == 50


def test_page_queries_do_not_grow_with_the_log(client: Client, login_person: LoginPerson, env: Env) -> None:
    person = PersonFactory()
    env.register(person)
    for number in range(3):
        env.ask(person=person, reference=f"F-{number}")
    login_person(client, person.account)

    def add_rows() -> None:
        other = AgencyFactory.create(code="tax-bureau")
        make_service(code="tax-check", agency=other, for_individuals=True)
        _grant(other, env.population, "tax-check", ["name"])
        for number in range(27):
            if number % 2:
                env.ask(person=person, reference=f"M-{number}")
            else:
                exchange_query(
                    consumer=other,
                    resource_code="population.record",
                    fields=["name"],
                    purpose="tax-check",
                    basis=Basis(),
                    actor=Actor.system("tests"),
                    now=timezone.now(),
                    person=person,
                )

    few, many = assert_queries_flat(client, "/en/my/data-use/", add_rows)  # warms caches (session, site) first
    assert _rows(few.content.decode()) == 3
    assert _rows(many.content.decode()) == 30


def test_data_use_needs_login(client: Client) -> None:
    for url in ("/en/my/data-use/", "/en/my/data-use.csv", "/en/my/consents/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


# --- The firm's version -------------------------------------------------------------------------


def test_firm_page_only_for_the_legal_representative(client: Client, login_person: LoginPerson, env: Env) -> None:
    power = PowerFactory()
    firm = power.firm
    env.ask(firm=firm, reference="FIRM-CASE-1")
    env.ask(person=firm.legal_representative, reference="PERSONAL-1")
    urls = [f"/en/my/firms/{firm.uscc}/data-use/", f"/en/my/firms/{firm.uscc}/data-use.csv"]
    for person in (power.grantee, PersonFactory()):
        visitor = Client()
        login_person(visitor, person.account)
        for url in urls:
            assert visitor.get(url).status_code == 404, url
        assert "data-use" not in visitor.get(f"/en/my/firms/{firm.uscc}/").content.decode()

    login_person(client, firm.legal_representative.account)
    assert f'href="/en/my/firms/{firm.uscc}/data-use/"' in client.get(f"/en/my/firms/{firm.uscc}/").content.decode()
    html = client.get(urls[0]).content.decode()
    assert _rows(html) == 1
    assert "FIRM-CASE-1" in html and "Business registration" in html and "Firm name" in html
    assert "PERSONAL-1" not in html
    assert "FIRM-CASE-1" in b"".join(client.get(urls[1]).streaming_content).decode("utf-8-sig")


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_export(client: Client, login_person: LoginPerson, env: Env) -> None:
    person, other = PersonFactory(), PersonFactory()
    env.register(person)
    env.ask(person=person, reference="C-1")
    env.ask(person=person, reference='=HYPERLINK("http://evil.example","x")')
    env.ask(person=person, case=False)
    env.ask(person=other, reference="OTHER-1")
    login_person(client, person.account)

    response = client.get("/en/my/data-use.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="data-use-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"])
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "Time",
        "Agency",
        "Data",
        "Fields",
        "Purpose",
        "Basis",
        "Case or application",
        "Outcome",
        "Reason",
    ]
    assert len(rows) == 4
    newest, injected, oldest = rows[1:]
    assert newest[7] == "Refused" and newest[8] == reason_text("no_basis")
    assert injected[6] == '\'=HYPERLINK("http://evil.example","x")'
    assert oldest[1:8] == [
        "Exit and Entry Bureau",
        "Population record",
        "Name; Date of birth",
        f"Test service {SERVICE}",
        "Handling a case that concerns you",
        "C-1",
        "Answered",
    ]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00", oldest[0])
    assert "OTHER-1" not in raw.decode("utf-8-sig")

    zh = b"".join(client.get("/zh/my/data-use.csv").streaming_content).decode("utf-8-sig")
    assert "出入境管理局" in zh and "人口信息" in zh and "姓名; 出生日期" in zh


# --- Consent ------------------------------------------------------------------------------------


def test_consent_form_validates_and_keeps_input(client: Client, login_person: LoginPerson, env: Env) -> None:
    person = PersonFactory()
    login_person(client, person.account)
    page = client.get("/en/my/consents/").content.decode()
    assert "Exit and Entry Bureau" in page and "Date of birth" in page and f"Test service {SERVICE}" in page
    default = (timezone.localdate() + timedelta(days=365)).isoformat()
    assert f'value="{default}"' in page
    cases = {
        "2020-01-01": "Choose a date in the future.",
        "not-a-date": "Enter a real date",
        (timezone.localdate() + timedelta(days=6 * 366)).isoformat(): "at most five years",
    }
    for value, error in cases.items():
        response = client.post("/en/my/consents/", {"grant": env.grant.pk, "expires_on": value})
        html = response.content.decode()
        assert response.status_code == 200
        assert error in html and 'class="error-summary"' in html and 'aria-invalid="true"' in html, value
        assert f'value="{value}"' in html
        assert f'id="id_grant{env.grant.pk}_expires_on_error"' in html
    assert not Consent.objects.exists()
    assert client.post("/en/my/consents/", {"grant": "999999", "expires_on": default}).status_code == 302
    assert not Consent.objects.exists()


def test_consent_lets_the_agency_read_and_withdrawing_stops_it(
    client: Client, login_person: LoginPerson, env: Env
) -> None:
    person = PersonFactory()
    env.register(person)
    assert env.ask(person=person, case=False).reason == "no_basis"
    login_person(client, person.account)
    until = timezone.localdate() + timedelta(days=30)
    response = client.post("/en/my/consents/", {"grant": env.grant.pk, "expires_on": until.isoformat()}, follow=True)
    assert "You consented" in response.content.decode()
    consent = Consent.objects.get(person=person)
    assert timezone.localtime(consent.expires_at).date() == until
    result = env.ask(person=person, case=False)
    assert result.answered and result.values["name"] == person.name
    assert AccessLogEntry.objects.get(pk=result.log_id).basis == "consent"
    html = client.get("/en/my/data-use/").content.decode()
    assert "You consented" in html

    stranger = Client()
    login_person(stranger, PersonFactory().account)
    assert stranger.post(f"/en/my/consents/{consent.pk}/withdraw/").status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert "Withdraw" not in stranger.get("/en/my/consents/").content.decode().split("Agencies that may ask")[0]

    page = client.get("/en/my/consents/").content.decode()
    assert "Active" in page and f"/en/my/consents/{consent.pk}/withdraw/" in page
    assert client.post(f"/en/my/consents/{consent.pk}/withdraw/").status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    refused = env.ask(person=person, case=False)
    assert not refused.answered and refused.reason == "no_basis"
    page = client.get("/en/my/consents/").content.decode()
    assert "Withdrawn" in page and f"/en/my/consents/{consent.pk}/withdraw/" not in page
    assert client.get(f"/en/my/consents/{consent.pk}/withdraw/").status_code == 405


# --- Verification against the registries --------------------------------------------------------


@pytest.fixture
def platform(env: Env) -> Agency:
    agency = AgencyFactory.create(code="big-data", name_zh="大数据中心", name_en="Big Data Centre")
    _grant(agency, env.population, "identity-verification", ["name", "latin_name", "birth_date"])
    _grant(agency, env.business, "identity-verification", ["name_zh", "legal_representative_id_number", "status"])
    return agency


def test_registry_verification_raises_the_level(
    client: Client, login_person: LoginPerson, env: Env, platform: Agency
) -> None:
    person = PersonFactory()
    env.register(person)
    login_person(client, person.account)
    page = client.get("/en/my/").content.decode()
    assert 'action="/en/my/verify-registry/"' in page
    response = client.post("/en/my/verify-registry/", follow=True)
    assert "Verified against the population registry." in response.content.decode()
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.REGISTRY_VERIFIED
    entry = AccessLogEntry.objects.get(subject_ref=subject_of(person=person)[1])
    assert (entry.consumer, entry.purpose, entry.basis, entry.outcome) == (
        "big-data",
        "identity-verification",
        "own_request",
        "answered",
    )
    html = client.get("/en/my/data-use/").content.decode()
    assert "Verifying your identity" in html and "Big Data Centre" in html and "You asked for it" in html
    assert 'action="/en/my/verify-registry/"' not in client.get("/en/my/").content.decode()
    assert "Big Data Centre" not in client.get("/en/my/consents/").content.decode()  # nothing to consent to


def test_registry_verification_refuses_a_different_name(
    client: Client, login_person: LoginPerson, env: Env, platform: Agency
) -> None:
    person = PersonFactory()
    env.register(person, name="李四")
    login_person(client, person.account)
    response = client.post("/en/my/verify-registry/", follow=True)
    assert "differs from the registry" in response.content.decode()
    person.refresh_from_db()
    assert person.verification_level == VerificationLevel.SELF_REGISTERED
    assert client.get("/en/my/verify-registry/").status_code == 405


def test_firm_registry_verification(client: Client, login_person: LoginPerson, env: Env, platform: Agency) -> None:
    power = PowerFactory()
    firm = power.firm
    BusinessRecord.objects.create(
        uscc=firm.uscc,
        name_zh=firm.name_zh,
        firm_type="limited_company",
        legal_representative_id_number=firm.legal_representative.id_number,
        registered_capital_yuan=1_000_000,
        established_on=date(2020, 1, 1),
    )
    url = f"/en/my/firms/{firm.uscc}/verify-registry/"
    staff = Client()
    login_person(staff, power.grantee.account)
    assert f'action="{url}"' not in staff.get(f"/en/my/firms/{firm.uscc}/").content.decode()
    assert staff.post(url).status_code == 404
    login_person(client, firm.legal_representative.account)
    assert f'action="{url}"' in client.get(f"/en/my/firms/{firm.uscc}/").content.decode()
    response = client.post(url, follow=True)
    assert "The firm is verified against the business registry." in response.content.decode()
    firm.refresh_from_db()
    assert firm.verification_level == VerificationLevel.REGISTRY_VERIFIED
    assert "Verifying the firm" in client.get(f"/en/my/firms/{firm.uscc}/data-use/").content.decode()
