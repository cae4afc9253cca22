"""Rating a served window visit and an attended appointment (the same form and rules as a case),
linked from My appointments and listed in My ratings; another person's visit or appointment and
one not yet served are 404. The invitations: My cases beside a decided case not rated yet, the
decided-case notice (the applicant's only) and the clerk's window screen after "Finish" (the
address and its QR code)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from tests.cases.test_case_services import act
from tests.factories import PersonFactory
from tests.reviews.conftest import served_ticket
from tests.service_centres.queueworld import QueueWorld, make_queue_world
from tests.world import World
from tongban.cases.models import Case
from tongban.identity.models import Account, ServiceCentre
from tongban.notifications.models import Message
from tongban.reviews.models import Channel, Rectification, Review
from tongban.service_centres.models import AppointmentStatus, Ticket
from tongban.service_centres.ticket_services import ticket_from_booking

pytestmark = pytest.mark.django_db
Login = Callable[[Client, Account], None]


@pytest.fixture
def qw(db: object) -> QueueWorld:
    return make_queue_world()


def test_a_served_visit_is_rated_once_from_my_appointments_and_listed_in_my_ratings(
    client: Client, centre: ServiceCentre, login_person: Login
) -> None:
    person = PersonFactory()
    ticket = served_ticket(centre=centre, person=person)
    login_person(client, person.account)
    url = f"/en/my/visits/{ticket.pk}/rating/"
    mine = client.get("/en/my/appointments/").content.decode()
    assert url in mine and "Rate this visit" in mine
    assert "非常不满意" in client.get(f"/zh/my/visits/{ticket.pk}/rating/").content.decode()
    assert client.post(url, {"action": "rate", "level": "9", "comment": "kept"}).status_code == 400
    assert (
        client.post(url, {"action": "rate", "level": "2", "reasons": ["slow"], "comment": "Long wait"}).status_code
        == 302
    )
    review = Review.objects.get()
    assert (review.channel, review.ticket_id, review.centre_id, review.level) == (
        Channel.TICKET,
        ticket.pk,
        centre.pk,
        2,
    )
    assert Rectification.objects.filter(review=review).exists()  # a low rating goes back to someone
    # Editable within the window: the same form changes it, no second rating.
    assert client.post(url, {"action": "rate", "level": "3"}).status_code == 302
    assert Review.objects.get().level == 3 and Review.objects.count() == 1
    assert "Your rating" in client.get("/en/my/appointments/").content.decode()
    assert url in client.get("/en/my/ratings/").content.decode()


def test_another_persons_visit_and_an_unserved_one_are_not_found(
    client: Client, centre: ServiceCentre, login_person: Login
) -> None:
    owner = PersonFactory()
    served = served_ticket(centre=centre, person=owner)
    waiting = served_ticket(centre=centre, person=owner, number=2, status="waiting")
    login_person(client, PersonFactory().account)
    assert client.get(f"/en/my/visits/{served.pk}/rating/").status_code == 404
    assert client.post(f"/en/my/visits/{served.pk}/rating/", {"level": "5"}).status_code == 404
    login_person(client, owner.account)
    assert client.get(f"/en/my/visits/{waiting.pk}/rating/").status_code == 404
    assert client.get("/en/my/visits/999999/rating/").status_code == 404
    assert not Review.objects.exists()


def test_an_attended_appointment_is_rated_and_a_booked_one_is_not(
    client: Client, qw: QueueWorld, login_person: Login
) -> None:
    person = PersonFactory()
    attended = qw.appoint(person)
    attended.status = AppointmentStatus.ARRIVED
    attended.save(update_fields=["status"])
    booked = qw.appoint(person, starts_at=timezone.now().replace(second=0, microsecond=0) + timezone.timedelta(days=2))
    login_person(client, person.account)
    url = f"/en/my/appointments/{attended.code}/rating/"
    mine = client.get("/en/my/appointments/").content.decode()
    assert url in mine and "Rate this appointment" in mine
    assert f"/en/my/appointments/{booked.code}/rating/" not in mine
    assert client.get(f"/en/my/appointments/{booked.code}/rating/").status_code == 404
    assert client.post(url, {"action": "rate", "level": "5", "reasons": ["helpful_staff"]}).status_code == 302
    review = Review.objects.get()
    assert (review.channel, review.appointment_id, review.level) == (Channel.APPOINTMENT, attended.pk, 5)
    assert not Rectification.objects.exists()
    assert url in client.get("/en/my/ratings/").content.decode()
    login_person(client, PersonFactory().account)
    assert client.get(url).status_code == 404


def test_my_cases_invites_a_rating_of_a_decided_case_until_it_is_rated(
    client: Client, world: World, decided_case: Case, login_person: Login
) -> None:
    login_person(client, world.hr.account)
    url = f"/en/my/cases/{decided_case.number}/rating/"
    page = client.get("/en/my/cases/").content.decode()
    assert url in page and "Rate this service" in page
    client.post(url, {"action": "rate", "level": "4"})
    assert url not in client.get("/en/my/cases/").content.decode()


def test_the_decision_notice_invites_the_applicant_only_to_rate(
    client: Client, world: World, login_person: Login
) -> None:
    case = world.submitted_case()
    act(world, case, "accept")
    act(world, case, "start_review")
    act(world, case, "propose_approval", reason="Complete")
    act(world, case, "approve", who="supervisor")
    applicant = Message.objects.get(recipient=world.hr.account, event="case/approve")
    assert f"/en/my/cases/{case.number}/rating/" in applicant.body_en
    assert f"/zh/my/cases/{case.number}/rating/" in applicant.body_zh
    assert applicant.body_en.startswith("Your application")
    assert world.engineer.account is not None
    party = Message.objects.get(recipient=world.engineer.account, event="case/approve")
    assert "/rating/" not in party.body_en
    login_person(client, world.hr.account)
    shown = client.get(f"/en/my/messages/{applicant.pk}/").content.decode()
    assert 'href="http://' in shown and f"/en/my/cases/{case.number}/rating/</a>" in shown  # a link to follow
    submitted = Message.objects.filter(recipient=world.hr.account, event="case/submit").first()
    assert submitted is None or "/rating/" not in submitted.body_en


def test_the_window_screen_shows_the_rating_invitation_after_finish(
    client: Client, qw: QueueWorld, world: World, login_staff: Login
) -> None:
    appointment = qw.appoint(world.hr)
    appointment.language = "en"
    appointment.save(update_fields=["language"])
    ticket_from_booking(centre=qw.centre, code=appointment.code, source="kiosk", actor=qw.actor, now=timezone.now())
    login_staff(client, qw.clerk)
    window = {"window": qw.comprehensive.pk}
    client.post("/en/backoffice/window/", {**window, "action": "call"})
    ticket = Ticket.objects.get()
    done = client.post("/en/backoffice/window/", {**window, "action": "finish", "ticket": ticket.pk})
    page = client.get(done["Location"]).content.decode()
    assert f"/en/my/visits/{ticket.pk}/rating/" in page and "<svg" in page
    assert "Ask the visitor of A001 to rate this visit" in page
    again = client.get(done["Location"]).content.decode()  # shown once
    assert "/rating/" not in again
    # A walk-in without a person is not invited.
    client.post("/en/backoffice/window/", {**window, "action": "issue"})
    client.post("/en/backoffice/window/", {**window, "action": "call"})
    walk_in = Ticket.objects.exclude(pk=ticket.pk).get()
    done = client.post("/en/backoffice/window/", {**window, "action": "finish", "ticket": walk_in.pk})
    assert "/rating/" not in client.get(done["Location"]).content.decode()
