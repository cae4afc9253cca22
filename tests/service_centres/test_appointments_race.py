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
from django.test.utils import CaptureQueriesContext

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


@pytest.mark.django_db
def test_on_postgresql_a_place_is_found_and_held_in_one_statement() -> None:
    """The free place is read and INSERTed in one statement (no savepoint, no separate read of the
    held places), and the person's lock and checks are one more: a booking's round trips stay
    few when each costs a scheduler's time slice under load (bench ``book_slot``)."""
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement place is PostgreSQL's (SQLite has one writer: nothing to race)")
    place = make_place(windows=2, code="one-statement")
    book(place)  # place 0 is held: the statement must skip it
    person = PersonFactory()
    with CaptureQueriesContext(connection) as captured:
        appointment = book(place, person)
    statements = [query["sql"] for query in captured.captured_queries]
    assert appointment.place == 1 and Appointment.objects.get(pk=appointment.pk).person_id == person.pk
    # The test's transaction makes the booking's own transaction a savepoint: that one, no other.
    savepoints = [sql for sql in statements if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(savepoints) == 2, savepoints
    work = [sql for sql in statements if sql not in savepoints]
    assert sum("service_centres_appointment" in sql for sql in work) == 2, work  # lock+checks, the place
    assert len(work) <= 10, work
