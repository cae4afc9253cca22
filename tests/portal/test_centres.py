"""The public service-centre pages: the list and its filters, a centre's page in both languages
with its structured data, the service guide's in-person centres, and the home page's link."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from django.test import Client

from tests.factories import AgencyFactory, ServiceCentreFactory
from tests.querycount import assert_queries_flat
from tests.services import make_service
from tongban.core.workdays import WorkCalendar
from tongban.identity.models import ServiceCentre
from tongban.service_centres.models import OpeningException, OpeningHours, Window, WindowScope

pytestmark = pytest.mark.django_db

MONDAY = date(2031, 9, 29)  # Wednesday 1 October is a public holiday in the calendar below
CALENDAR = WorkCalendar(holidays=[date(2031, 10, 1)], known_years=[2031])


@pytest.fixture(autouse=True)
def monday_morning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tongban.portal.views.centres.now", lambda: datetime(2031, 9, 29, 2, tzinfo=UTC))
    monkeypatch.setattr("tongban.portal.views.centres.get_work_calendar", lambda: CALENDAR)


def centre(code: str, district: str, scope: str = WindowScope.COMPREHENSIVE, **names: str) -> ServiceCentre:
    made = ServiceCentreFactory.create(code=code, district=district, phone="021-1234", **names)
    for weekday in range(5):
        OpeningHours.objects.create(centre=made, weekday=weekday, start=time(9), end=time(12))
        OpeningHours.objects.create(centre=made, weekday=weekday, start=time(13, 30), end=time(17))
    Window.objects.create(centre=made, number="1", scope=scope)
    return made


def structured_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD in the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_list_filters_by_district_and_by_service_with_a_plain_get_form(client: Client) -> None:
    item = make_service(code="scoped").item
    centre("xuhui-all", "310104", name_en="Xuhui Comprehensive")
    centre("pudong-other", "310115", WindowScope.AGENCIES, name_en="Pudong Other Agency").windows.get().agencies.add(
        AgencyFactory()
    )
    centre("pudong-all", "310115", name_en="Pudong Comprehensive")

    page = client.get("/en/centres/").content.decode()
    assert '<form method="get" action="/en/centres/"' in page
    assert all(name in page for name in ("Xuhui Comprehensive", "Pudong Other Agency", "Pudong Comprehensive"))
    assert "09:00</time>–<time>12:00</time>, <time>13:30</time>–<time>17:00" in page  # today's hours

    pudong = client.get("/en/centres/?district=310115").content.decode()
    assert "Xuhui Comprehensive" not in pudong and "Pudong Other Agency" in pudong and "Pudong Comprehensive" in pudong

    both = client.get(f"/en/centres/?district=310115&service={item.code}").content.decode()
    assert "Pudong Comprehensive" in both and "Pudong Other Agency" not in both and "Xuhui Comprehensive" not in both

    unknown = client.get("/en/centres/?district=999999&service=nope").content.decode()
    assert "Xuhui Comprehensive" in unknown  # an unknown filter value is ignored, not an error


def test_list_queries_do_not_grow_with_the_centres(client: Client) -> None:
    centre("first", "310104")

    def more() -> None:
        for number in range(4):
            made = centre(f"more-{number}", "310115")
            OpeningException.objects.create(centre=made, date=MONDAY, closed=True)

    _few, many = assert_queries_flat(client, "/en/centres/", more, at_most=10)
    assert many.content.decode().count("Closed") == 4


def test_centre_page_in_both_languages_with_todays_hours_the_week_and_structured_data(client: Client) -> None:
    made = centre(
        "tianping",
        "310104",
        name_zh="天平社区中心",
        name_en="Tianping Community Centre",
        accessibility_zh="无障碍入口在北门",
        accessibility_en="Step-free entrance at the north gate",
    )
    OpeningException.objects.create(centre=made, date=date(2031, 9, 30), closed=True, note_en="Training")

    english = client.get("/en/centres/tianping/")
    assert english.status_code == 200
    html = english.content.decode()
    assert "<h1>Tianping Community Centre</h1>" in html
    assert "All services" in html  # a comprehensive window
    assert "<dt>Accessibility</dt><dd>Step-free entrance at the north gate</dd>" in html
    assert "Public holiday" in html and "Special opening" in html
    data = structured_data(html)
    assert data["@type"] == "GovernmentOffice" and data["name"] == "Tianping Community Centre"
    specs = data["openingHoursSpecification"]
    assert {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": "https://schema.org/Monday",
        "opens": "09:00",
        "closes": "12:00",
    } in specs
    closed = {"@type": "OpeningHoursSpecification", "opens": "00:00", "closes": "00:00"}
    assert {**closed, "validFrom": "2031-09-30", "validThrough": "2031-09-30"} in specs  # the closure
    assert {**closed, "validFrom": "2031-10-01", "validThrough": "2031-10-01"} in specs  # the public holiday

    chinese = client.get("/zh/centres/tianping/").content.decode()
    assert "<h1>天平社区中心</h1>" in chinese
    assert "无障碍入口在北门" in chinese and "不开放" in chinese and "法定节假日" in chinese and "全部事项：" in chinese
    assert structured_data(chinese)["name"] == "天平社区中心"
    assert client.get("/en/centres/nowhere/").status_code == 404


def test_centre_page_names_the_agencies_and_services_of_its_windows(client: Client) -> None:
    item = make_service(code="listed").item
    agency = AgencyFactory(name_en="Bureau of Tests")
    made = centre("narrow", "310104", WindowScope.AGENCIES)
    made.windows.get().agencies.add(agency)
    Window.objects.create(centre=made, number="2", scope=WindowScope.SERVICES).services.add(item)
    Window.objects.create(centre=made, number="3", scope=WindowScope.COMPREHENSIVE, active=False)

    html = client.get("/en/centres/narrow/").content.decode()
    assert "All services of the Bureau of Tests" in html
    assert '<a href="/en/services/listed/">Test service listed</a>' in html
    assert "All services: " not in html


def test_service_guide_lists_where_to_apply_in_person_and_the_home_page_links_the_centres(client: Client) -> None:
    item = make_service(code="guided").item
    centre("everything", "310104", name_en="Everything Centre")
    centre("elsewhere", "310104", WindowScope.SERVICES, name_en="Elsewhere Centre")

    guide = client.get(f"/en/services/{item.code}/").content.decode()
    assert '<a href="/en/centres/everything/">Everything Centre</a>' in guide
    assert "Elsewhere Centre" not in guide
    assert f'href="/en/centres/?service={item.code}"' in guide
    assert 'href="/en/centres/"' in client.get("/en/").content.decode()
