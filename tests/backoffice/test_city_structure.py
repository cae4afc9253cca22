"""City operators set up agencies, their offices and the service centres in the back office: what
the pages and services accept and refuse, what the audit trail records, who is turned away, and
that the demo loader builds its city through the same services."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from tests.factories import AgencyFactory, AgencyOfficeFactory, ServiceCentreFactory, StaffRoleFactory
from tests.querycount import assert_queries_flat
from tongban.audit.models import AuditEvent
from tongban.core.actors import Actor
from tongban.core.errors import PermissionDeniedError
from tongban.demo import data
from tongban.demo.loader import load
from tongban.identity.models import Account, Agency, AgencyOffice, ServiceCentre
from tongban.identity.selectors import district_name
from tongban.identity.services import (
    agency_create,
    agency_update,
    centre_create,
    centre_update,
    office_create,
)

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]

BASE = "/en/backoffice/structure/"
AGENCY = {
    "code": "ecology",
    "name_zh": "生态环境局",
    "name_en": "Ecology and Environment Bureau",
    "head_zh": "周敏",
    "head_en": "ZHOU Min",
    "phone": "021-12369",
    "address_zh": "大沽路100号",
    "address_en": "100 Dagu Road",
    "website": "https://sthj.example.gov.cn/",
}
CENTRE = {
    "code": "huangpu",
    "name_zh": "黄浦区政务服务中心",
    "name_en": "Huangpu Service Centre",
    "address_zh": "黄浦区福州路1号",
    "address_en": "1 Fuzhou Road, Huangpu",
    "phone": "021-63211234",
    "district": "310101",
    "accessibility_zh": "无障碍入口在南门",
    "accessibility_en": "Step-free entrance on the south side",
    "level": "district",
}


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def operator() -> Account:
    return StaffRoleFactory.create(city_operator=True).account


def test_operator_sets_up_an_agency_its_offices_and_a_centre(client: Client, login_staff: Login) -> None:
    account = operator()
    login_staff(client, account)
    assert f'href="{BASE}"' in client.get("/en/backoffice/").content.decode()  # linked from the workbench
    assert client.get(BASE).status_code == 200
    assert "<form" in client.get(f"{BASE}agencies/new/").content.decode()

    response = client.post(f"{BASE}agencies/new/", AGENCY)
    assert response.status_code == 302 and response["Location"] == BASE
    agency = Agency.objects.get(code="ecology")
    assert (agency.name_zh, agency.website) == ("生态环境局", "https://sthj.example.gov.cn/")
    [created] = events("identity.agency_created")
    assert (created.actor_kind, created.actor_id, created.object_type, created.object_id) == (
        "account",
        account.pk,
        "agency",
        "ecology",
    )
    assert created.data == {"fields": AGENCY}

    response = client.post(
        f"{BASE}agencies/ecology/offices/new/",
        {
            "level": "city",
            "district_code": "",
            "name_zh": "生态环境局（市级）",
            "name_en": "Ecology Bureau (city)",
            "address_zh": "",
            "address_en": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{BASE}#agency-ecology"
    response = client.post(
        f"{BASE}agencies/ecology/offices/new/",
        {
            "level": "district",
            "district_code": "310115",
            "name_zh": "生态环境局浦东分局",
            "name_en": "Ecology Bureau, Pudong",
            "address_zh": "浦东新区世纪大道1号",
            "address_en": "1 Century Avenue",
        },
    )
    assert response.status_code == 302
    city, pudong = AgencyOffice.objects.filter(agency=agency).order_by("level")
    assert (city.level, city.district_code, pudong.level, pudong.district_code) == ("city", "", "district", "310115")
    city_event, pudong_event = events("identity.office_created")
    assert city_event.actor_id == account.pk and city_event.object_id == str(city.pk)
    assert city_event.data == {
        "fields": {
            "agency": "ecology",
            "level": "city",
            "district_code": "",
            "name_zh": "生态环境局（市级）",
            "name_en": "Ecology Bureau (city)",
        }
    }
    assert pudong_event.data["fields"]["district_code"] == "310115"
    assert pudong_event.data["fields"]["address_en"] == "1 Century Avenue"

    response = client.post(f"{BASE}centres/new/", CENTRE)
    assert response.status_code == 302 and response["Location"] == f"{BASE}#centres"
    centre = ServiceCentre.objects.get(code="huangpu")
    assert centre.district == "310101"
    [centre_event] = events("identity.centre_created")
    assert centre_event.actor_id == account.pk and centre_event.object_type == "service_centre"
    assert centre_event.data == {"fields": CENTRE}

    page = client.get(BASE).content.decode()
    for text in ("Ecology and Environment Bureau", "Ecology Bureau, Pudong", "浦东新区", "Huangpu Service Centre"):
        assert text in page


def test_operator_edits_an_agency_an_office_and_a_centre(client: Client, login_staff: Login) -> None:
    account = operator()
    office = AgencyOfficeFactory(district=True)
    agency = office.agency
    centre = ServiceCentreFactory()
    login_staff(client, account)

    old_name = agency.name_en
    form = client.get(f"{BASE}agencies/{agency.code}/").content.decode()
    assert f'value="{agency.name_en}"' in form and 'name="code"' not in form  # the code is fixed
    changed = {
        "name_zh": agency.name_zh,
        "name_en": "Renamed Bureau",
        "head_zh": "",
        "head_en": "",
        "phone": "021-1",
        "address_zh": "",
        "address_en": "",
        "website": "",
    }
    response = client.post(f"{BASE}agencies/{agency.code}/", changed)
    assert response.status_code == 302 and response["Location"] == f"{BASE}#agency-{agency.code}"
    agency.refresh_from_db()
    assert (agency.name_en, agency.phone) == ("Renamed Bureau", "021-1")
    [updated] = events("identity.agency_updated")
    assert updated.actor_id == account.pk and updated.object_id == agency.code
    assert updated.data == {
        "fields": {"name_en": "Renamed Bureau", "phone": "021-1"},
        "before": {"name_en": old_name, "phone": ""},
    }

    client.post(f"{BASE}agencies/{agency.code}/", changed)  # the same values again: nothing to record
    assert len(events("identity.agency_updated")) == 1

    response = client.post(
        f"{BASE}offices/{office.pk}/",
        {
            "name_zh": office.name_zh,
            "name_en": office.name_en,
            "address_zh": "漕溪北路1号",
            "address_en": "",
            "level": "city",
            "district_code": "",  # not editable: ignored
        },
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert (office.address_zh, office.level, office.district_code) == ("漕溪北路1号", "district", "310104")
    [office_event] = events("identity.office_updated")
    assert office_event.data == {
        "agency": agency.code,
        "fields": {"address_zh": "漕溪北路1号"},
        "before": {"address_zh": ""},
    }

    values = {field: getattr(centre, field) for field in CENTRE if field != "code"}
    response = client.post(f"{BASE}centres/{centre.code}/", {**values, "phone": "021-7"})
    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.phone == "021-7"
    [centre_event] = events("identity.centre_updated")
    assert centre_event.data == {"fields": {"phone": "021-7"}, "before": {"phone": ""}}


def test_duplicate_code_and_missing_chinese_name_are_field_errors_and_save_nothing(
    client: Client, login_staff: Login
) -> None:
    AgencyFactory(code="ecology")
    login_staff(client, operator())
    before = (Agency.objects.count(), AuditEvent.objects.count())

    page = client.post(f"{BASE}agencies/new/", AGENCY).content.decode()
    assert 'class="error-summary"' in page and 'href="#id_code"' in page
    assert "This code is already taken; choose another." in page and 'aria-invalid="true"' in page

    page = client.post(f"{BASE}agencies/new/", {**AGENCY, "code": "ecology-2", "name_zh": " "}).content.decode()
    assert 'class="error-summary"' in page and 'href="#id_name_zh"' in page
    assert (Agency.objects.count(), AuditEvent.objects.count()) == before

    # The service itself reports every field at once, whoever calls it.
    with pytest.raises(ValidationError) as refused:
        agency_create(**{**AGENCY, "name_zh": ""}, editor=Actor.system("tests"), actor=Actor.system("tests"))
    assert set(refused.value.message_dict) == {"code", "name_zh"}
    with pytest.raises(ValidationError) as refused:
        centre_create(
            **{**CENTRE, "code": "Not A Slug!", "name_zh": "", "district": "310199"},
            editor=Actor.system("tests"),
            actor=Actor.system("tests"),
        )
    assert set(refused.value.message_dict) == {"code", "name_zh", "district"}
    assert not ServiceCentre.objects.exists()
    assert (Agency.objects.count(), AuditEvent.objects.count()) == before


def test_an_edit_that_fails_validation_changes_nothing(client: Client, login_staff: Login) -> None:
    agency = AgencyFactory()
    login_staff(client, operator())
    page = client.post(
        f"{BASE}agencies/{agency.code}/",
        {
            "name_zh": agency.name_zh,
            "name_en": "Renamed",
            "website": "not a url",
            "head_zh": "",
            "head_en": "",
            "phone": "",
            "address_zh": "",
            "address_en": "",
        },
    ).content.decode()
    assert 'href="#id_website"' in page
    agency.refresh_from_db()
    assert agency.name_en != "Renamed" and not events("identity.agency_updated")


@pytest.mark.parametrize(
    ("level", "district", "field"),
    [
        ("district", "", "district_code"),  # a district office names its district
        ("district", "999999", "district_code"),  # not a region code
        ("district", "310100", "district_code"),  # a city, not a district
        ("district", "310103", "district_code"),  # Luwan: merged into Huangpu in 2011
        ("district", "440305", "district_code"),  # Nanshan, Shenzhen: not in the city (CITY_REGION_CODE 31)
        ("city", "310115", "district_code"),  # the city office has no district
        ("county", "", "level"),
    ],
)
def test_office_level_and_district_rules(level: str, district: str, field: str) -> None:
    agency = AgencyFactory()
    with pytest.raises(ValidationError) as refused:
        office_create(
            agency=agency,
            level=level,
            district_code=district,
            name_zh="分局",
            name_en="Office",
            editor=Actor.system("tests"),
            actor=Actor.system("tests"),
        )
    assert list(refused.value.message_dict) == [field]
    assert not AgencyOffice.objects.exists()


def test_one_office_per_agency_and_district() -> None:
    office = AgencyOfficeFactory(district=True)
    city = AgencyOfficeFactory(agency=office.agency)
    for level, district, field in (("district", office.district_code, "district_code"), ("city", "", "level")):
        with pytest.raises(ValidationError) as refused:
            office_create(
                agency=office.agency,
                level=level,
                district_code=district,
                name_zh="又一个",
                name_en="Another",
                editor=Actor.system("tests"),
                actor=Actor.system("tests"),
            )
        assert list(refused.value.message_dict) == [field]
    other = office_create(
        agency=AgencyFactory(),
        level="district",
        district_code=office.district_code,
        name_zh="分局",
        name_en="Office",
        editor=Actor.system("tests"),
        actor=Actor.system("tests"),
    )
    assert AgencyOffice.objects.count() == 3 and other.pk not in (office.pk, city.pk)


def test_district_names_come_from_the_national_region_table() -> None:
    assert district_name("310115") == "浦东新区"
    assert district_name("310104") == "徐汇区"
    assert district_name("440305") == "南山区"  # renamed: the current name
    assert district_name("310103") == ""  # abolished
    assert district_name("31011") == district_name("310000") == district_name("abcdef") == ""


@pytest.mark.parametrize("role", ["agency_admin", "supervisor", "officer", "clerk"])
def test_other_staff_are_refused_on_every_url(client: Client, login_staff: Login, role: str) -> None:
    staff = StaffRoleFactory(**({} if role == "officer" else {role: True}))
    office = AgencyOfficeFactory()
    centre = ServiceCentreFactory()
    urls = [
        BASE,
        f"{BASE}agencies/new/",
        f"{BASE}agencies/{office.agency.code}/",
        f"{BASE}agencies/{office.agency.code}/offices/new/",
        f"{BASE}offices/{office.pk}/",
        f"{BASE}centres/new/",
        f"{BASE}centres/{centre.code}/",
        f"{BASE}agencies/no-such-agency/",  # refused before anyone learns what exists
    ]
    login_staff(client, staff.account)
    assert f'href="{BASE}"' not in client.get("/en/backoffice/").content.decode()

    def counts() -> tuple[int, ...]:
        return tuple(model.objects.count() for model in (Agency, AgencyOffice, ServiceCentre, AuditEvent))

    before = counts()
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {**AGENCY, **CENTRE, "level": "city"}).status_code == 403, url
    assert counts() == before


def test_services_refuse_anyone_but_a_city_operator() -> None:
    admin = StaffRoleFactory(agency_admin=True)
    with pytest.raises(PermissionDeniedError):
        agency_create(**AGENCY, editor=admin.account, actor=Actor.system("tests"))
    with pytest.raises(PermissionDeniedError):
        agency_update(
            agency=admin.agency,
            **{k: v for k, v in AGENCY.items() if k != "code"},
            editor=admin.account,
            actor=Actor.system("tests"),
        )
    assert not Agency.objects.filter(code="ecology").exists()
    assert agency_create(**AGENCY, editor=operator(), actor=Actor.system("tests")).code == "ecology"


def test_the_overview_reads_a_fixed_number_of_queries(client: Client, login_staff: Login) -> None:
    login_staff(client, operator())
    AgencyOfficeFactory(district=True)

    def add_rows() -> None:
        for _ in range(3):
            office = AgencyOfficeFactory(district=True)
            AgencyOfficeFactory(agency=office.agency)
            ServiceCentreFactory()

    few, many = assert_queries_flat(client, BASE, add_rows)
    assert few.status_code == 200 and many.status_code == 200


def test_the_demo_loader_builds_its_structure_through_the_audited_services() -> None:
    load()
    system: dict[str, Any] = {"actor_kind": "system", "actor_label": "demo-loader"}
    agencies = AuditEvent.objects.filter(action="identity.agency_created", **system)
    assert sorted(agencies.values_list("object_id", flat=True)) == sorted(item.code for item in data.AGENCIES)
    offices = AuditEvent.objects.filter(action="identity.office_created", **system)
    assert sorted(offices.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in AgencyOffice.objects.values_list("pk", flat=True)
    )
    assert AgencyOffice.objects.count() == len(data.AGENCIES) + sum(map(len, data.DISTRICT_OFFICES.values()))
    centres = AuditEvent.objects.filter(action="identity.centre_created", **system)
    assert sorted(centres.values_list("object_id", flat=True)) == sorted(item.code for item in data.CENTRES)
    # The same data as before the loader used the services.
    pudong = AgencyOffice.objects.get(agency__code="market-regulation", district_code="310115")
    assert (pudong.level, pudong.name_zh, pudong.name_en) == (
        "district",
        "市场监督管理局浦东新区分局",
        "Administration for Market Regulation, Pudong District",
    )
    for item in data.CENTRES:
        assert ServiceCentre.objects.filter(**vars(item)).exists()
    for agency in data.AGENCIES:
        assert Agency.objects.filter(**vars(agency), website="").exists()


# --- The city's own districts (CITY_REGION_CODE) --------------------------------------------------

NANSHAN = "440305"  # a current district of Shenzhen, Guangdong: in the national table, not in the city
NOT_IN_CITY = {
    "en": "This district is not in Tongban City. Enter the code of one of the city&#x27;s districts (it starts with 31).",
    "zh": "该区（县）不在通办市。请填写本市所辖区（县）的代码（以 31 开头）。",
}


def test_the_demo_city_lies_in_its_region(settings: Any) -> None:
    """The default region is the demo city's: every district its loader uses passes the rule."""
    assert settings.CITY_REGION_CODE == "31"
    for code in [*data.DISTRICTS, *(centre.district for centre in data.CENTRES)]:
        assert code.startswith(settings.CITY_REGION_CODE) and district_name(code), code


def test_the_services_refuse_a_district_of_another_province() -> None:
    agency = AgencyFactory()
    with pytest.raises(ValidationError) as refused:
        office_create(
            agency=agency,
            level="district",
            district_code=NANSHAN,
            name_zh="南山分局",
            name_en="Nanshan",
            editor=Actor.system("tests"),
            actor=Actor.system("tests"),
        )
    for language, code in (("en", "en"), ("zh", "zh-hans")):  # the message is translated when shown
        with translation.override(code):
            assert refused.value.message_dict == {"district_code": [NOT_IN_CITY[language].replace("&#x27;", "'")]}
    with pytest.raises(ValidationError) as refused:
        centre_create(**{**CENTRE, "district": NANSHAN}, editor=Actor.system("tests"), actor=Actor.system("tests"))
    assert list(refused.value.message_dict) == ["district"]
    centre = ServiceCentreFactory()
    values = {field: getattr(centre, field) for field in CENTRE if field != "code"}
    with pytest.raises(ValidationError) as refused:
        centre_update(
            centre=centre, **{**values, "district": NANSHAN}, editor=Actor.system("tests"), actor=Actor.system("tests")
        )
    assert list(refused.value.message_dict) == ["district"]
    centre.refresh_from_db()
    assert centre.district != NANSHAN
    assert not AgencyOffice.objects.exists() and not ServiceCentre.objects.exclude(pk=centre.pk).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_back_office_refuses_a_district_of_another_province(
    client: Client, login_staff: Login, language: str
) -> None:
    agency = AgencyFactory()
    login_staff(client, operator())
    before = AuditEvent.objects.count()
    base = BASE.replace("/en/", f"/{language}/")

    page = client.post(
        f"{base}agencies/{agency.code}/offices/new/",
        {
            "level": "district",
            "district_code": NANSHAN,
            "name_zh": "南山分局",
            "name_en": "Nanshan office",
            "address_zh": "",
            "address_en": "",
        },
    ).content.decode()
    assert 'class="error-summary"' in page and 'href="#id_district_code"' in page
    assert NOT_IN_CITY[language] in page
    page = client.post(f"{base}centres/new/", {**CENTRE, "district": NANSHAN}).content.decode()
    assert 'href="#id_district"' in page and NOT_IN_CITY[language] in page

    assert not AgencyOffice.objects.exists() and not ServiceCentre.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_district_of_the_city_is_accepted_also_under_a_four_digit_region(settings: Any) -> None:
    agency = AgencyFactory()
    office = office_create(
        agency=agency,
        level="district",
        district_code="310115",
        name_zh="浦东分局",
        name_en="Pudong",
        editor=Actor.system("tests"),
        actor=Actor.system("tests"),
    )
    assert office.district_code == "310115"
    settings.CITY_REGION_CODE = "3101"  # the prefecture-level prefix of the same city
    assert centre_create(**CENTRE, editor=Actor.system("tests"), actor=Actor.system("tests")).district == "310101"
    settings.CITY_REGION_CODE = "4403"  # Shenzhen: now Xuhui is elsewhere and Nanshan is in the city
    with pytest.raises(ValidationError, match="4403"):
        office_create(
            agency=agency,
            level="district",
            district_code="310104",
            name_zh="徐汇分局",
            name_en="Xuhui",
            editor=Actor.system("tests"),
            actor=Actor.system("tests"),
        )
    assert (
        office_create(
            agency=agency,
            level="district",
            district_code=NANSHAN,
            name_zh="南山分局",
            name_en="Nanshan",
            editor=Actor.system("tests"),
            actor=Actor.system("tests"),
        ).district_code
        == NANSHAN
    )


def test_an_empty_region_allows_any_district_of_the_national_table(settings: Any) -> None:
    settings.CITY_REGION_CODE = ""
    agency = AgencyFactory()
    office = office_create(
        agency=agency,
        level="district",
        district_code=NANSHAN,
        name_zh="南山分局",
        name_en="Nanshan",
        editor=Actor.system("tests"),
        actor=Actor.system("tests"),
    )
    assert office.district_code == NANSHAN
    assert (
        centre_create(
            **{**CENTRE, "district": NANSHAN}, editor=Actor.system("tests"), actor=Actor.system("tests")
        ).district
        == NANSHAN
    )
    with pytest.raises(ValidationError) as refused:  # still a district of the national table
        office_create(
            agency=agency,
            level="district",
            district_code="999999",
            name_zh="无",
            name_en="None",
            editor=Actor.system("tests"),
            actor=Actor.system("tests"),
        )
    assert list(refused.value.message_dict) == ["district_code"]


@pytest.mark.parametrize("value", ["3", "310", "31a", "310115"])
def test_a_malformed_region_setting_stops_the_start(value: str) -> None:
    source = Path(__file__).resolve().parents[2] / "src"
    result = subprocess.run(
        [sys.executable, "-c", "import tongban.conf.base"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TONGBAN_CITY_REGION_CODE": value, "PYTHONPATH": str(source)},
    )
    assert result.returncode != 0 and "TONGBAN_CITY_REGION_CODE must be empty, 2 or 4 digits" in result.stderr


@pytest.mark.parametrize(
    ("language", "taken", "required"),
    [
        ("en", "This code is already taken; choose another.", "This field is required."),
        ("zh", "该代码已被使用，请另选一个。", "此项为必填项。"),
    ],
)
def test_every_problem_of_a_structure_form_shows_in_one_round(
    client: Client, login_staff: Login, language: str, taken: str, required: str
) -> None:
    """A taken code and an empty name, together: both are named at once, not one after the other."""
    AgencyFactory(code="ecology")
    login_staff(client, operator())
    base = BASE.replace("/en/", f"/{language}/")
    page = client.post(f"{base}agencies/new/", {**AGENCY, "name_en": ""}).content.decode()
    assert 'href="#id_code"' in page and 'href="#id_name_en"' in page  # both in the error summary
    assert taken in page and required in page
    page = client.post(f"{base}centres/new/", {**CENTRE, "name_zh": "", "district": "440305"}).content.decode()
    assert 'href="#id_name_zh"' in page and 'href="#id_district"' in page
    page = client.post(f"{base}agencies/ecology/offices/new/", {"name_zh": "", "name_en": "X"}).content.decode()
    assert 'href="#id_level_0"' in page and 'href="#id_name_zh"' in page  # the level is the service's check
    assert not Agency.objects.exclude(code="ecology").exists() and not ServiceCentre.objects.exists()


def test_required_fields_still_look_required_on_a_structure_form(client: Client, login_staff: Login) -> None:
    login_staff(client, operator())
    page = client.get(f"{BASE}agencies/new/").content.decode()
    name_en = page[
        page.index('<label for="id_name_en">') : page.index("</div>", page.index('<label for="id_name_en">'))
    ]
    head_en = page[
        page.index('<label for="id_head_en">') : page.index("</div>", page.index('<label for="id_head_en">'))
    ]
    assert "(optional)" not in name_en and 'aria-required="true"' in name_en
    assert "(optional)" in head_en and "aria-required" not in head_en
