"""City operators edit a centre's week, exceptional days, windows and level in the back office:
each page answers them and refuses other staff, every change is audited, and bad input comes
back with the typed values and a message saying what is wrong, in both languages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

import pytest
from django.test import Client

from tests.factories import AgencyFactory, ServiceCentreFactory, StaffRoleFactory
from tests.services import make_service
from tongban.audit.models import AuditEvent
from tongban.backoffice.centre_forms import parse_intervals
from tongban.core.actors import Actor
from tongban.identity.models import Account, ServiceCentre
from tongban.service_centres.models import OpeningException, OpeningHours, Window
from tongban.service_centres.services import window_save

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


@pytest.fixture
def centre() -> ServiceCentre:
    return ServiceCentreFactory.create(code="huangpu", name_en="Huangpu Centre", name_zh="黄浦中心")


@pytest.fixture
def operator(client: Client, login_staff: Login) -> Account:
    account = StaffRoleFactory.create(city_operator=True).account
    login_staff(client, account)
    return account


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_intervals_are_read_and_refused_with_reasons() -> None:
    assert parse_intervals("9:00-12:00，13:30–17:00") == [(time(9), time(12)), (time(13, 30), time(17))]
    assert parse_intervals("  ") == []
    for text, word in (("9-12", "09:00-12:00"), ("12:00-09:00", "end after"), ("09:00-12:00, 11:00-13:00", "overlap")):
        with pytest.raises(Exception, match=word):
            parse_intervals(text)


@pytest.mark.parametrize("role", ["officer", "supervisor", "agency_admin", "clerk"])
def test_other_staff_are_refused_every_centre_page(
    client: Client, login_staff: Login, centre: ServiceCentre, role: str
) -> None:
    window_save(centre=centre, number="1", scope="comprehensive", editor=_system(), actor=_system())
    kwargs = {"clerk": True} if role == "clerk" else {role: True} if role != "officer" else {}
    login_staff(client, StaffRoleFactory.create(**kwargs).account)
    base = f"/en/backoffice/centres/{centre.code}/"
    for url in ("/en/backoffice/centres/", base, f"{base}hours/", f"{base}exceptions/new/", f"{base}windows/new/"):
        assert client.get(url).status_code == 403, url
    for url in (f"{base}hours/", f"{base}exceptions/2027-01-01/clear/", f"{base}windows/1/"):
        assert client.post(url, {"day_0": "09:00-10:00", "scope": "comprehensive"}).status_code == 403, url
    assert not OpeningHours.objects.exists() and Window.objects.get().label_en == ""


def _system() -> Actor:
    return Actor.system("tests")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_operator_reads_every_page(client: Client, operator: Account, centre: ServiceCentre, language: str) -> None:
    window_save(centre=centre, number="7", scope="comprehensive", label_en="All", editor=_system(), actor=_system())
    base = f"/{language}/backoffice/centres/"
    listing = client.get(base).content.decode()
    assert ("Huangpu Centre" if language == "en" else "黄浦中心") in listing
    for url in (
        f"{base}{centre.code}/",
        f"{base}{centre.code}/hours/",
        f"{base}{centre.code}/exceptions/new/",
        f"{base}{centre.code}/windows/new/",
        f"{base}{centre.code}/windows/7/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(f"{base}{centre.code}/windows/99/").status_code == 404
    assert client.get(f"{base}nowhere/").status_code == 404


def test_weekly_hours_with_a_lunch_break_are_saved_and_audited(
    client: Client, operator: Account, centre: ServiceCentre
) -> None:
    url = f"/en/backoffice/centres/{centre.code}/hours/"
    response = client.post(url, {"day_0": "09:00-12:00, 13:30-17:00", "day_5": "9:00-11:30"})
    assert response.status_code == 302 and response["Location"].endswith(f"/centres/{centre.code}/#week")
    rows = list(OpeningHours.objects.filter(centre=centre).values_list("weekday", "start", "end"))
    assert rows == [(0, time(9), time(12)), (0, time(13, 30), time(17)), (5, time(9), time(11, 30))]
    [event] = _events("service_centres.hours_replaced")
    assert event.actor_id == operator.pk and event.object_id == centre.code
    page = client.get(url).content.decode()
    assert 'value="09:00-12:00, 13:30-17:00"' in page


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "must not overlap"), ("zh", "不得重叠")],
)
def test_bad_hours_are_kept_and_explained(
    client: Client, operator: Account, centre: ServiceCentre, language: str, message: str
) -> None:
    url = f"/{language}/backoffice/centres/{centre.code}/hours/"
    page = client.post(url, {"day_0": "09:00-12:00, 11:00-13:00", "day_1": "08:00-09:00"}).content.decode()
    assert message in page
    assert 'value="09:00-12:00, 11:00-13:00"' in page and 'value="08:00-09:00"' in page
    assert not OpeningHours.objects.exists() and not _events("service_centres.hours_replaced")


def test_exceptional_days_closed_or_open_then_cleared(client: Client, operator: Account, centre: ServiceCentre) -> None:
    base = f"/en/backoffice/centres/{centre.code}/"
    response = client.post(
        f"{base}exceptions/new/",
        {"day": "2099-01-15", "kind": "closed", "note_zh": "内部培训", "note_en": "Staff training"},
    )
    assert response.status_code == 302
    closure = OpeningException.objects.get(centre=centre)
    assert closure.closed and closure.note_en == "Staff training"
    response = client.post(f"{base}exceptions/new/", {"day": "2099-02-01", "kind": "open", "intervals": "09:00-12:00"})
    assert response.status_code == 302
    page = client.get(base).content.decode()
    assert "2099-01-15" in page and "Staff training" in page and "09:00–12:00" in page
    assert len(_events("service_centres.exception_set")) == 2
    assert client.post(f"{base}exceptions/2099-01-15/clear/").status_code == 302
    assert not OpeningException.objects.filter(date=date(2099, 1, 15)).exists()
    [cleared] = _events("service_centres.exception_cleared")
    assert cleared.actor_id == operator.pk and cleared.data == {"date": "2099-01-15"}
    assert client.post(f"{base}exceptions/not-a-date/clear/").status_code == 404


def test_an_open_exception_needs_its_hours(client: Client, operator: Account, centre: ServiceCentre) -> None:
    page = client.post(
        f"/zh/backoffice/centres/{centre.code}/exceptions/new/",
        {"day": "2099-02-01", "kind": "open", "intervals": "", "note_en": "Extra Saturday"},
    ).content.decode()
    assert "请填写" in page and 'value="Extra Saturday"' in page
    assert not OpeningException.objects.exists()


def test_windows_are_added_and_edited_with_their_scope(
    client: Client, operator: Account, centre: ServiceCentre
) -> None:
    agency = AgencyFactory.create()
    version = make_service()
    base = f"/en/backoffice/centres/{centre.code}/windows/"
    response = client.post(
        f"{base}new/",
        {"number": "3", "label_zh": "出入境", "label_en": "Exit-entry", "scope": "agencies", "active": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Choose at least one agency." in page and 'value="Exit-entry"' in page
    response = client.post(
        f"{base}new/",
        {"number": "3", "label_en": "Exit-entry", "scope": "agencies", "agencies": [agency.pk], "active": "on"},
    )
    assert response.status_code == 302
    window = Window.objects.get(centre=centre, number="3")
    assert list(window.agencies.all()) == [agency] and window.active
    duplicate = client.post(f"{base}new/", {"number": "3", "scope": "comprehensive"}).content.decode()
    assert "already has a window with this number" in duplicate
    response = client.post(f"{base}3/", {"label_en": "One service", "scope": "services", "services": [version.item.pk]})
    assert response.status_code == 302
    window.refresh_from_db()
    assert not window.active and window.scope == "services" and list(window.services.all()) == [version.item]
    assert not window.agencies.exists()
    events = _events("service_centres.window_saved")
    assert [event.data["scope"] for event in events] == ["agencies", "services"]
    assert all(event.actor_id == operator.pk for event in events)


def test_the_level_is_edited_with_the_details_and_shown_publicly(
    client: Client, operator: Account, centre: ServiceCentre
) -> None:
    url = f"/en/backoffice/structure/centres/{centre.code}/"
    values = {
        "name_zh": centre.name_zh,
        "name_en": centre.name_en,
        "address_zh": centre.address_zh,
        "address_en": centre.address_en,
        "level": "community",
    }
    assert client.post(url, values).status_code == 302
    centre.refresh_from_db()
    assert centre.level == "community"
    [event] = _events("identity.centre_updated")
    assert event.data["fields"] == {"level": "community"} and event.data["before"] == {"level": "district"}
    bad = client.post(url, {**values, "level": "province"}).content.decode()
    assert "Select a valid choice" in bad or "Choose the centre" in bad
    assert "Community" in client.get(f"/en/centres/{centre.code}/").content.decode()
    assert "社区" in client.get(f"/zh/centres/{centre.code}/").content.decode()
