"""Booking, cancelling and moving appointments: places under the constraint, the per-person cap,
the horizon and lead time, no-show blocks, firm bookings under a power, links to drafts and cases,
notices only after commit, reminders once, and the personal-data export."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings

from tests.factories import FirmFactory, PersonFactory, PowerFactory
from tests.service_centres.appointment_world import ACTOR, NOW, TUESDAY_9, at, book, make_place
from tongban.core import personal_data
from tongban.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from tongban.identity.models import ServiceArea
from tongban.notifications.models import Message
from tongban.service_centres import appointment_rules as rules
from tongban.service_centres.appointments import (
    SlotTakenError,
    appointment_cancel,
    appointment_reschedule,
    appointments_mark_no_show,
    appointments_remind,
)
from tongban.service_centres.models import Appointment, AppointmentStatus

pytestmark = pytest.mark.django_db


def test_booking_takes_numbered_places_until_the_slot_is_full_then_offers_the_next_free() -> None:
    place = make_place(windows=2)
    first, second = book(place), book(place)
    assert (first.place, second.place) == (0, 1)
    assert first.code != second.code and len(first.code) == rules.CODE_LENGTH
    assert set(first.code) <= set(rules.CODE_ALPHABET)
    with pytest.raises(SlotTakenError) as taken:
        book(place)
    assert [slot.start for slot in taken.value.next_free] == [
        at(TUESDAY_9.date(), 9, 30),
        at(TUESDAY_9.date(), 10),
        at(TUESDAY_9.date(), 10, 30),
    ]
    assert Appointment.objects.filter(starts_at=TUESDAY_9).count() == 2


def test_the_constraint_refuses_a_second_holder_of_a_place_but_a_cancelled_one_frees_it() -> None:
    place = make_place(windows=1)
    held = book(place)
    duplicate = Appointment.objects.get(pk=held.pk)
    duplicate.pk, duplicate.code = None, "XXXXXXXX"
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)
    appointment_cancel(appointment=held, person=held.person, now=NOW, actor=ACTOR)
    again = book(place)
    assert again.place == 0


def test_slots_must_be_on_the_grid_open_within_the_horizon_and_after_the_lead_time() -> None:
    place = make_place()
    for wrong in (
        at(TUESDAY_9.date(), 9, 10),  # not on the 30-minute grid
        at(TUESDAY_9.date(), 12),  # closed
        at(date(2031, 10, 4), 9),  # Saturday
        at(NOW.date(), 8, 30),  # before opening today / within the lead time
        at(NOW.date() + timedelta(days=31), 9),  # beyond the 30-day horizon
    ):
        with pytest.raises(ValidationError):
            book(place, starts_at=wrong)
    with override_settings(APPOINTMENT_LEAD_MINUTES=90):
        with pytest.raises(ValidationError):
            book(place, starts_at=at(NOW.date(), 9))  # 08:00 + 90 min > 09:00
        assert book(place, starts_at=at(NOW.date(), 9, 30)).place == 0


def test_a_centre_without_a_window_for_the_service_cannot_be_booked() -> None:
    place = make_place(windows=0)
    with pytest.raises(ValidationError):
        book(place)


@override_settings(APPOINTMENT_MAX_FUTURE=2)
def test_a_person_holds_at_most_the_configured_number_of_future_appointments() -> None:
    place = make_place()
    person = PersonFactory()
    first = book(place, person, starts_at=at(TUESDAY_9.date(), 9))
    book(place, person, starts_at=at(TUESDAY_9.date(), 10))
    with pytest.raises(ValidationError, match="2 future appointments"):
        book(place, person, starts_at=at(TUESDAY_9.date(), 11))
    appointment_cancel(appointment=first, person=person, now=NOW, actor=ACTOR)
    assert book(place, person, starts_at=at(TUESDAY_9.date(), 11)).status == AppointmentStatus.BOOKED


def test_cancel_and_reschedule_are_the_holders_own_and_keep_the_code() -> None:
    place = make_place(windows=1)
    appointment = book(place)
    stranger = PersonFactory()
    with pytest.raises(NotFoundError):
        appointment_cancel(appointment=appointment, person=stranger, now=NOW, actor=ACTOR)
    with pytest.raises(NotFoundError):
        appointment_reschedule(
            appointment=appointment, person=stranger, starts_at=at(TUESDAY_9.date(), 10), now=NOW, actor=ACTOR
        )
    moved = appointment_reschedule(
        appointment=appointment, person=appointment.person, starts_at=at(TUESDAY_9.date(), 10), now=NOW, actor=ACTOR
    )
    assert moved.code == appointment.code and moved.starts_at == at(TUESDAY_9.date(), 10)
    assert book(place).starts_at == TUESDAY_9  # the old place is free again
    with pytest.raises(SlotTakenError) as taken:  # the new slot is full for a newcomer
        book(place, starts_at=at(TUESDAY_9.date(), 10))
    assert taken.value.next_free[0].start == at(TUESDAY_9.date(), 10, 30)
    cancelled = appointment_cancel(appointment=moved, person=moved.person, now=NOW, actor=ACTOR)
    assert cancelled.status == AppointmentStatus.CANCELLED
    with pytest.raises(ConflictError):
        appointment_cancel(appointment=moved, person=moved.person, now=NOW, actor=ACTOR)


def test_rescheduling_into_a_full_slot_keeps_the_old_place() -> None:
    place = make_place(windows=1)
    mine, other = book(place), book(place, starts_at=at(TUESDAY_9.date(), 10))
    with pytest.raises(SlotTakenError):
        appointment_reschedule(appointment=mine, person=mine.person, starts_at=other.starts_at, now=NOW, actor=ACTOR)
    mine.refresh_from_db()
    assert mine.status == AppointmentStatus.BOOKED and mine.starts_at == TUESDAY_9


def test_no_show_rule_is_pure_and_counts_only_recent_no_shows() -> None:
    ends = [NOW - timedelta(days=d) for d in (1, 10, 20)]
    until = rules.no_show_blocked_until(ends, now=NOW, limit=3, window_days=90, block_days=30)
    assert until == NOW - timedelta(days=1) + timedelta(days=30)
    assert rules.no_show_blocked_until(ends[:2], now=NOW, limit=3, window_days=90, block_days=30) is None
    old = [NOW - timedelta(days=d) for d in (100, 110, 120)]
    assert rules.no_show_blocked_until(old, now=NOW, limit=3, window_days=90, block_days=30) is None
    assert (
        rules.no_show_blocked_until(ends, now=NOW + timedelta(days=40), limit=3, window_days=90, block_days=30) is None
    )
    assert rules.no_show_blocked_until(ends, now=NOW, limit=0, window_days=90, block_days=30) is None


def test_no_shows_are_marked_by_the_job_and_block_booking_past_the_limit() -> None:
    place = make_place(windows=3)
    person = PersonFactory()
    missed = [book(place, person, starts_at=at(TUESDAY_9.date(), hour)) for hour in (9, 10, 11)]
    later = NOW + timedelta(days=2)
    assert appointments_mark_no_show(now=later, actor=ACTOR) == 3
    assert appointments_mark_no_show(now=later, actor=ACTOR) == 0
    assert set(Appointment.objects.filter(pk__in=[a.pk for a in missed]).values_list("status", flat=True)) == {
        "no_show"
    }
    from tongban.service_centres import appointments as module

    with pytest.raises(PermissionDeniedError) as refused:
        module.appointment_book(
            person=person,
            account=person.account,
            booking=module.Booking(centre=place.centre, item=place.item, starts_at=at(date(2031, 10, 6), 9)),
            language="en",
            now=later,
            actor=ACTOR,
        )
    assert refused.value.code == "no_show_block"


def test_a_firm_booking_needs_a_live_power_in_the_services_area() -> None:
    place = make_place()
    firm = FirmFactory()
    staff = PersonFactory()
    with pytest.raises(PermissionDeniedError):
        book(place, staff, firm=firm)
    PowerFactory(
        firm=firm,
        grantee=staff,
        area=ServiceArea.FOREIGN_STAFF,
        granted_at=NOW - timedelta(days=1),
        expires_at=NOW + timedelta(days=60),
    )
    appointment = book(place, staff, firm=firm)
    assert appointment.firm == firm and appointment.power is not None


def test_a_linked_draft_or_case_must_be_the_persons() -> None:
    from tongban.cases.models import Case

    place = make_place()
    other_case = Case(applicant=PersonFactory())
    other_case.pk = None
    with pytest.raises(NotFoundError):
        book(place, case=other_case)


def test_the_confirmation_is_in_the_inbox_and_its_email_waits_for_the_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    place = make_place()
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        appointment = book(place, person)
    assert len(callbacks) == 1  # the e-mail task is queued only when the booking commits
    message = Message.objects.get(recipient=person.account)
    assert appointment.code in message.body_en and appointment.code in message.body_zh
    assert "Appointment booked" in message.subject_en


def test_a_failed_booking_sends_nothing(django_capture_on_commit_callbacks: Any) -> None:
    place = make_place(windows=1)
    book(place)
    late = PersonFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(SlotTakenError):
        book(place, late)
    assert not callbacks and not Message.objects.filter(recipient=late.account).exists()


def test_reminders_go_once_for_tomorrows_appointments_only(django_capture_on_commit_callbacks: Any) -> None:
    place = make_place()
    tomorrow = book(place)  # Tuesday 09:00; now is Monday
    later = book(place, starts_at=at(date(2031, 10, 9), 9))
    before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=False):
        assert appointments_remind(now=NOW, actor=ACTOR) == 1
        assert appointments_remind(now=NOW, actor=ACTOR) == 0
    assert Message.objects.count() == before + 1
    tomorrow.refresh_from_db()
    later.refresh_from_db()
    assert tomorrow.reminded_at == NOW and later.reminded_at is None
    assert Message.objects.filter(subject_en__startswith="Reminder").count() == 1


def test_the_reminder_command_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    from tongban.service_centres.management.commands import appointment_reminders

    monkeypatch.setattr(appointment_reminders, "now", lambda: NOW)
    place = make_place()
    book(place)
    out = StringIO()
    call_command("appointment_reminders", stdout=out)
    call_command("appointment_reminders", stdout=out)
    assert "reminders sent: 1" in out.getvalue() and "reminders sent: 0" in out.getvalue()
    assert Message.objects.filter(subject_en__startswith="Reminder").count() == 1


def test_the_jobs_are_registered_on_the_scheduler() -> None:
    from tongban.core import schedule

    names = {job.name: job for job in schedule.jobs()}
    assert names["appointment_reminders"].daily_at is not None
    assert names["appointment_no_shows"].every == timedelta(hours=1)


def test_the_personal_data_export_lists_the_persons_appointments_only() -> None:
    place = make_place()
    mine = book(place)
    book(place)
    section = personal_data.export(mine.person, now=NOW)["sections"]["appointments"]
    assert [row["code"] for row in section] == [mine.code]
