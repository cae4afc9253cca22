"""Writes about the delivery of a case's paper result, each in one transaction with its audit
event; the applicant's notice (ready for pickup, posted) goes out after commit (ADR 0040).

"Ready" means: the case is approved and the agency marked the paper result ready (or it was
posted, which implies it). Until then the applicant side may change its choice; after, not.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.audit.services import audit_record
from tongban.cases.models import Case
from tongban.cases.workflow import Status
from tongban.core import bilingual
from tongban.core.actors import Actor
from tongban.core.errors import ConflictError, NotFoundError
from tongban.core.validators import validate_plain_text
from tongban.identity import idnumbers
from tongban.identity.models import Account, Person, ServiceCentre
from tongban.notifications.services import message_send
from tongban.service_centres.delivery import policy
from tongban.service_centres.models import Delivery, DeliveryMethod, DeliveryStatus
from tongban.service_centres.selectors import centres_for_service

#: Case statuses in which no result will come: nothing to deliver.
NO_RESULT = frozenset({Status.NOT_ACCEPTED, Status.REJECTED, Status.WITHDRAWN, Status.CLOSED})
TRACKING_MAX = 40


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("version", "item", "firm").get(pk=case.pk)


def _locked_delivery(case: Case) -> Delivery | None:
    return Delivery.objects.select_for_update(of=("self",)).select_related("centre").filter(case=case).first()


def _text(value: str, field: str, *, required: bool, limit: int) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)d characters.") % {"limit": limit}})
    validate_plain_text(value)
    return value


@transaction.atomic
def delivery_choose(
    *,
    case: Case,
    person: Person,
    account: Account,
    method: str,
    centre: ServiceCentre | None = None,
    recipient: str = "",
    address: str = "",
    phone: str = "",
    now: datetime,
    actor: Actor,
) -> Delivery:
    """Choose (or change) how the paper result reaches the applicant: pickup at ``centre`` (one
    that handles the service) or post to ``address``. Refused once the result is ready."""
    case = _locked_case(case)
    authority = policy.require_applicant_side(person=person, case=case, now=now)
    if authority is not None:  # a firm's case: the trail names the firm and the power
        actor = actor.for_firm(authority.firm.uscc, authority.power.pk if authority.power else None)
    if not case.version.paper_result:
        raise ConflictError(_("This service's result is electronic: there is nothing to deliver."))
    if case.status in NO_RESULT:
        raise ConflictError(_("This case has no result to deliver."))
    delivery = _locked_delivery(case)
    if delivery is not None and delivery.status != DeliveryStatus.CHOSEN:
        raise ConflictError(_("The result is ready: its delivery can no longer be changed."))
    if method == DeliveryMethod.PICKUP:
        if centre is None or not centres_for_service(case.item).filter(pk=centre.pk).exists():
            raise ValidationError({"centre": _("Choose a service centre that handles this service.")})
        recipient = address = phone = ""
    elif method == DeliveryMethod.POST:
        centre = None
        recipient = _text(recipient, "recipient", required=True, limit=100)
        address = _text(address, "address", required=True, limit=300)
        phone = _text(phone, "phone", required=True, limit=30)
    else:
        raise ValidationError({"method": _("Choose pickup at a centre or delivery by post.")})
    before = {"method": delivery.method, "centre": delivery.centre.code if delivery.centre else ""} if delivery else {}
    delivery = delivery or Delivery(case=case)
    delivery.method, delivery.centre = method, centre
    delivery.recipient, delivery.address, delivery.phone = recipient, address, phone
    delivery.chosen_at, delivery.chosen_by = now, account
    delivery.save()
    audit_record(
        action="service_centres.delivery_chosen",
        actor=actor,
        object_type="case",
        object_id=case.number,
        # The address is personal data: the trail says that it changed, not what it is.
        data={"method": method, "centre": centre.code if centre else "", "before": before},
    )
    return delivery


def _notify(case: Case, delivery: Delivery, kind: str, now: datetime) -> None:
    account_id = case.applicant.account_id
    if account_id is None:
        return
    centre = delivery.centre
    tracking = delivery.tracking_number

    def render() -> tuple[str, str]:
        values = {
            "number": case.number,
            "service": bilingual.localized(case.version, "name"),
            "centre": bilingual.localized(centre, "name") if centre else "",
            "tracking": tracking,
        }
        if kind == "ready":
            return (
                _("Case %(number)s: your result is ready for pickup") % values,
                _(
                    "The result of “%(service)s” (case %(number)s) is ready at %(centre)s. Bring the identity "
                    "document of the applicant: the clerk checks it before handing it over."
                )
                % values,
            )
        return (
            _("Case %(number)s: your result is posted") % values,
            _("The result of “%(service)s” (case %(number)s) was posted. Tracking number: %(tracking)s.") % values,
        )

    def send() -> None:
        message_send(recipient=Account.objects.get(pk=account_id), render=render, now=now, case_number=case.number)

    transaction.on_commit(send)


@transaction.atomic
def delivery_mark_ready(*, case: Case, account: Account, now: datetime, actor: Actor) -> Delivery:
    """The agency marks the approved case's paper result ready: for pickup the applicant is told
    to come; for post it waits for dispatch. The choice is frozen from now on."""
    case = _locked_case(case)
    policy.require_case_staff(account=account, case=case)
    delivery = _locked_delivery(case)
    if delivery is None:
        raise ConflictError(_("The applicant has not chosen how to receive the result yet."))
    if case.status != Status.APPROVED:
        raise ConflictError(_("Only an approved case's result can be ready."))
    if delivery.status != DeliveryStatus.CHOSEN:
        raise ConflictError(_("The result is already marked ready."))
    delivery.status, delivery.ready_at = DeliveryStatus.READY, now
    delivery.save(update_fields=["status", "ready_at"])
    audit_record(
        action="service_centres.delivery_ready",
        actor=actor,
        object_type="case",
        object_id=case.number,
        data={"method": delivery.method, "centre": delivery.centre.code if delivery.centre else ""},
    )
    if delivery.method == DeliveryMethod.PICKUP:
        _notify(case, delivery, "ready", now)
    return delivery


@transaction.atomic
def delivery_dispatch(*, case: Case, account: Account, tracking_number: str, now: datetime, actor: Actor) -> Delivery:
    """Record that the result was posted, with its tracking number (shown to the applicant)."""
    case = _locked_case(case)
    delivery = _locked_delivery(case)
    if delivery is None:
        policy.require_case_staff(account=account, case=case)
        raise ConflictError(_("The applicant has not chosen how to receive the result yet."))
    role = policy.require_dispatcher(account=account, case=case, delivery=delivery)
    if delivery.method != DeliveryMethod.POST:
        raise ConflictError(_("The applicant chose pickup at a centre, not post."))
    if case.status != Status.APPROVED:
        raise ConflictError(_("Only an approved case's result can be posted."))
    if delivery.status not in (DeliveryStatus.CHOSEN, DeliveryStatus.READY):
        raise ConflictError(_("The result has already been posted."))
    tracking = "".join(tracking_number.split()).upper()
    if not tracking:
        raise ValidationError({"tracking_number": _("Enter the tracking number.")})
    if len(tracking) > TRACKING_MAX or not tracking.replace("-", "").isalnum() or not tracking.isascii():
        raise ValidationError({"tracking_number": _("A tracking number is letters, digits and hyphens.")})
    delivery.status, delivery.tracking_number = DeliveryStatus.DISPATCHED, tracking
    delivery.ready_at = delivery.ready_at or now
    delivery.dispatched_at, delivery.handled_by = now, account
    delivery.save(update_fields=["status", "tracking_number", "ready_at", "dispatched_at", "handled_by"])
    audit_record(
        action="service_centres.delivery_dispatched",
        actor=actor,
        object_type="case",
        object_id=case.number,
        data={"tracking_number": tracking, "by": role},
    )
    _notify(case, delivery, "dispatched", now)
    return delivery


def entitled_collectors(case: Case) -> set[int]:
    """Who may collect the result: the applicant; for a firm's case also its legal representative."""
    people = {case.applicant_id}
    if case.firm is not None:
        people.add(case.firm.legal_representative_id)
    return people


@transaction.atomic
def delivery_hand_over(*, case: Case, account: Account, id_number: str, now: datetime, actor: Actor) -> Delivery:
    """The chosen centre's clerk hands the ready result over after checking the collector's
    identity document: the typed number (normalised) must be the applicant's or, for a firm, its
    legal representative's (looked up by digest: numbers are encrypted)."""
    case = _locked_case(case)
    delivery = _locked_delivery(case)
    if delivery is None:
        raise NotFoundError(_("No such case among yours."))
    policy.require_pickup_clerk(account=account, delivery=delivery)
    if delivery.status == DeliveryStatus.HANDED_OVER:
        raise ConflictError(_("The result has already been handed over."))
    if delivery.status != DeliveryStatus.READY:
        raise ConflictError(_("The result is not ready yet."))
    typed = idnumbers.normalise(id_number)
    if not typed:
        raise ValidationError({"id_number": _("Type the number of the identity document shown.")})
    match = Person.objects.with_id_number(typed).filter(pk__in=entitled_collectors(case)).first()
    if match is None:
        raise ValidationError(
            {
                "id_number": _(
                    "This document is not the applicant's (or the firm's legal representative's): do not hand over."
                )
            }
        )
    delivery.status, delivery.handed_over_at, delivery.handled_by = DeliveryStatus.HANDED_OVER, now, account
    delivery.save(update_fields=["status", "handed_over_at", "handled_by"])
    audit_record(
        action="service_centres.delivery_handed_over",
        actor=actor,
        object_type="case",
        object_id=case.number,
        data={"centre": delivery.centre.code if delivery.centre else "", "collector": str(match.public_id)},
    )
    return delivery
