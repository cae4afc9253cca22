"""The last place of a slot under 32 real concurrent booking requests on PostgreSQL: 32 signed-in
people, each on their own thread with its own database connection, POST the real booking form at
the same moment; exactly one gets the place (302 to the appointment), the 31 others the "just
taken" answer listing the next free times, and the database holds one appointment in that place."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from tests.factories import PersonFactory
from tests.service_centres.appointment_world import NOW, TUESDAY_9, at, book, make_place
from tongban.service_centres.models import Appointment, AppointmentStatus

RACERS = 32


@pytest.mark.django_db(transaction=True)
def test_32_people_race_for_the_last_place_and_exactly_one_gets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; this runs in the PostgreSQL pass")
    monkeypatch.setattr("tongban.portal.views.appointments.now", lambda: NOW)
    place = make_place(windows=2, code="last-place")
    book(place)  # one of the two places is held: one is left
    clients = []
    for _n in range(RACERS):
        client = Client()
        client.force_login(PersonFactory().account)
        clients.append(client)
    url = f"/en/appointments/book/?service={place.item.code}&centre={place.centre.code}"
    form = {"service": place.item.code, "centre": place.centre.code, "starts_at": TUESDAY_9.isoformat()}
    start = threading.Barrier(RACERS)
    answers: list[tuple[int, str]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def race(client: Client) -> None:
        try:
            start.wait(30)
            response = client.post(url, form)
            with lock:
                answers.append((response.status_code, response.content.decode()))
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    statuses = Counter(status for status, _html in answers)
    assert statuses == {302: 1, 409: RACERS - 1}, statuses
    for status, html in answers:
        if status == 409:
            assert "This slot was just taken" in html
            assert at(TUESDAY_9.date(), 9, 30).isoformat() in html  # the next free time is offered
    held = Appointment.objects.filter(centre=place.centre, item=place.item, starts_at=TUESDAY_9).exclude(
        status=AppointmentStatus.CANCELLED
    )
    assert sorted(held.values_list("place", flat=True)) == [0, 1]
