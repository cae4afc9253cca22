"""Countries and regions on the pages (issue 19, ADR 0035): the registration's nationality list
names countries as people know them and refuses Hong Kong, Macao, Taiwan and China as a passport
nationality with the reason; answers, certificates and the officer's page show the country's
name, not its code; a firm's English name is shown on English pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import PersonFactory, PowerFactory, StaffRoleFactory
from tests.world import World
from tongban.cases.models import Case
from tongban.cases.services import case_act
from tongban.catalogue.models import CertificateType
from tongban.certificates.models import Certificate
from tongban.certificates.pdf import render_html
from tongban.forms.models import Application
from tongban.identity.models import Account, Person
from tongban.portal.views.certificates import pdf_document

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


def register(client: Client, language: str, nationality: str) -> str:
    response = client.post(
        f"/{language}/register/",
        {
            "id_type": "passport",
            "id_number": "K7654321",
            "nationality": nationality,
            "latin_name": "CHAN Tai Man",
            "username": "tai.man",
            "email": "tai.man@example.org",
            "password": "Lantern-Orchid-1987",
            "password_again": "Lantern-Orchid-1987",
        },
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("code", ["HK", "MO", "TW", "CN"])
def test_registration_refuses_china_and_its_regions_as_a_passport_nationality(client: Client, code: str) -> None:
    html = register(client, "en", code)
    assert "are Chinese citizens: register with the resident identity card or the residence permit" in html
    assert not Person.objects.exists()


def test_the_refusal_is_in_chinese_on_chinese_pages(client: Client) -> None:
    assert "内地居民和港澳台居民是中国公民" in register(client, "zh", "HK")


@pytest.mark.parametrize(
    ("language", "present", "absent"),
    [
        (
            "en",
            [">Bahamas<", ">Nauru<", ">France<", ">South Korea<"],
            ["Naoero", "Bahamas (The)", "Hong Kong", "Taiwan", "Macao"],
        ),
        ("zh", [">巴哈马<", ">瑙鲁<", ">法国<", ">韩国<"], ["香港", "台湾", "澳门", ">中国<"]),
    ],
)
def test_the_nationality_select_lists_countries_by_their_names(
    client: Client, language: str, present: list[str], absent: list[str]
) -> None:
    html = client.get(f"/{language}/register/").content.decode()
    select = html[html.index('name="nationality"') : html.index("</select>", html.index('name="nationality"'))]
    for text in present:
        assert text in select, text
    for text in absent:
        assert text not in select, text
    assert 'value="HK"' not in select and 'value="FR"' in select


def _draft(client: Client, world: World, login_person: Login) -> str:
    login_person(client, world.hr.account)
    client.post(f"/en/services/{world.version.item.code}/apply/", {"as": world.firm.uscc})
    application = Application.objects.filter(person=world.hr, status="draft").latest("id")
    world.fill(application)
    return f"/applications/{application.public_id}"


def test_the_review_page_names_the_nationality(client: Client, world: World, login_person: Login) -> None:
    base = _draft(client, world, login_person)
    english = client.get(f"/en{base}/review/").content.decode()
    chinese = client.get(f"/zh{base}/review/").content.decode()
    assert "<dd>France" in english and "<dd>FR" not in english
    assert "<dd>法国" in chinese and "<dd>FR" not in chinese
    step = client.get(f"/en{base}/employee/").content.decode()
    assert '<option value="FR" selected>France</option>' in step and 'value="HK"' not in step


def test_the_form_refuses_a_nationality_of_hong_kong(client: Client, world: World, login_person: Login) -> None:
    base = _draft(client, world, login_person)
    response = client.post(
        f"/en{base}/employee/",
        {
            "employee_name": "CHAN Tai Man",
            "passport_number": "K1234567",
            "nationality": "HK",
            "annual_salary": "480000",
            "education": "master",
            "intent": "next",
        },
    )
    assert response.status_code == 400
    assert "are Chinese citizens, not foreign nationals" in response.content.decode()


def test_the_officer_s_case_page_names_the_nationality(client: Client, world: World, login_staff: Login) -> None:
    case = world.submitted_case()
    login_staff(client, world.officer.account)
    page = client.get(f"/en/backoffice/cases/{case.number}/").content.decode()
    assert "<dd>France</dd>" in page and "<dd>FR</dd>" not in page
    assert world.firm.name_en in page  # the applicant firm by its English name


def _certificate(world: World) -> Certificate:
    certificate_type = CertificateType.objects.create(
        code="test-permit",
        name_zh="测试许可证",
        name_en="Test Permit",
        holder="person_concerned",
        validity_months=24,
        number_prefix="TP",
        fields=[
            {"name": "nationality", "label": {"zh": "国籍", "en": "Nationality"}, "source": "holder.nationality"},
            {"name": "employer", "label": {"zh": "工作单位", "en": "Employer"}, "source": "firm.name"},
        ],
    )
    world.version.certificate_type = certificate_type
    world.version.save(update_fields=["certificate_type"])
    case = world.submitted_case()
    for who, action in (
        ("officer", "accept"),
        ("officer", "start_review"),
        ("officer", "propose_approval"),
        ("supervisor", "approve"),
    ):
        case = Case.objects.get(pk=case.pk)
        account = world.officer.account if who == "officer" else world.supervisor.account
        case_act(
            case=case,
            action=action,
            expected_version=case.lock_version,
            account=account,
            actor=world.actor,
            now=timezone.now(),
        )
    return Certificate.objects.get(case_number=case.number)


def test_certificates_name_the_country_and_the_firm_in_each_language(
    client: Client, world: World, login_person: Login
) -> None:
    certificate = _certificate(world)
    assert certificate.fields == {"nationality": "FR", "employer": world.firm.name_zh}  # what is signed
    login_person(client, world.engineer.account)
    english = client.get(f"/en/my/certificates/{certificate.number}/").content.decode()
    chinese = client.get(f"/zh/my/certificates/{certificate.number}/").content.decode()
    assert "<dd>France</dd>" in english and f"<dd>{world.firm.name_en}</dd>" in english
    assert "<dd>法国</dd>" in chinese and f"<dd>{world.firm.name_zh}</dd>" in chinese
    printed = render_html(pdf_document(certificate))  # the PDF: both languages
    assert '<td>法国<span class="en" lang="en">France</span></td>' in printed
    assert f'<td>{world.firm.name_zh}<span class="en" lang="en">{world.firm.name_en}</span></td>' in printed


def test_my_space_names_the_nationality(client: Client, world: World, login_person: Login) -> None:
    login_person(client, world.engineer.account)
    assert "<dd>France</dd>" in client.get("/en/my/").content.decode()
    assert "<dd>法国</dd>" in client.get("/zh/my/").content.decode()


def test_the_clerk_finds_a_passport_holder_by_a_nationality_chosen_by_name(client: Client, login_staff: Login) -> None:
    clerk = StaffRoleFactory(clerk=True)
    person = PersonFactory(foreigner=True, nationality="FR")
    login_staff(client, clerk.account)
    blank = client.get("/zh/backoffice/people/verify/").content.decode()
    assert '<option value="FR">法国</option>' in blank and 'value="HK"' not in blank
    page = client.get("/en/backoffice/people/verify/", {"id_number": person.id_number, "nationality": "FR"})
    html = page.content.decode()
    assert person.id_number in html and "<dd>France</dd>" in html


def test_the_firm_s_staff_table_names_a_passport_holder_s_nationality(
    client: Client, world: World, login_person: Login
) -> None:
    PowerFactory(firm=world.firm, grantee=world.engineer, area="foreign_staff")
    login_person(client, world.firm.legal_representative.account)
    assert " · France</td>" in client.get(f"/en/my/firms/{world.firm.uscc}/staff/").content.decode()
    assert " · 法国</td>" in client.get(f"/zh/my/firms/{world.firm.uscc}/staff/").content.decode()
