"""Review services: rating once per case and channel, who may rate, editing, rectification tickets
with their deadlines and steps, escalation, re-rating; every step audited and notified."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tests.factories import PersonFactory, StaffRoleFactory
from tests.reviews.conftest import centre_head, city_operator, served_ticket
from tests.world import World
from tongban.audit.models import AuditEvent
from tongban.cases.models import Case
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, NotFoundError
from tongban.identity.models import ServiceCentre
from tongban.notifications.models import Message
from tongban.reviews import services
from tongban.reviews.models import Rectification, Responsible, Review

ACTOR = Actor.system("tests")


def rate(case_or_ticket: Any, account: Any, level: int = 4, **kwargs: Any) -> Review:
    return services.review_submit(
        account=account,
        target=case_or_ticket,
        level=level,
        reasons=kwargs.pop("reasons", []),
        comment=kwargs.pop("comment", ""),
        actor=ACTOR,
        now=kwargs.pop("now", timezone.now()),
    )


def test_the_firm_staff_member_who_filed_rates_a_decided_case_once(world: World, decided_case: Case) -> None:
    review = rate(decided_case, world.hr.account, 5, reasons=["fast"])
    assert review.agency_id == decided_case.agency_id and review.item_id == decided_case.item_id
    assert AuditEvent.objects.filter(action="reviews.submit", object_id=str(review.pk)).exists()
    assert not Rectification.objects.exists()
    with pytest.raises(ConflictError):
        rate(decided_case, world.hr.account, 3)
    assert Review.objects.count() == 1


def test_only_the_owner_rates_and_only_once_decided(world: World) -> None:
    case = world.submitted_case()
    with pytest.raises(NotFoundError):
        rate(case, world.hr.account)  # not decided yet
    Case.objects.filter(pk=case.pk).update(status="rejected")
    case.refresh_from_db()
    with pytest.raises(NotFoundError):
        rate(case, PersonFactory().account)  # another person's case
    assert Review.objects.count() == 0


def test_bad_input_is_refused_with_field_errors(world: World, decided_case: Case) -> None:
    with pytest.raises(ValidationError) as caught:
        rate(decided_case, world.hr.account, 9, reasons=["nope"], comment="x" * 501)
    assert set(caught.value.message_dict) == {"level", "reasons", "comment"}


def test_a_very_dissatisfied_rating_opens_a_ticket_for_the_agency_with_working_day_deadlines(
    world: World, decided_case: Case
) -> None:
    review = rate(decided_case, world.hr.account, 1, reasons=["slow"], comment="<b>took ages</b>")
    ticket = Rectification.objects.get(review=review)
    assert ticket.responsible == Responsible.AGENCY and ticket.agency_id == decided_case.agency_id
    assert ticket.contact_due_on > timezone.localdate() - timedelta(days=1)
    assert ticket.rectify_due_on > ticket.contact_due_on
    assert AuditEvent.objects.filter(action="reviews.rectification_open", object_id=str(ticket.pk)).exists()
    # The agency's supervisor is told.
    assert Message.objects.filter(recipient=world.supervisor.account, event="reviews/rectification_opened").exists()


def test_a_level_three_rating_opens_no_ticket(world: World, decided_case: Case) -> None:
    rate(decided_case, world.hr.account, 3)
    assert not Rectification.objects.exists()


def test_a_served_ticket_is_rated_once_and_its_low_rating_goes_to_the_centre_head(
    centre: ServiceCentre,
) -> None:
    person = PersonFactory()
    head = centre_head(centre)
    ticket = served_ticket(centre=centre, person=person)
    review = rate(ticket, person.account, 2)
    rectification = Rectification.objects.get(review=review)
    assert rectification.responsible == Responsible.CENTRE and rectification.centre_id == centre.pk
    assert Message.objects.filter(recipient=head.account, event="reviews/rectification_opened").exists()
    with pytest.raises(ConflictError):
        rate(ticket, person.account, 2)
    waiting = served_ticket(centre=centre, person=person, number=2, status="waiting")
    with pytest.raises(NotFoundError):
        rate(waiting, person.account, 4)


def test_without_a_centre_head_the_city_operator_is_responsible(centre: ServiceCentre) -> None:
    person = PersonFactory()
    operator = city_operator()
    review = rate(served_ticket(centre=centre, person=person), person.account, 1)
    assert review.rectification.responsible == Responsible.CITY
    assert Message.objects.filter(recipient=operator.account).exists()


def test_editing_within_the_window_only(world: World, decided_case: Case, settings: Any) -> None:
    settings.REVIEW_EDIT_DAYS = 7
    given = timezone.now()
    review = rate(decided_case, world.hr.account, 4, now=given)
    services.review_edit(
        review=review,
        account=world.hr.account,
        level=2,
        reasons=[],
        comment="",
        actor=ACTOR,
        now=given + timedelta(days=6),
    )
    review.refresh_from_db()
    assert review.level == 2 and Rectification.objects.filter(review=review).exists()
    assert AuditEvent.objects.filter(action="reviews.edit").exists()
    with pytest.raises(ConflictError):
        services.review_edit(
            review=review,
            account=world.hr.account,
            level=5,
            reasons=[],
            comment="",
            actor=ACTOR,
            now=given + timedelta(days=8),
        )
    with pytest.raises(NotFoundError):
        services.review_edit(
            review=review,
            account=PersonFactory().account,
            level=5,
            reasons=[],
            comment="",
            actor=ACTOR,
            now=given,
        )


def test_contact_answer_and_rerate_once(world: World, decided_case: Case) -> None:
    review = rate(decided_case, world.hr.account, 1)
    ticket = review.rectification
    with pytest.raises(ConflictError):
        services.review_rerate(review=review, account=world.hr.account, level=4, actor=ACTOR, now=timezone.now())
    services.rectification_contact(
        rectification=ticket, account=world.officer.account, note="Called them.", actor=ACTOR, now=timezone.now()
    )
    services.rectification_mark_complex(
        rectification=ticket, account=world.officer.account, actor=ACTOR, now=timezone.now()
    )
    before = ticket.rectify_due_on
    ticket.refresh_from_db()
    assert ticket.complex and ticket.rectify_due_on > before
    services.rectification_answer(
        rectification=ticket,
        account=world.officer.account,
        answer="We fixed the form.",
        actor=ACTOR,
        now=timezone.now(),
    )
    ticket.refresh_from_db()
    assert ticket.status == "rectified" and ticket.answer == "We fixed the form."
    assert Message.objects.filter(recipient=world.hr.account, event="reviews/rectification_answered").exists()
    services.review_rerate(review=review, account=world.hr.account, level=4, actor=ACTOR, now=timezone.now())
    review.refresh_from_db()
    assert (review.level, review.rerated_level) == (1, 4)
    with pytest.raises(ConflictError):
        services.review_rerate(review=review, account=world.hr.account, level=5, actor=ACTOR, now=timezone.now())
    actions = set(AuditEvent.objects.filter(action__startswith="reviews.").values_list("action", flat=True))
    assert {
        "reviews.submit",
        "reviews.rectification_open",
        "reviews.rectification_contact",
        "reviews.rectification_complex",
        "reviews.rectification_answer",
        "reviews.rerate",
    } <= actions


def test_another_agencys_staff_cannot_work_the_ticket(world: World, decided_case: Case) -> None:
    review = rate(decided_case, world.hr.account, 2)
    stranger = StaffRoleFactory(supervisor=True)  # another agency
    with pytest.raises(NotFoundError):
        services.rectification_answer(
            rectification=review.rectification, account=stranger.account, answer="x", actor=ACTOR, now=timezone.now()
        )
    operator = city_operator()  # not escalated: not the operator's yet
    with pytest.raises(NotFoundError):
        services.rectification_contact(
            rectification=review.rectification, account=operator.account, note="x", actor=ACTOR, now=timezone.now()
        )


def test_overdue_tickets_escalate_once_to_the_city_operator(world: World, decided_case: Case) -> None:
    operator = city_operator()
    review = rate(decided_case, world.hr.account, 1)
    ticket = review.rectification
    assert services.rectifications_escalate(now=timezone.now()) == 0
    later = timezone.now() + timedelta(days=40)
    assert services.rectifications_escalate(now=later) == 1
    assert services.rectifications_escalate(now=later) == 0  # idempotent
    ticket.refresh_from_db()
    assert ticket.escalated_at is not None
    assert AuditEvent.objects.filter(action="reviews.rectification_escalate").count() == 1
    assert Message.objects.filter(recipient=operator.account, event="reviews/rectification_escalated").count() == 1
    # The operator may now work it.
    services.rectification_answer(
        rectification=ticket, account=operator.account, answer="Done.", actor=ACTOR, now=later
    )


def test_notices_are_delivered_after_commit_and_not_for_a_rollback(
    world: World, decided_case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    def rate_then_fail() -> None:
        with transaction.atomic():
            rate(decided_case, world.hr.account, 1)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rate_then_fail()
    assert not Review.objects.exists() and not Message.objects.filter(event__startswith="reviews/").exists()
    with django_capture_on_commit_callbacks() as callbacks:
        rate(decided_case, world.hr.account, 1)
    assert Message.objects.filter(event="reviews/rectification_opened").exists()
    assert callbacks  # the outside deliveries are queued for after the commit


def test_page_helpfulness_keeps_only_path_answer_and_day(db: object) -> None:
    services.helpfulness_record(path="/en/services/x/", helpful=True, now=timezone.now())
    from tongban.reviews.models import PageHelpfulness

    assert [f.name for f in PageHelpfulness._meta.get_fields()] == ["id", "path", "helpful", "on"]
