"""The queue's services: numbering per letter, tickets from booking codes (right centre, right
day, once), call order at windows, recall, no-show, transfer, finish with Visits, audit, and
clerks kept to their own centre."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from tests.factories import PersonFactory, StaffRoleFactory
from tests.service_centres.queueworld import QueueWorld, make_queue_world
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, NotFoundError
from tongban.service_centres.models import AppointmentStatus, Ticket, TicketSource, TicketStatus, Visit
from tongban.service_centres.ticket_selectors import case_visits, centre_wait
from tongban.service_centres.ticket_services import (
    ticket_call_next,
    ticket_finish,
    ticket_from_booking,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_transfer,
)

pytestmark = pytest.mark.django_db
KIOSK = Actor.anonymous(ip="10.0.0.9")


@pytest.fixture
def qw(db) -> QueueWorld:
    return make_queue_world()


def walk_in(qw: QueueWorld, item=None, minutes: int = 0) -> Ticket:
    return ticket_issue(
        centre=qw.centre,
        source=TicketSource.KIOSK,
        item=item,
        actor=KIOSK,
        now=timezone.now() + timedelta(minutes=minutes),
    )


def test_numbers_run_per_letter_and_the_kiosk_refuses_a_service_the_centre_does_not_handle(qw: QueueWorld) -> None:
    assert [walk_in(qw).label, walk_in(qw, qw.item).label] == ["B001", "B002"]
    appointment = qw.appoint()
    ticket = ticket_from_booking(
        centre=qw.centre, code=appointment.code.lower(), source="kiosk", actor=KIOSK, now=timezone.now()
    )
    assert ticket.label == "A001" and ticket.person == appointment.person and ticket.item == qw.item
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.ARRIVED
    other = make_queue_world("other-permit")
    qw.comprehensive.active = False
    qw.comprehensive.save()
    with pytest.raises(ValidationError):
        walk_in(qw, other.item)
    assert AuditEvent.objects.filter(action="service_centres.ticket_issued").count() == 3


def test_a_clerk_issues_only_at_their_own_centre(qw: QueueWorld) -> None:
    ticket = ticket_issue(centre=qw.centre, source="clerk", clerk=qw.clerk, actor=qw.actor, now=timezone.now())
    assert ticket.source == "clerk"
    stranger = StaffRoleFactory.create(clerk=True).account
    with pytest.raises(NotFoundError):
        ticket_issue(centre=qw.centre, source="clerk", clerk=stranger, actor=qw.actor, now=timezone.now())


def test_a_booking_code_gives_one_ticket_on_its_day_at_its_centre_to_its_holder(qw: QueueWorld) -> None:
    now = timezone.now()
    tomorrow = qw.appoint(starts_at=now + timedelta(days=1))
    elsewhere = make_queue_world("else-permit").appoint()
    cancelled = qw.appoint()
    cancelled.status = AppointmentStatus.CANCELLED
    cancelled.save()
    for appointment in (tomorrow, elsewhere, cancelled):
        with pytest.raises(ValidationError):
            ticket_from_booking(centre=qw.centre, code=appointment.code, source="kiosk", actor=KIOSK, now=now)
    with pytest.raises(ValidationError):
        ticket_from_booking(centre=qw.centre, code="NOSUCH", source="kiosk", actor=KIOSK, now=now)
    mine = qw.appoint()
    with pytest.raises(ValidationError):  # the phone page: someone else's code
        ticket_from_booking(
            centre=qw.centre, code=mine.code, source="phone", holder=PersonFactory().account, actor=KIOSK, now=now
        )
    ticket = ticket_from_booking(
        centre=qw.centre, code=mine.code, source="phone", holder=mine.person.account, actor=KIOSK, now=now
    )
    assert ticket.source == "phone" and ticket.appointment == mine
    with pytest.raises(ValidationError, match="already"):
        ticket_from_booking(centre=qw.centre, code=mine.code, source="kiosk", actor=KIOSK, now=now)
    assert Ticket.objects.count() == 1


def test_call_order_scope_and_the_times_recorded(qw: QueueWorld) -> None:
    now = timezone.now()
    first_walk_in = walk_in(qw, qw.item, minutes=-10)
    anything = walk_in(qw, None, minutes=-9)
    holder = ticket_from_booking(
        centre=qw.centre,
        code=qw.appoint(starts_at=now - timedelta(minutes=1)).code,
        source="kiosk",
        actor=KIOSK,
        now=now - timedelta(minutes=2),
    )
    called = ticket_call_next(window=qw.single, clerk=qw.clerk, actor=qw.actor, now=now)
    assert called == holder and called.status == TicketStatus.CALLED and called.window == qw.single
    assert called.first_called_at == now and called.calls == 1 and called.clerk == qw.clerk
    with pytest.raises(ConflictError):  # one ticket at a window at a time
        ticket_call_next(window=qw.single, clerk=qw.clerk, actor=qw.actor, now=now)
    assert ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=now) == first_walk_in
    later = now + timedelta(minutes=4)
    recalled = ticket_recall(ticket=called, clerk=qw.clerk, actor=qw.actor, now=later)
    assert recalled.calls == 2 and recalled.called_at == later and recalled.first_called_at == now
    done = ticket_finish(ticket=recalled, clerk=qw.clerk, actor=qw.actor, now=later + timedelta(minutes=6))
    assert done.status == TicketStatus.DONE
    assert done.first_called_at - done.issued_at == timedelta(minutes=2)  # waiting time
    assert done.finished_at - done.called_at == timedelta(minutes=6)  # service time
    assert ticket_call_next(window=qw.single, clerk=qw.clerk, actor=qw.actor, now=later) == anything
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "service_centres.ticket_called",
        "service_centres.ticket_recalled",
        "service_centres.ticket_finished",
    } <= actions


def test_another_centres_clerk_can_neither_call_nor_act(qw: QueueWorld) -> None:
    walk_in(qw)
    stranger = StaffRoleFactory.create(clerk=True).account
    with pytest.raises(NotFoundError):
        ticket_call_next(window=qw.comprehensive, clerk=stranger, actor=qw.actor, now=timezone.now())
    ticket = ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=timezone.now())
    assert ticket is not None
    for act in (ticket_recall, ticket_no_show, ticket_finish):
        with pytest.raises(NotFoundError):
            act(ticket=ticket, clerk=stranger, actor=qw.actor, now=timezone.now())


def test_no_show_and_transfer_to_a_window_or_back_to_the_queue(qw: QueueWorld) -> None:
    now = timezone.now()
    first, second, third = walk_in(qw, minutes=-3), walk_in(qw, minutes=-2), walk_in(qw, minutes=-1)
    ticket = ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=now)
    assert ticket == first
    ticket_no_show(ticket=ticket, clerk=qw.clerk, actor=qw.actor, now=now)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NO_SHOW and ticket.finished_at == now
    with pytest.raises(ConflictError):
        ticket_finish(ticket=ticket, clerk=qw.clerk, actor=qw.actor, now=now)

    ticket = ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=now)
    assert ticket == second
    ticket_transfer(ticket=ticket, to_window=qw.single, clerk=qw.clerk, actor=qw.actor, now=now)
    assert ticket.status == TicketStatus.WAITING and ticket.for_window == qw.single
    # the comprehensive window skips it; the single window calls it before the older walk-in
    at_comprehensive = ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=now)
    assert at_comprehensive == third
    again = ticket_call_next(window=qw.single, clerk=qw.clerk, actor=qw.actor, now=now)
    assert again == second and again.calls == 2 and again.for_window is None
    ticket_transfer(ticket=again, to_window=None, clerk=qw.clerk, actor=qw.actor, now=now)
    assert again.status == TicketStatus.WAITING and again.for_window is None
    other_centre = make_queue_world("far-permit")
    ticket_finish(ticket=at_comprehensive, clerk=qw.clerk, actor=qw.actor, now=now)
    back = ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=now)
    assert back == second
    with pytest.raises(NotFoundError):
        ticket_transfer(ticket=back, to_window=other_centre.single, clerk=qw.clerk, actor=qw.actor, now=now)


def test_finishing_records_a_visit_on_each_case_of_the_person_served(qw: QueueWorld, world: World) -> None:
    case = world.submitted_case()
    now = timezone.now()
    engineer_ticket = ticket_from_booking(
        centre=qw.centre, code=qw.appoint(world.engineer).code, source="kiosk", actor=KIOSK, now=now
    )
    called = ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=now)
    assert called == engineer_ticket
    with pytest.raises(ValidationError):  # the HR manager's case, on the engineer's ticket
        ticket_finish(ticket=called, cases=[case], clerk=qw.clerk, actor=qw.actor, now=now)
    ticket_finish(ticket=called, clerk=qw.clerk, actor=qw.actor, now=now)
    assert case_visits(case) == 0

    kiosk = walk_in(qw)  # no person yet: the case served names them
    called = ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=now)
    assert called == kiosk
    ticket_finish(ticket=called, cases=[case], clerk=qw.clerk, actor=qw.actor, now=now + timedelta(minutes=5))
    kiosk.refresh_from_db()
    assert kiosk.person == world.hr and case_visits(case) == 1 and Visit.objects.get().ticket == kiosk
    event = AuditEvent.objects.filter(action="service_centres.ticket_finished").latest("pk")
    assert event.data["cases"] == [case.number]


def test_finishing_with_a_case_filed_at_this_window_keeps_its_one_visit(qw: QueueWorld, world: World) -> None:
    """A case submitted at the window already has its visit on the ticket; the clerk who also types
    its number when finishing records it once, not an error (found by the browser journey)."""
    case = world.submitted_case()
    now = timezone.now()
    walk_in(qw)
    called = ticket_call_next(window=qw.comprehensive, clerk=qw.clerk, actor=qw.actor, now=now)
    assert called is not None
    Visit.objects.create(ticket=called, case=case, at=now)  # as intake.window_case_submit records it
    ticket_finish(ticket=called, cases=[case], clerk=qw.clerk, actor=qw.actor, now=now + timedelta(minutes=5))
    called.refresh_from_db()
    assert called.status == "done" and case_visits(case) == 1


def test_the_centre_wait_counts_the_waiting_and_estimates_minutes(qw: QueueWorld) -> None:
    assert centre_wait(qw.centre, now=timezone.now()).waiting == 0
    for _n in range(3):
        walk_in(qw)
    wait = centre_wait(qw.centre, now=timezone.now())
    assert wait.waiting == 3 and wait.minutes == 20  # two active windows, 10 minutes each, two rounds


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_issuers_never_share_a_number() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")
    qw = make_queue_world()
    barrier = threading.Barrier(2)
    labels: list[str] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            barrier.wait()
            for _n in range(10):
                labels.append(walk_in(qw).label)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(labels) == [f"B{n:03d}" for n in range(1, 21)]
