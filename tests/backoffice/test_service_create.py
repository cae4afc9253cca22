"""Creating a service in the back office: operators for any agency, agency admins for their own;
the first version is a draft with a starter form, invisible to the public until published."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from jsonschema import Draft202012Validator

from tests.factories import AgencyFactory, PersonFactory, StaffRoleFactory
from tests.querycount import assert_queries_flat
from tongban.audit.models import AuditEvent
from tongban.catalogue.models import ServiceItem, ServiceVersion
from tongban.catalogue.services import service_item_create
from tongban.core.actors import Actor
from tongban.core.errors import PermissionDeniedError
from tongban.forms.models import Application, FormDefinition
from tongban.forms.services import service_item_create_with_form
from tongban.forms.starters import STARTERS
from tongban.identity.models import Account, Agency

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]
NEW = "/en/backoffice/catalogue/new/"


def _post(agency: Agency, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "pet-registration",
        "agency": agency.pk,
        "area": "licences",
        "name_zh": "外籍人员宠物登记",
        "name_en": "Pet registration for foreigners",
        "summary_zh": "在本市居住的外籍人员为其饲养的犬只办理登记。",
        "summary_en": "Foreigners living in the city register their dog.",
        "audiences": ["for_individuals", "for_foreigners"],
        "statutory_limit_workdays": "20",
        "promised_limit_workdays": "5",
        "workflow": "review",
        "handling_level": "city",
        "channel": "both",
        "starter": "person",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _content(**overrides: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        "name_zh": "测试事项",
        "name_en": "Test item",
        "summary_zh": "说明",
        "summary_en": "About",
        "for_individuals": True,
        "statutory_limit_workdays": 10,
        "promised_limit_workdays": 5,
    }
    content.update(overrides)
    return content


def test_operator_creates_a_draft_that_the_public_sees_only_once_published(
    client: Client, login_staff: Login, login_person: Login, django_capture_on_commit_callbacks: Any
) -> None:
    agency = AgencyFactory()
    operator = StaffRoleFactory(city_operator=True)
    login_staff(client, operator.account)
    catalogue = client.get("/en/backoffice/catalogue/").content.decode()
    assert f'href="{NEW}"' in catalogue
    assert client.get(NEW).status_code == 200

    response = client.post(NEW, _post(agency))
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == "/en/backoffice/catalogue/pet-registration/"
    item = ServiceItem.objects.get(code="pet-registration")
    assert item.agency == agency and item.area == "licences" and item.published_version is None
    version = ServiceVersion.objects.get(item=item)
    assert (version.number, version.status) == (1, "draft")
    assert (version.for_individuals, version.for_firms, version.for_foreigners) == (True, False, True)
    assert (version.statutory_limit_workdays, version.promised_limit_workdays) == (20, 5)
    definition = FormDefinition.objects.get(version=version)
    assert definition.schema == STARTERS["person"].schema() and definition.layout == STARTERS["person"].layout()
    created = AuditEvent.objects.get(action="catalogue.service_created", object_id="pet-registration")
    assert created.actor_id == operator.account_id
    assert created.data == {"agency": agency.code, "version": 1, "status": "draft"}
    assert AuditEvent.objects.get(action="forms.definition_started").data == {"version": 1, "starter": "person"}

    # The edit page is the existing one; the catalogue lists the service as a draft, not published.
    page = client.get(response["Location"]).content.decode()
    assert "Pet registration for foreigners" in page and "Publish this version" in page
    listing = client.get("/en/backoffice/catalogue/").content.decode()
    assert "Pet registration for foreigners" in listing and "Not published yet" in listing

    public = Client()
    for language in ("en", "zh"):
        assert public.get(f"/{language}/services/pet-registration/").status_code == 404
    assert "pet-registration" not in public.get("/zh/services/", {"q": "外籍人员宠物登记"}).content.decode()

    client.post(
        "/en/backoffice/catalogue/pet-registration/materials/",
        {
            "material-code": "vaccination",
            "material-name_zh": "免疫证明",
            "material-name_en": "Vaccination record",
            "material-required": "on",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/en/backoffice/catalogue/pet-registration/publish/").status_code == 302
    item.refresh_from_db()
    assert item.published_version_id == version.pk

    guide = public.get("/zh/services/pet-registration/").content.decode()
    assert "外籍人员宠物登记" in guide and "免疫证明" in guide
    for query in ("外籍人员宠物登记", "宠物登记"):  # the whole Chinese name, and part of it: no spaces needed
        found = public.get("/zh/services/", {"q": query}).content.decode()
        assert 'href="/zh/services/pet-registration/"' in found, query
    assert (
        'href="/en/services/pet-registration/"'
        in public.get("/en/services/", {"q": "pet registration"}).content.decode()
    )

    # The starter form works: a person starts an application and sees its first step.
    applicant = PersonFactory()
    login_person(public, applicant.account)
    started = public.post("/en/services/pet-registration/apply/")
    assert started.status_code == 302
    application = Application.objects.get(person=applicant)
    assert application.data["id_number"] == applicant.id_number  # prefilled from the identity record
    assert public.get(started["Location"], follow=True).status_code == 200


def test_agency_admin_creates_for_their_own_agency_only(client: Client, login_staff: Login) -> None:
    admin = StaffRoleFactory(agency_admin=True)
    other = AgencyFactory()
    login_staff(client, admin.account)
    form = client.get(NEW).context["form"]
    assert list(form.fields["agency"].queryset) == [admin.agency]

    response = client.post(NEW, _post(other))
    assert response.status_code == 200
    assert "agency" in response.context["form"].errors
    assert not ServiceItem.objects.exists()

    response = client.post(NEW, _post(admin.agency, starter="firm", audiences=["for_firms"]))
    assert response.status_code == 302
    item = ServiceItem.objects.get(code="pet-registration")
    assert item.agency == admin.agency
    assert FormDefinition.objects.get(version__item=item).layout == STARTERS["firm"].layout()


def test_only_catalogue_editors_reach_the_page(client: Client, login_staff: Login) -> None:
    agency = AgencyFactory()
    officer = StaffRoleFactory(agency=agency)
    supervisor = StaffRoleFactory(agency=agency, supervisor=True)
    clerk = StaffRoleFactory(clerk=True)
    for role in (officer, supervisor, clerk):
        staff = Client()
        login_staff(staff, role.account)
        assert staff.get(NEW).status_code == 403
        assert staff.post(NEW, _post(agency)).status_code == 403
        assert staff.get("/en/backoffice/catalogue/").status_code == 403
    assert not ServiceItem.objects.exists()
    assert not AuditEvent.objects.filter(action="catalogue.service_created").exists()
    anonymous = Client().get(NEW)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_every_error_is_shown_next_to_its_field_and_typed_values_are_kept(client: Client, login_staff: Login) -> None:
    agency = AgencyFactory()
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    response = client.post(
        NEW,
        _post(
            agency,
            code="Pet Registration",
            area="",
            name_en="",
            summary_zh="",
            audiences=[],
            statutory_limit_workdays="5",
            promised_limit_workdays="10",
            starter="",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    expected = {"code", "area", "name_en", "summary_zh", "audiences", "promised_limit_workdays", "starter"}
    assert set(errors) == expected
    assert errors["promised_limit_workdays"] == ["The promised limit cannot exceed the statutory limit."]
    assert errors["audiences"] == ["Say who may apply: individuals (for themselves), firms, or both."]
    html = response.content.decode()
    assert "There is a problem" in html
    for name in expected:
        assert f'id="id_{name}_error"' in html, name  # the message sits at the field
        assert f'href="#id_{name}"' in html, name  # and the summary links to it
    assert 'aria-invalid="true"' in html
    assert 'value="Pet Registration"' in html and "外籍人员宠物登记" in html and "Foreigners living in the city" in html
    assert not ServiceItem.objects.exists()
    assert not AuditEvent.objects.filter(object_type="service").exists()


def test_a_taken_or_reserved_code_is_refused_clearly(client: Client, login_staff: Login) -> None:
    agency = AgencyFactory()
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    assert client.post(NEW, _post(agency)).status_code == 302
    again = client.post(NEW, _post(agency, name_en="Another"))
    assert again.context["form"].errors == {"code": ["A service with this code already exists."]}
    assert 'value="Another"' in again.content.decode()
    reserved = client.post(NEW, _post(agency, code="new"))
    assert reserved.context["form"].errors == {"code": ["This code is reserved; choose another."]}
    assert ServiceItem.objects.count() == 1


def test_the_page_speaks_chinese(client: Client, login_staff: Login) -> None:
    agency = AgencyFactory()
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    page = client.get("/zh/backoffice/catalogue/new/").content.decode()
    assert "新建事项" in page and agency.name_zh in page
    response = client.post("/zh/backoffice/catalogue/new/", _post(agency, promised_limit_workdays="30"))
    assert "承诺时限不得超过法定时限" in response.content.decode()


def test_the_service_reports_all_problems_at_once_and_writes_nothing() -> None:
    agency = AgencyFactory()
    actor = Actor.system("tests")
    service_item_create(
        code="taken",
        agency=agency,
        area="tax",
        content=_content(),
        materials=[],
        topic_codes=[],
        editor=actor,
        actor=actor,
    )
    with pytest.raises(ValidationError) as excinfo:
        service_item_create_with_form(
            code="taken",
            agency=agency,
            area="nowhere",
            starter="no-such-form",
            editor=actor,
            actor=actor,
            content=_content(name_en=" ", for_individuals=False, promised_limit_workdays=11),
        )
    assert set(excinfo.value.message_dict) == {
        "code",
        "area",
        "name_en",
        "for_individuals",
        "promised_limit_workdays",
        "starter",
    }
    with pytest.raises(ValidationError) as excinfo:  # all else well: the unknown starter alone undoes the item
        service_item_create_with_form(
            code="fresh",
            agency=agency,
            area="tax",
            starter="no-such-form",
            editor=actor,
            actor=actor,
            content=_content(),
        )
    assert set(excinfo.value.message_dict) == {"starter"}
    assert list(ServiceItem.objects.values_list("code", flat=True)) == ["taken"]
    assert not FormDefinition.objects.exists()


def test_the_service_refuses_another_agencys_admin() -> None:
    admin = StaffRoleFactory(agency_admin=True)
    with pytest.raises(PermissionDeniedError):
        service_item_create_with_form(
            code="elsewhere",
            agency=AgencyFactory(),
            area="tax",
            content=_content(),
            starter="person",
            editor=admin.account,
            actor=Actor.system("tests"),
        )
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize("code", sorted(STARTERS))
def test_starter_forms_are_valid_definitions(code: str) -> None:
    starter = STARTERS[code]
    schema, layout = starter.schema(), starter.layout()
    Draft202012Validator.check_schema(schema)
    in_steps = [name for step in layout["steps"] for name in step["fields"]]
    assert sorted(in_steps) == sorted(schema["properties"]) == sorted(layout["fields"])
    assert set(schema["required"]) <= set(schema["properties"])
    for spec in layout["fields"].values():
        assert spec["label"]["zh"] and spec["label"]["en"]
    for person in layout.get("persons_concerned", []):
        assert set(person.values()) <= set(schema["properties"])
    assert starter.schema() is not schema  # each definition gets its own copy


def test_catalogue_list_query_count_does_not_grow(client: Client, login_staff: Login) -> None:
    agency = AgencyFactory()
    login_staff(client, StaffRoleFactory(city_operator=True).account)
    actor = Actor.system("tests")

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            service_item_create(
                code=f"s{number}",
                agency=agency,
                area="tax",
                content=_content(),
                materials=[],
                topic_codes=[],
                editor=actor,
                actor=actor,
            )

    add(2, 0)
    page = assert_queries_flat(client, "/en/backoffice/catalogue/", lambda: add(10, 2)).many.content.decode()
    assert page.count("Draft open") == 12


def test_an_admin_of_two_agencies_sees_the_services_of_both(client: Client, login_staff: Login) -> None:
    first, second, other = AgencyFactory(), AgencyFactory(), AgencyFactory()
    admin = StaffRoleFactory(agency_admin=True, agency=first)
    StaffRoleFactory(agency_admin=True, agency=second, account=admin.account)
    actor = Actor.system("tests")
    for code, agency in [("first-svc", first), ("second-svc", second), ("other-svc", other)]:
        service_item_create(
            code=code,
            agency=agency,
            area="tax",
            content=_content(),
            materials=[],
            topic_codes=[],
            editor=actor,
            actor=actor,
        )
    login_staff(client, admin.account)
    listing = client.get("/en/backoffice/catalogue/").content.decode()
    assert "/catalogue/first-svc/" in listing and "/catalogue/second-svc/" in listing
    assert "/catalogue/other-svc/" not in listing
