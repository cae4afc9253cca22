"""The booking pages: choose a centre and a free time without JavaScript, book, see the code and
its QR code, cancel and move; the "just taken" answer keeps the form and offers the next free
times; another person's appointment is a 404; a firm booking needs the power; both languages;
booking posts are throttled per account and per client address."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client, override_settings

from tests.factories import FirmFactory, PersonFactory
from tests.querycount import assert_queries_flat
from tests.service_centres.appointment_world import NOW, TUESDAY_9, Place, at, book, make_place
from tongban.conf.limits import DEFAULT_RATE_LIMITS
from tongban.identity.models import Account
from tongban.service_centres.models import Appointment, AppointmentStatus

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


@pytest.fixture(autouse=True)
def monday_morning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tongban.portal.views.appointments.now", lambda: NOW)
    monkeypatch.setattr("tongban.service_centres.appointments.clock_now", lambda: NOW)


def _signed_in(login_person: Login) -> tuple[Client, object]:
    person = PersonFactory()
    client = Client()
    login_person(client, person.account)
    return client, person


def _url(place: Place) -> str:
    return f"/en/appointments/book/?service={place.item.code}&centre={place.centre.code}"


def test_book_from_the_service_guide_through_the_centre_and_a_free_time(login_person: Login) -> None:
    place = make_place(code="book-me")
    client, person = _signed_in(login_person)
    guide = client.get(f"/en/services/{place.item.code}/").content.decode()
    assert f"/en/appointments/book/?service={place.item.code}" in guide
    choose = client.get(f"/en/appointments/book/?service={place.item.code}").content.decode()
    assert f"centre={place.centre.code}" in choose
    page = client.get(_url(place))
    html = page.content.decode()
    assert page.status_code == 200 and 'type="radio"' in html and TUESDAY_9.isoformat() in html
    assert 'name="starts_at"' in html and "2 places free" in html
    response = client.post(
        _url(place), {"service": place.item.code, "centre": place.centre.code, "starts_at": TUESDAY_9.isoformat()}
    )
    appointment = Appointment.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/en/my/appointments/{appointment.code}/"
    detail = client.get(response["Location"]).content.decode()
    assert appointment.code in detail and "<svg" in detail and "Cancel this appointment" in detail
    listing = client.get("/en/my/appointments/").content.decode()
    assert appointment.code in listing


def test_the_centre_page_links_to_booking_and_the_chinese_pages_render(login_person: Login) -> None:
    place = make_place(code="zh-book")
    client, person = _signed_in(login_person)
    centre_page = Client().get(f"/zh/centres/{place.centre.code}/").content.decode()
    assert f"/zh/appointments/book/?centre={place.centre.code}" in centre_page
    services = client.get(f"/zh/appointments/book/?centre={place.centre.code}").content.decode()
    assert f'value="{place.item.code}"' in services
    page = client.get(_url(place).replace("/en/", "/zh/")).content.decode()
    assert "预约" in page and 'lang="zh-Hans"' in page
    appointment = book(place, person)
    detail = client.get(f"/zh/my/appointments/{appointment.code}/").content.decode()
    assert appointment.code in detail and "取消" in detail


def test_a_slot_just_taken_keeps_the_form_and_offers_the_next_free_times(login_person: Login) -> None:
    place = make_place(windows=1, code="race-page")
    client, person = _signed_in(login_person)
    book(place)  # someone else took the last place a moment ago
    response = client.post(
        _url(place), {"service": place.item.code, "centre": place.centre.code, "starts_at": TUESDAY_9.isoformat()}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "This slot was just taken" in html and "Next free times" in html
    assert at(TUESDAY_9.date(), 9, 30).isoformat() in html
    assert not Appointment.objects.filter(person=person).exists()
    # The answer offers the next times and links the week; it does not compute the week again.
    assert "See all free times of the week" in html and 'id="slot-' not in html
    assert "Free times" not in html.replace("Next free times", "")


def test_another_persons_appointment_is_not_found(login_person: Login) -> None:
    place = make_place(code="private")
    theirs = book(place)
    client, _person = _signed_in(login_person)
    for path in ("", "move/"):
        assert client.get(f"/en/my/appointments/{theirs.code}/{path}").status_code == 404
    assert client.post(f"/en/my/appointments/{theirs.code}/cancel/").status_code == 404
    assert (
        client.post(f"/en/my/appointments/{theirs.code}/move/", {"starts_at": TUESDAY_9.isoformat()}).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == AppointmentStatus.BOOKED


def test_cancel_and_move_through_the_pages(login_person: Login) -> None:
    place = make_place(code="change-me")
    client, person = _signed_in(login_person)
    appointment = book(place, person)
    move = client.get(f"/en/my/appointments/{appointment.code}/move/")
    assert move.status_code == 200 and at(TUESDAY_9.date(), 10).isoformat() in move.content.decode()
    response = client.post(
        f"/en/my/appointments/{appointment.code}/move/", {"starts_at": at(TUESDAY_9.date(), 10).isoformat()}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == at(TUESDAY_9.date(), 10)
    assert client.post(f"/en/my/appointments/{appointment.code}/cancel/").status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    listing = client.get("/en/my/appointments/").content.decode()
    assert "You have no coming appointments." in listing and appointment.code not in listing.split("past-title")[0]


def test_a_firm_booking_without_the_power_is_refused_on_the_page(login_person: Login) -> None:
    place = make_place(code="firm-book")
    client, person = _signed_in(login_person)
    firm = FirmFactory()
    response = client.post(
        _url(place),
        {
            "service": place.item.code,
            "centre": place.centre.code,
            "starts_at": TUESDAY_9.isoformat(),
            "firm": firm.uscc,
        },
    )
    assert response.status_code == 200 and "power" in response.content.decode()
    assert not Appointment.objects.filter(person=person).exists()


LIMITS = {**DEFAULT_RATE_LIMITS, "appointment.account": (3, 3600), "appointment.client": (5, 3600)}


@override_settings(RATE_LIMITS=LIMITS)
def test_booking_posts_are_throttled_per_account(login_person: Login) -> None:
    place = make_place(code="throttle-account")
    client, _person = _signed_in(login_person)
    for n in range(3):
        response = client.post(_url(place), {"starts_at": "nonsense"}, REMOTE_ADDR=f"10.0.0.{n + 1}")
        assert response.status_code == 200
    response = client.post(_url(place), {"starts_at": "nonsense"}, REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429 and "Retry-After" in response


@override_settings(RATE_LIMITS=LIMITS)
def test_booking_posts_are_throttled_per_client_address(login_person: Login) -> None:
    place = make_place(code="throttle-client")
    statuses = []
    for _n in range(3):
        client, _person = _signed_in(login_person)
        for _m in range(2):
            statuses.append(client.post(_url(place), {"starts_at": "nonsense"}, REMOTE_ADDR="10.9.9.9").status_code)
    assert statuses == [200] * 5 + [429]
    other, _person = _signed_in(login_person)
    assert other.post(_url(place), {"starts_at": "nonsense"}, REMOTE_ADDR="10.9.9.10").status_code == 200


def test_the_booking_page_asks_to_log_in_first() -> None:
    place = make_place(code="anon")
    response = Client().get(_url(place))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_times_beyond_the_horizon_are_not_listed(login_person: Login) -> None:
    place = make_place(code="horizon")
    client, _person = _signed_in(login_person)
    far = (NOW + timedelta(days=40)).date()
    html = client.get(_url(place) + f"&from={far.isoformat()}").content.decode()
    assert at(far, 9).isoformat() not in html


def test_my_appointments_runs_the_same_queries_for_few_and_many(login_person: Login) -> None:
    place = make_place(windows=3, code="many")
    client, person = _signed_in(login_person)
    book(place, person)

    def more() -> None:
        with override_settings(APPOINTMENT_MAX_FUTURE=10):
            for hour in (10, 11):
                book(place, person, starts_at=at(TUESDAY_9.date(), hour))

    flat = assert_queries_flat(client, "/en/my/appointments/", more)
    assert flat.many.content.decode().count("/en/my/appointments/") >= 3


def test_on_its_day_the_appointment_leads_to_the_phone_ticket(
    login_person: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = make_place(code="ticket-day")
    client, person = _signed_in(login_person)
    appointment = book(place, person)
    link = f"/en/centres/{place.centre.code}/ticket/?code={appointment.code}"
    assert link not in client.get(f"/en/my/appointments/{appointment.code}/").content.decode()  # not the day yet
    monkeypatch.setattr("tongban.portal.views.appointments.now", lambda: TUESDAY_9 - timedelta(hours=1))
    page = client.get(f"/en/my/appointments/{appointment.code}/").content.decode()
    assert link in page and "take my queue ticket" in page
