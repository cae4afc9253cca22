"""The queue's pure rules: call order at a window (transferred, started slots, walk-ins, early
appointments), scope, and the waiting-time estimate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tongban.service_centres.queue import (
    DEFAULT_SERVICE_MINUTES,
    Served,
    Waiting,
    WindowSpec,
    call_order,
    covers,
    estimate_wait,
    next_ticket,
    wait_minutes,
)

NOW = datetime(2031, 10, 6, 10, 0, tzinfo=UTC)
ANY = WindowSpec(id=1, scope="comprehensive")


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def test_appointments_of_a_started_slot_first_then_walk_ins_in_order_then_early_appointments() -> None:
    walk_in_1 = Waiting(id=1, issued_at=at(-30))
    walk_in_2 = Waiting(id=2, issued_at=at(-20))
    slot_now_late_issue = Waiting(id=3, issued_at=at(-5), slot_starts_at=at(0))
    slot_earlier = Waiting(id=4, issued_at=at(-1), slot_starts_at=at(-15))
    early = Waiting(id=5, issued_at=at(-40), slot_starts_at=at(30))
    order = call_order([walk_in_2, early, walk_in_1, slot_now_late_issue, slot_earlier], ANY, now=NOW)
    assert [t.id for t in order] == [4, 3, 1, 2, 5]


def test_a_ticket_transferred_to_this_window_comes_first_and_is_never_called_elsewhere() -> None:
    appointment = Waiting(id=1, issued_at=at(-30), slot_starts_at=at(-10))
    transferred = Waiting(id=2, issued_at=at(-5), for_window_id=1)
    elsewhere = Waiting(id=3, issued_at=at(-50), for_window_id=9)
    assert [t.id for t in call_order([appointment, transferred, elsewhere], ANY, now=NOW)] == [2, 1]
    other = WindowSpec(id=9, scope="comprehensive")
    assert next_ticket([appointment, transferred, elsewhere], other, now=NOW).id == 3


def test_a_window_calls_only_what_its_scope_covers_and_items_less_tickets_anywhere() -> None:
    services = WindowSpec(id=2, scope="services", service_ids=frozenset({10}))
    agencies = WindowSpec(id=3, scope="agencies", agency_ids=frozenset({7}))
    listed = Waiting(id=1, issued_at=at(-9), item_id=10, agency_id=8)
    of_agency = Waiting(id=2, issued_at=at(-8), item_id=11, agency_id=7)
    other = Waiting(id=3, issued_at=at(-7))
    assert covers(services, listed) and not covers(services, of_agency) and covers(services, other)
    assert covers(agencies, of_agency) and not covers(agencies, listed) and covers(agencies, other)
    assert [t.id for t in call_order([listed, of_agency, other], services, now=NOW)] == [1, 3]
    assert [t.id for t in call_order([listed, of_agency, other], agencies, now=NOW)] == [2, 3]
    assert next_ticket([], ANY, now=NOW) is None


def test_the_estimate_shares_the_queue_among_the_serving_windows_at_their_mean_service_time() -> None:
    recent = [
        Served(window_id=1, called_at=at(-20), finished_at=at(-14)),  # 6 minutes
        Served(window_id=2, called_at=at(-12), finished_at=at(-8)),  # 4 minutes
        Served(window_id=2, called_at=at(-3), finished_at=None),
        Served(window_id=3, called_at=at(-200), finished_at=at(-190)),  # too old
    ]
    assert estimate_wait(waiting=0, recent=recent, active_windows=5, now=NOW) == timedelta(0)
    assert estimate_wait(waiting=5, recent=recent, active_windows=5, now=NOW) == timedelta(minutes=15)  # 3 rounds × 5
    assert wait_minutes(estimate_wait(waiting=1, recent=[], active_windows=0, now=NOW)) == DEFAULT_SERVICE_MINUTES
    # nobody called yet this hour: the active windows share the queue
    assert estimate_wait(waiting=4, recent=[], active_windows=2, now=NOW) == timedelta(minutes=20)
    assert wait_minutes(timedelta(seconds=5)) == 1
