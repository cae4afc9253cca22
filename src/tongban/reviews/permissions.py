"""Who may see and work a rectification ticket, used by selectors, services and views alike.

* agency staff (officers, supervisors, administrators) for their agency's tickets;
* a centre's head for the tickets of their centre;
* city operators for the tickets the city handles itself and every escalated one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from tongban.identity.models import AGENCY_ROLES, StaffRole, StaffRoleKind
from tongban.reviews.models import Rectification, Responsible


def queue_filter(roles: Iterable[StaffRole]) -> Q | None:
    """The tickets ``roles`` may work, as a filter; ``None`` for none."""
    agencies = {role.agency_id for role in roles if role.role in AGENCY_ROLES and role.agency_id}
    centres = {
        role.service_centre_id for role in roles if role.role == StaffRoleKind.CENTRE_HEAD and role.service_centre_id
    }
    operator = any(role.role == StaffRoleKind.CITY_OPERATOR for role in roles)
    parts: list[Q] = []
    if agencies:
        parts.append(Q(agency_id__in=agencies))
    if centres:
        parts.append(Q(centre_id__in=centres))
    if operator:
        parts.append(Q(responsible=Responsible.CITY) | Q(escalated_at__isnull=False))
    if not parts:
        return None
    result = parts[0]
    for part in parts[1:]:
        result |= part
    return result


def may_work(roles: Iterable[StaffRole], rectification: Rectification) -> bool:
    roles = list(roles)
    for role in roles:
        if role.role in AGENCY_ROLES and role.agency_id and role.agency_id == rectification.agency_id:
            return True
        if role.role == StaffRoleKind.CENTRE_HEAD and role.service_centre_id == rectification.centre_id:
            return rectification.centre_id is not None
        if role.role == StaffRoleKind.CITY_OPERATOR and (
            rectification.responsible == Responsible.CITY or rectification.escalated_at is not None
        ):
            return True
    return False
