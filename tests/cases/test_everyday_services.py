"""The services residents look for first (issue 19): housing provident fund withdrawal, the city
residence permit and company establishment registration are published in the demo catalogue,
found by their names in both languages, filed by a person for himself through the portal, and
their approval issues their result as an e-certificate to him (the business licence naming the
new company and its USCC)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from stdnum.cn import uscc

from tests.factories import AgencyOfficeFactory, PersonFactory, PowerFactory, StaffRoleFactory
from tests.services import pdf_upload
from tongban.cases.models import Case
from tongban.cases.services import case_act, case_submit
from tongban.catalogue.models import Applicants, Material
from tongban.catalogue.selectors import published_services, published_version
from tongban.certificates.models import Certificate
from tongban.core.actors import Actor
from tongban.demo import data
from tongban.demo.catalogue_loader import load_catalogue
from tongban.forms.models import Application
from tongban.forms.services import application_save_step, application_start, application_upload
from tongban.identity.models import Account, Agency, Person

pytestmark = pytest.mark.django_db

Login = Callable[[Client, Account], None]

#: code -> (words its Chinese name holds, words its English name holds, the certificate type)
SERVICES = {
    "housing-fund-withdrawal": (("住房公积金", "公积金"), ("housing provident fund",), "housing-fund-withdrawal"),
    "city-residence-permit": (("居住证",), ("residence permit",), "residence-permit-city"),
    "company-establishment": (
        ("企业设立登记", "营业执照"),
        ("company establishment registration", "business licence"),
        "business-licence",
    ),
}

#: code -> step -> what the applicant types (her name and ID come from her identity record)
ANSWERS: dict[str, dict[str, dict[str, str]]] = {
    "housing-fund-withdrawal": {
        "applicant": {"contact_phone": "13800138000"},
        "withdrawal": {
            "reason": "rent",
            "property_address": "徐汇区漕溪北路88弄3号",
            "amount_yuan": "18000",
            "bank_account": "6222020200112233445",
        },
    },
    "city-residence-permit": {
        "applicant": {"hukou_place": "江苏省南京市玄武区", "contact_phone": "13800138000"},
        "residence": {
            "address": "徐汇区漕溪北路88弄3号",
            "district": "310104",
            "living_since": "2025-03-01",
            "ground": "job",
            "employer_or_school": "莱茵精密机械（上海）有限公司",
        },
    },
    "company-establishment": {
        "representative": {"contact_phone": "13800138000"},
        "company": {
            "company_name": "上海通办科技有限公司",
            "company_type": "limited_company",
            "registered_capital": "100",
            "address": "浦东新区张杨路1号",
            "district": "310115",
            "business_scope": "软件开发；信息技术咨询服务。",
            "shareholder_count": "2",
        },
    },
}


#: code -> fields the certificate carries from the form and the holder
RESULT_FIELDS: dict[str, dict[str, Any]] = {
    "housing-fund-withdrawal": {"reason": "rent", "amount": 18000},
    "city-residence-permit": {"district": "310104", "hukou_place": "江苏省南京市玄武区"},
    "company-establishment": {"company_name": "上海通办科技有限公司", "legal_representative": "王芳"},
}


@pytest.fixture
def catalogue() -> None:
    for agency in data.AGENCIES:
        created, _new = Agency.objects.get_or_create(code=agency.code, defaults=vars(agency))
        AgencyOfficeFactory(agency=created)
    load_catalogue(now=timezone.now())


@pytest.fixture
def resident() -> Person:
    """A Chinese resident whose identity the registry confirmed (certificates go to such persons)."""
    return PersonFactory.create(registry_verified=True, name="王芳")


def test_published_with_a_result_and_found_by_their_names(catalogue: None) -> None:
    for code, (zh_words, en_words, certificate) in SERVICES.items():
        version = published_version(code=code)
        assert version is not None, code
        assert version.applicants == Applicants.PERSON, code
        assert version.certificate_type is not None and version.certificate_type.code == certificate
        assert version.materials.filter(required=True).exists(), code
        for word in zh_words:
            assert word in version.name_zh or word in version.certificate_type.name_zh, (code, word)
            assert code in {found.item.code for found in published_services(query=word)}, (code, word)
        for word in en_words:
            assert word in version.name_en.casefold(), (code, word)
            assert code in {found.item.code for found in published_services(query=word)}, (code, word)
        for field in ("summary", "eligibility", "conditions", "legal_basis", "fee", "contact"):
            assert getattr(version, f"{field}_zh").strip() and getattr(version, f"{field}_en").strip(), (code, field)
        assert version.statutory_limit_workdays > 0 and version.workflow == "review"


def _apply_in_the_portal(client: Client, login: Login, person: Person, code: str) -> Application:
    """The guide offers "Myself", the form opens prefilled with the person's identity."""
    assert person.account is not None
    login(client, person.account)
    guide = client.get(f"/en/services/{code}/").content.decode()
    assert 'value="self"' in guide and "A person, for himself or herself" in guide
    response = client.post(f"/en/services/{code}/apply/", {"as": "self"})
    assert response.status_code == 302
    application = Application.objects.get(person=person, version__item__code=code)
    assert application.firm is None
    first_step = next(iter(ANSWERS[code]))
    page = client.get(f"/en/applications/{application.public_id}/{first_step}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert person.id_number in html and person.name in html  # prefilled from the identity record
    zh = client.get(f"/zh/applications/{application.public_id}/{first_step}/").content.decode()
    assert "取自本人身份信息" in zh
    return application


def _fill_and_submit(application: Application, person: Person, actor: Actor) -> Case:
    now = timezone.now()
    for step, posted in ANSWERS[application.version.item.code].items():
        _values, errors = application_save_step(
            application=application, step_key=step, posted=posted, person=person, now=now
        )
        assert errors == {}, (step, errors)
        application.refresh_from_db()
    for material in Material.objects.filter(version=application.version, required=True):
        application_upload(
            application=application, material=material, file=pdf_upload(), person=person, actor=actor, now=now
        )
    return case_submit(application=application, person=person, actor=actor, now=now)


def _approve(case: Case) -> Case:
    officer = StaffRoleFactory(agency=case.item.agency, office=case.office)
    for action in ("accept", "start_review", "approve"):
        case.refresh_from_db()
        case = case_act(
            case=case,
            action=action,
            expected_version=case.lock_version,
            account=officer.account,
            reason="Materials complete." if action == "approve" else "",
            actor=Actor.system("tests"),
            now=timezone.now(),
        )
    return case


@pytest.mark.parametrize("code", list(SERVICES))
def test_the_person_applies_and_the_approval_issues_the_result(
    catalogue: None, resident: Person, client: Client, login_person: Login, code: str
) -> None:
    application = _apply_in_the_portal(client, login_person, resident, code)
    case = _fill_and_submit(application, resident, Actor.system("tests"))
    assert case.applicant == resident and case.firm is None and case.status == "submitted"
    assert case.data["id_number"] == resident.id_number and case.data["applicant_name"] == resident.name
    case = _approve(case)
    assert case.status == "approved"
    certificate = Certificate.objects.get(case_number=case.number)
    assert certificate.certificate_type.code == SERVICES[code][2]
    assert certificate.holder_person == resident and certificate.holder_firm is None
    check = RESULT_FIELDS[code]
    assert {key: certificate.fields.get(key) for key in check} == check


def test_the_business_licence_names_the_new_company_by_a_valid_uscc(
    catalogue: None, resident: Person, client: Client, login_person: Login
) -> None:
    application = _apply_in_the_portal(client, login_person, resident, "company-establishment")
    case = _approve(_fill_and_submit(application, resident, Actor.system("tests")))
    licence = Certificate.objects.get(case_number=case.number)
    code = licence.fields["uscc"]
    assert uscc.is_valid(code) and code.startswith("91310000")
    assert licence.fields["scope"] == "软件开发；信息技术咨询服务。"


def test_a_firm_cannot_file_a_persons_service(catalogue: None, client: Client, login_person: Login) -> None:
    """The guide offers no firm for a service only persons apply for, and the start refuses one."""
    power = PowerFactory(area="licences")
    assert power.grantee.account is not None
    login_person(client, power.grantee.account)
    guide = client.get("/en/services/company-establishment/").content.decode()
    assert power.firm.uscc not in guide
    response = client.post("/en/services/company-establishment/apply/", {"as": power.firm.uscc})
    assert response.status_code == 403
    assert not Application.objects.filter(firm=power.firm).exists()


def test_a_passport_holder_cannot_claim_a_city_residence_permit(
    catalogue: None, client: Client, login_person: Login
) -> None:
    """The city residence permit is for Chinese citizens: the locked ID number must be a resident ID."""
    foreigner = PersonFactory(foreigner=True, registry_verified=True)
    version = published_version(code="city-residence-permit")
    assert version is not None
    application = application_start(
        person=foreigner, version=version, firm=None, actor=Actor.system("tests"), now=timezone.now()
    )
    _values, errors = application_save_step(
        application=application,
        step_key="applicant",
        posted=ANSWERS["city-residence-permit"]["applicant"],
        person=foreigner,
        now=timezone.now(),
    )
    assert "id_number" in errors


def test_coded_answers_on_a_certificate_are_shown_by_their_labels(
    catalogue: None, resident: Person, client: Client, login_person: Login
) -> None:
    """The licence stores the legal form's code; its page (and PDF) show the label in both
    languages, never "limited_company" (the labels its type declares for the field)."""
    from tongban.certificates.selectors import shown_fields

    application = _apply_in_the_portal(client, login_person, resident, "company-establishment")
    licence = Certificate.objects.get(
        case_number=_approve(_fill_and_submit(application, resident, Actor.system("tests"))).number
    )
    assert licence.fields["company_type"] == "limited_company"
    legal_form = next(f for f in shown_fields(licence, public_only=True) if f.label_en == "Legal form")
    assert (legal_form.value_zh, legal_form.value_en) == ("有限责任公司", "Limited liability company")
    page = client.get(f"/en/my/certificates/{licence.number}/").content.decode()
    assert "Limited liability company" in page and "limited_company" not in page
