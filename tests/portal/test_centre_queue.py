"""The queue's public pages: the kiosk issues walk-in and booking-code tickets and shows the
number; the holder takes a ticket on the phone; the call display shows both languages and its
state endpoint answers with a strong ETag, 304 when unchanged, in one query whatever the number
of tickets; the centre's page shows the waiting time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import PersonFactory
from tests.service_centres.queueworld import QueueWorld, make_queue_world
from tongban.identity.models import Account
from tongban.service_centres.models import Ticket, TicketSource
from tongban.service_centres.ticket_services import ticket_call_next, ticket_issue

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


@pytest.fixture
def qw(db) -> QueueWorld:
    return make_queue_world()


def test_the_kiosk_issues_a_walk_in_ticket_and_shows_its_number(client: Client, qw: QueueWorld) -> None:
    url = f"/en/centres/{qw.centre.code}/kiosk/"
    page = client.get(url).content.decode()
    assert "I have a booking code" in page and 'name="item" value="queue-permit"' in page
    response = client.post(url, {"intent": "service", "item": "queue-permit"})
    assert response.status_code == 302 and "?ticket=" in response["Location"]
    shown = client.get(response["Location"]).content.decode()
    assert "B001" in shown and 'class="ticket-number"' in shown
    assert Ticket.objects.get().item == qw.item and Ticket.objects.get().source == TicketSource.KIOSK
    client.post(url, {"intent": "service", "item": ""})
    assert Ticket.objects.filter(item__isnull=True).count() == 1
    assert client.post(url, {"intent": "service", "item": "not-here"}).status_code == 404
    assert "B00" not in client.get(f"{url}?ticket=forged").content.decode()
    assert client.get(f"/zh/centres/{qw.centre.code}/kiosk/").status_code == 200


def test_the_kiosk_takes_a_booking_code_once(client: Client, qw: QueueWorld) -> None:
    url = f"/en/centres/{qw.centre.code}/kiosk/"
    appointment = qw.appoint()
    response = client.post(url, {"intent": "code", "code": appointment.code})
    assert response.status_code == 302
    assert "A001" in client.get(response["Location"]).content.decode()
    again = client.post(url, {"intent": "code", "code": appointment.code})
    assert again.status_code == 400 and "already taken" in again.content.decode()
    wrong_day = qw.appoint(starts_at=timezone.now() + timedelta(days=2))
    refused = client.post(url, {"intent": "code", "code": wrong_day.code})
    assert refused.status_code == 400 and "only on that day" in refused.content.decode()
    assert Ticket.objects.count() == 1


def test_the_holder_takes_a_ticket_on_the_phone_and_only_they_see_it(
    client: Client, qw: QueueWorld, login_person: Login
) -> None:
    appointment = qw.appoint()
    url = f"/en/centres/{qw.centre.code}/ticket/"
    assert client.get(url).status_code == 302  # to log in
    login_person(client, appointment.person.account)
    assert appointment.code in client.get(url, {"code": appointment.code}).content.decode()
    response = client.post(url, {"code": appointment.code})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.source == TicketSource.PHONE and response["Location"].endswith(f"/ticket/{ticket.pk}/")
    assert "A001" in client.get(response["Location"]).content.decode()
    stranger = Client()
    login_person(stranger, PersonFactory.create().account)
    assert stranger.get(response["Location"]).status_code == 404
    assert stranger.post(url, {"code": qw.appoint().code}).status_code == 400  # not their booking


def test_the_display_shows_both_languages_whatever_the_url_language(client: Client, qw: QueueWorld) -> None:
    ticket_issue(centre=qw.centre, source="kiosk", actor=qw.actor, now=timezone.now())
    ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=timezone.now())
    for language in ("en", "zh"):
        page = client.get(f"/{language}/centres/{qw.centre.code}/display/").content.decode()
        assert "Now calling" in page and "正在叫号" in page
        assert "B001" in page and '<meta http-equiv="refresh"' in page and "call-display.js" in page
        assert "<script>" not in page and "aria-live" in page


def test_the_display_state_has_a_strong_etag_answers_304_and_costs_two_queries(client: Client, qw: QueueWorld) -> None:
    url = f"/en/centres/{qw.centre.code}/display/state"
    now = timezone.now()
    empty = client.get(url)
    assert empty.status_code == 200 and empty.json() == {"calls": []}
    ticket_issue(centre=qw.centre, source="kiosk", actor=qw.actor, now=now)
    ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=now)
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and etag != empty["ETag"]
    assert first.json()["calls"][0] == {"ticket": "B001", "window": "1", "calls": 1, "called_at": now.isoformat()}
    with CaptureQueriesContext(connection) as few:
        unchanged = client.get(url, headers={"if-none-match": etag})
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag and not unchanged.content
    for _n in range(30):
        ticket_issue(centre=qw.centre, source="kiosk", actor=qw.actor, now=now)
    with CaptureQueriesContext(connection) as many:
        still = client.get(url, headers={"if-none-match": etag})
    assert still.status_code == 304  # tickets issued are not calls
    assert len(few) == len(many) == 1  # one static read
    later = now + timedelta(minutes=1)
    ticket_call_next(window=qw.single, clerk=qw.clerk, actor=qw.actor, now=later)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert [c["ticket"] for c in changed.json()["calls"]] == ["B002", "B001"]
    assert client.get("/en/centres/no-such/display/state").status_code == 404


def test_the_centre_page_shows_the_people_waiting_and_the_wait(client: Client, qw: QueueWorld) -> None:
    assert "Nobody is waiting." in client.get(f"/en/centres/{qw.centre.code}/").content.decode()
    for _n in range(3):
        ticket_issue(centre=qw.centre, source="kiosk", actor=qw.actor, now=timezone.now())
    page = client.get(f"/en/centres/{qw.centre.code}/").content.decode()
    assert "3 people are waiting; the wait is about 20 minutes." in page
