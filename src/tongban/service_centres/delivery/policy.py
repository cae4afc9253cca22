"""Who may choose, dispatch or hand over a case's paper result: the delivery rules in one place,
used by the portal's and back office's views and by ``delivery.services`` alike (ADR 0040).

* Choose or change: the case's applicant side — the applicant of her own case; for a firm's case
  its legal representative or a holder of a live power in the case's area (``cases.permissions``).
* Mark ready, dispatch by post: the officers and supervisors of the case's agency (its office),
  or — for post — the clerks of a centre whose windows handle the service.
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
from tongban.service_centres.models import Delivery, DeliveryMethod
from tongban.service_centres.selectors import centres_for_service

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


def require_dispatcher(*, account: Account, case: Case, delivery: Delivery) -> str:
    """ "officer" or "clerk" for who may post the result or mark it ready; NotFoundError else."""
    roles = active_staff_roles(account=account)
    if is_case_staff(roles=roles, case=case):
        return "officer"
    centres = clerk_centres(roles)
    post = centres and delivery.method == DeliveryMethod.POST
    if post and centres_for_service(case.item).filter(pk__in=centres).exists():
        return "clerk"
    if centres and delivery.method == DeliveryMethod.PICKUP and delivery.centre_id in centres:
        return "clerk"
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
