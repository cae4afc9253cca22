"""Writes of reviews (好差评): rate, change a rating, re-rate once after an answer, and the
rectification ticket's steps (contact, answer, mark complex, escalate when overdue); the
anonymous page-helpfulness answer.

Each service is one transaction with its audit event; notices go through
``notifications.message_send`` (inbox row in the transaction, deliveries after commit).
Comments, contact notes and answers are plain text (``core.validators``), at most
:data:`rules.COMMENT_MAX_CHARS` characters, and are never published.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.cases.models import Case
from tongban.core.actors import Actor
from tongban.core.calendar import get_work_calendar
from tongban.core.db import insert_object
from tongban.core.deadlines import local_date
from tongban.core.errors import ConflictError, NotFoundError
from tongban.core.validators import validate_multiline_text
from tongban.identity.models import Account, StaffRole, StaffRoleKind
from tongban.identity.selectors import active_staff_roles
from tongban.notifications.services import message_send
from tongban.reviews import permissions, rules, selectors
from tongban.reviews.models import (
    Channel,
    PageHelpfulness,
    Rectification,
    RectificationStatus,
    Responsible,
    Review,
)
from tongban.service_centres.models import Appointment, Ticket

Rated = Case | Ticket | Appointment


def limits() -> rules.Limits:
    return rules.Limits(
        contact=int(settings.REVIEW_CONTACT_WORKDAYS),
        rectify=int(settings.REVIEW_RECTIFY_WORKDAYS),
        rectify_complex=int(settings.REVIEW_RECTIFY_COMPLEX_WORKDAYS),
    )


def _clean_text(value: str, field: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > rules.COMMENT_MAX_CHARS:
        raise ValidationError({field: _("Write at most %(max)d characters.") % {"max": rules.COMMENT_MAX_CHARS}})
    try:
        validate_multiline_text(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    return value


def _clean(level: object, reasons: list[str], comment: str) -> tuple[int, list[str], str]:
    errors: dict[str, Any] = {}
    clean_level = rules.clean_level(level)
    if clean_level is None:
        errors["level"] = _("Choose one of the five levels.")
    clean_reasons = rules.clean_reasons(list(reasons))
    if clean_reasons is None:
        errors["reasons"] = _("Choose reasons from the list.")
    try:
        comment = _clean_text(comment, "comment")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert clean_level is not None and clean_reasons is not None
    return clean_level, clean_reasons, comment


def _person_id(account: Account) -> int | None:
    person = getattr(account, "person", None)
    return person.pk if person is not None else None


def rateable(*, account: Account, target: Rated) -> bool:
    """Whether ``account`` may rate ``target`` now (it is theirs and decided, served or attended)."""
    person_id = _person_id(account)
    if isinstance(target, Case):
        return rules.is_owner(rater_person_id=person_id, owner_person_id=target.applicant_id) and rules.case_rateable(
            target.status
        )
    if isinstance(target, Ticket):
        return rules.is_owner(rater_person_id=person_id, owner_person_id=target.person_id) and rules.ticket_rateable(
            target.status
        )
    ticket = Ticket.objects.filter(appointment=target).values_list("status", flat=True).first()
    return rules.is_owner(rater_person_id=person_id, owner_person_id=target.person_id) and rules.appointment_rateable(
        target.status, ticket
    )


def _where(target: Rated) -> dict[str, Any]:
    if isinstance(target, Case):
        return {"channel": Channel.CASE, "case": target, "agency_id": target.agency_id, "item_id": target.item_id}
    if isinstance(target, Ticket):
        item_agency = target.item.agency_id if target.item_id and target.item else None
        return {
            "channel": Channel.TICKET,
            "ticket": target,
            "centre_id": target.centre_id,
            "item_id": target.item_id,
            "agency_id": item_agency,
        }
    return {
        "channel": Channel.APPOINTMENT,
        "appointment": target,
        "centre_id": target.centre_id,
        "item_id": target.item_id,
        "agency_id": target.item.agency_id,
    }


def _responsible(review: Review) -> tuple[str, dict[str, Any]]:
    """Who must answer a low rating: the case's agency; for a window visit or an appointment the
    centre's head when the centre has one; else the city operator."""
    if review.channel == Channel.CASE and review.agency_id:
        return Responsible.AGENCY, {"agency_id": review.agency_id}
    if (
        review.centre_id
        and StaffRole.objects.filter(
            role=StaffRoleKind.CENTRE_HEAD, service_centre_id=review.centre_id, revoked_at__isnull=True
        ).exists()
    ):
        return Responsible.CENTRE, {"centre_id": review.centre_id}
    return Responsible.CITY, {"centre_id": review.centre_id}


def _staff_accounts(rectification: Rectification) -> list[Account]:
    """The accounts told of a new or escalated ticket."""
    return selectors.responsible_accounts(rectification)


def _ticket_context(rectification: Rectification) -> dict[str, Any]:
    return {
        "ticket": rectification.pk,
        "contact_due_on": rectification.contact_due_on.isoformat(),
        "rectify_due_on": rectification.rectify_due_on.isoformat(),
    }


def _open_rectification(review: Review, *, actor: Actor, now: datetime) -> Rectification:
    responsible, scope = _responsible(review)
    due = rules.deadlines(opened_at=now, calendar=get_work_calendar(), limits=limits())
    rectification = Rectification.objects.create(
        review=review,
        responsible=responsible,
        opened_at=now,
        contact_due_on=due.contact_due_on,
        rectify_due_on=due.rectify_due_on,
        **scope,
    )
    audit_record(
        action="reviews.rectification_open",
        actor=actor,
        object_type="rectification",
        object_id=rectification.pk,
        data={"review": review.pk, "responsible": responsible, **_ticket_context(rectification)},
    )
    for account in _staff_accounts(rectification):
        message_send(
            recipient=account, event="reviews/rectification_opened", context=_ticket_context(rectification), now=now
        )
    return rectification


def review_submit(
    *,
    account: Account,
    target: Rated,
    level: object,
    reasons: list[str],
    comment: str,
    actor: Actor,
    now: datetime,
) -> Review:
    """Rate a decided case, a served ticket or an attended appointment, once. Levels 1-2 open a
    rectification ticket."""
    clean_level, clean_reasons, clean_comment = _clean(level, reasons, comment)
    if not rateable(account=account, target=target):
        raise NotFoundError(_("There is nothing of yours to rate here."))
    person_id = _person_id(account)
    assert person_id is not None
    try:
        with transaction.atomic():
            # One static INSERT (``core.db``: no signals on reviews): a rating is the most
            # frequent write after a submission.
            review = insert_object(
                Review(
                    person_id=person_id,
                    account=account,
                    level=clean_level,
                    reasons=clean_reasons,
                    comment=clean_comment,
                    created_at=now,
                    **_where(target),
                )
            )
            audit_record(
                action="reviews.submit",
                actor=actor,
                object_type="review",
                object_id=review.pk,
                data={"channel": review.channel, "level": clean_level, "reasons": clean_reasons},
            )
            if rules.opens_rectification(clean_level):
                _open_rectification(review, actor=actor, now=now)
    except IntegrityError as exc:
        raise ConflictError(_("You have already rated this.")) from exc
    return review


def _own(review: Review, account: Account) -> None:
    if review.account_id != account.pk:
        raise NotFoundError(_("There is nothing of yours to rate here."))


def review_edit(
    *,
    review: Review,
    account: Account,
    level: object,
    reasons: list[str],
    comment: str,
    actor: Actor,
    now: datetime,
) -> Review:
    """Change a rating within the edit window, while no rectification ticket was answered. A change
    down to level 1-2 opens a ticket if none exists."""
    clean_level, clean_reasons, clean_comment = _clean(level, reasons, comment)
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        _own(review, account)
        if not rules.editable(created_at=review.created_at, now=now, edit_days=int(settings.REVIEW_EDIT_DAYS)):
            raise ConflictError(_("This rating can no longer be changed."))
        rectification = Rectification.objects.filter(review=review).first()
        if rectification is not None and rectification.answered_at is not None:
            raise ConflictError(_("This rating can no longer be changed: it was answered."))
        before = review.level
        review.level = clean_level
        review.reasons = clean_reasons
        review.comment = clean_comment
        review.edited_at = now
        review.save(update_fields=["level", "reasons", "comment", "edited_at"])
        audit_record(
            action="reviews.edit",
            actor=actor,
            object_type="review",
            object_id=review.pk,
            data={"level_before": before, "level": clean_level, "reasons": clean_reasons},
        )
        if rectification is None and rules.opens_rectification(clean_level):
            _open_rectification(review, actor=actor, now=now)
    return review


def review_rerate(*, review: Review, account: Account, level: object, actor: Actor, now: datetime) -> Review:
    """Rate once more after the responsible answered the ticket; the first level is kept."""
    clean_level = rules.clean_level(level)
    if clean_level is None:
        raise ValidationError({"level": _("Choose one of the five levels.")})
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        _own(review, account)
        rectification = Rectification.objects.filter(review=review).first()
        if not rules.may_rerate(
            answered_at=rectification.answered_at if rectification else None, rerated_at=review.rerated_at
        ):
            raise ConflictError(_("You may rate again once, after the answer."))
        review.rerated_level = clean_level
        review.rerated_at = now
        review.save(update_fields=["rerated_level", "rerated_at"])
        audit_record(
            action="reviews.rerate",
            actor=actor,
            object_type="review",
            object_id=review.pk,
            data={"level": review.level, "rerated_level": clean_level},
        )
    return review


def _locked_for_staff(rectification: Rectification, account: Account) -> Rectification:
    locked = Rectification.objects.select_for_update().select_related("review").get(pk=rectification.pk)
    if not permissions.may_work(active_staff_roles(account=account), locked):
        raise NotFoundError(_("No such rectification ticket."))
    return locked


def rectification_contact(
    *, rectification: Rectification, account: Account, note: str, actor: Actor, now: datetime
) -> Rectification:
    """Record that the person was contacted, with a note of what was said."""
    clean_note = _clean_text(note, "note", required=True)
    with transaction.atomic():
        locked = _locked_for_staff(rectification, account)
        if locked.answered_at is not None:
            raise ConflictError(_("This ticket was already answered."))
        locked.contacted_at = now
        locked.contact_note = clean_note
        locked.status = RectificationStatus.CONTACTED
        locked.save(update_fields=["contacted_at", "contact_note", "status"])
        audit_record(
            action="reviews.rectification_contact",
            actor=actor,
            object_type="rectification",
            object_id=locked.pk,
            data={"on_time": local_date(now) <= locked.contact_due_on},
        )
    return locked


def rectification_mark_complex(
    *, rectification: Rectification, account: Account, actor: Actor, now: datetime
) -> Rectification:
    """Mark the ticket complex: the rectify deadline becomes the longer limit from the opening day."""
    with transaction.atomic():
        locked = _locked_for_staff(rectification, account)
        if locked.answered_at is not None or locked.complex:
            raise ConflictError(_("This ticket cannot be marked complex now."))
        due = rules.deadlines(
            opened_at=locked.opened_at, calendar=get_work_calendar(), limits=limits(), complex_case=True
        )
        locked.complex = True
        locked.rectify_due_on = due.rectify_due_on
        locked.save(update_fields=["complex", "rectify_due_on"])
        audit_record(
            action="reviews.rectification_complex",
            actor=actor,
            object_type="rectification",
            object_id=locked.pk,
            data={"rectify_due_on": locked.rectify_due_on.isoformat()},
        )
    return locked


def rectification_answer(
    *, rectification: Rectification, account: Account, answer: str, actor: Actor, now: datetime
) -> Rectification:
    """Record what was done: the ticket is rectified and the person is told (they see the answer in
    My space and may rate again once)."""
    clean_answer = _clean_text(answer, "answer", required=True)
    with transaction.atomic():
        locked = _locked_for_staff(rectification, account)
        if locked.answered_at is not None:
            raise ConflictError(_("This ticket was already answered."))
        locked.answered_at = now
        locked.answer = clean_answer
        locked.answered_by = account
        locked.answered_on_time = rules.answered_on_time(answered_at=now, rectify_due_on=locked.rectify_due_on)
        locked.status = RectificationStatus.RECTIFIED
        if locked.contacted_at is None:
            locked.contacted_at = now
        locked.save(
            update_fields=["answered_at", "answer", "answered_by", "answered_on_time", "status", "contacted_at"]
        )
        audit_record(
            action="reviews.rectification_answer",
            actor=actor,
            object_type="rectification",
            object_id=locked.pk,
            data={"on_time": locked.answered_on_time},
        )
        message_send(
            recipient=locked.review.account,
            event="reviews/rectification_answered",
            context={"review": locked.review_id},
            now=now,
        )
    return locked


def rectifications_escalate(*, now: datetime) -> int:
    """Escalate every overdue ticket not yet escalated to the city operators' queue; safe to run
    twice (an escalated ticket is skipped). Returns how many were escalated."""
    today = local_date(now)
    candidates = list(
        Rectification.objects.filter(answered_at__isnull=True, escalated_at__isnull=True)
        .filter(rectify_due_on__lt=today)
        .values_list("pk", flat=True)
        .union(
            Rectification.objects.filter(
                answered_at__isnull=True, escalated_at__isnull=True, contacted_at__isnull=True, contact_due_on__lt=today
            ).values_list("pk", flat=True)
        )
    )
    escalated = 0
    actor = Actor.system("reviews.escalate")
    for pk in sorted(candidates):
        with transaction.atomic():
            locked = Rectification.objects.select_for_update().filter(pk=pk, escalated_at__isnull=True).first()
            if locked is None or not rules.overdue(
                now=now,
                contact_due_on=locked.contact_due_on,
                rectify_due_on=locked.rectify_due_on,
                contacted_at=locked.contacted_at,
                answered_at=locked.answered_at,
            ):
                continue
            locked.escalated_at = now
            locked.save(update_fields=["escalated_at"])
            audit_record(
                action="reviews.rectification_escalate",
                actor=actor,
                object_type="rectification",
                object_id=locked.pk,
                data=_ticket_context(locked),
            )
            for account in _staff_accounts(locked):
                message_send(
                    recipient=account, event="reviews/rectification_escalated", context=_ticket_context(locked), now=now
                )
            escalated += 1
    return escalated


def helpfulness_record(*, path: str, helpful: bool, now: datetime) -> None:
    """Keep one anonymous answer: the path, yes or no, and the day. Nothing about who answered,
    so no audit event (it concerns no one)."""
    PageHelpfulness.objects.create(path=path[:200], helpful=helpful, on=local_date(now))
