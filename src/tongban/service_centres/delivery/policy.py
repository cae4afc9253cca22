"""Who may choose, dispatch or hand over a case's paper result: the delivery rules in one place,
used by the portal's and back office's views and by ``delivery.services`` alike (ADR 0040).

* Choose or change: the case's applicant side — the applicant of her own case; for a firm's case
  its legal representative or a holder of a live power in the case's area (``cases.permissions``).
* Mark ready, dispatch by post: the officers and supervisors of the case's agency (its office).
* Dispatch by post, too: the clerks of a centre where the case was filed at a window
  (``Case.entered_at_centre``) or served on a ticket (a ``Visit``), once the agency marked the
  result ready (ADR 0040, addendum: the centre that took the papers in posts them back).
* Hand over at a centre: the clerks of the chosen centre.
Anyone else is told the case does not exist (404).
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case
from tongban.cases.permissions import applicant_case_access, staff_roles_for_case
from tongban.core.errors import NotFoundError
from tongban.identity.models import Account, Person, StaffRole, StaffRoleKind
from tongban.identity.selectors import Authority, active_staff_roles
from tongban.service_centres.models import Delivery, DeliveryMethod, DeliveryStatus, Visit

_NOT_FOUND = _("No such case among yours.")


def require_applicant_side(*, person: Person, case: Case, now: datetime) -> Authority | None:
    """The authority (for a firm's case) of a person who may choose the delivery; NotFoundError
    for anyone else, including a person the case only concerns."""
    may_act, authority = applicant_case_access(person=person, case=case, now=now)
    if not may_act:
        raise NotFoundError(_NOT_FOUND)
    return authority


def is_case_staff(*, roles: list[StaffRole], case: Case) -> bool:
    """An officer of the case's office or a supervisor of its agency."""
    return bool(staff_roles_for_case(roles=roles, case=case))


def clerk_centres(roles: list[StaffRole]) -> set[int]:
    return {role.service_centre_id for role in roles if role.role == StaffRoleKind.CLERK and role.service_centre_id}


def case_seen_at(*, case: Case, centres: set[int]) -> bool:
    """Whether ``case`` was filed at a window of one of ``centres`` or served on a ticket there."""
    if case.entered_at_centre_id in centres:
        return True
    return bool(centres) and Visit.objects.filter(case=case, ticket__centre_id__in=centres).exists()


def may_post_as_clerk(*, roles: list[StaffRole], case: Case, delivery: Delivery) -> bool:
    """A clerk of a centre where the case was filed or served, for a result by post that the
    agency marked ready."""
    if delivery.method != DeliveryMethod.POST or delivery.status != DeliveryStatus.READY:
        return False
    return case_seen_at(case=case, centres=clerk_centres(roles))


def require_dispatcher(*, account: Account, case: Case, delivery: Delivery) -> str:
    """ "officer" or "clerk" for who may post the result; NotFoundError else. A clerk of the
    chosen pickup centre is answered "clerk" too (the service then says it is not by post)."""
    roles = active_staff_roles(account=account)
    if is_case_staff(roles=roles, case=case):
        return "officer"
    if may_post_as_clerk(roles=roles, case=case, delivery=delivery):
        return "clerk"
    centres = clerk_centres(roles)
    if centres and delivery.method == DeliveryMethod.PICKUP and delivery.centre_id in centres:
        return "clerk"
    raise NotFoundError(_NOT_FOUND)


def require_post_clerk(*, account: Account, case: Case, delivery: Delivery) -> None:
    """A clerk who may post this result (``may_post_as_clerk``); NotFoundError for anyone else."""
    if not may_post_as_clerk(roles=active_staff_roles(account=account), case=case, delivery=delivery):
        raise NotFoundError(_NOT_FOUND)


def require_pickup_clerk(*, account: Account, delivery: Delivery) -> None:
    """A clerk of the centre the applicant chose for pickup; NotFoundError for anyone else."""
    if delivery.method != DeliveryMethod.PICKUP or delivery.centre_id not in clerk_centres(
        active_staff_roles(account=account)
    ):
        raise NotFoundError(_NOT_FOUND)


def require_case_staff(*, account: Account, case: Case) -> None:
    """An officer of the case's office or a supervisor of its agency (who marks the paper ready)."""
    if not is_case_staff(roles=active_staff_roles(account=account), case=case):
        raise NotFoundError(_NOT_FOUND)
