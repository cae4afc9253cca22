"""Template helpers of the back office: which sections of the menu the member of staff may use."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.identity.models import AGENCY_ROLES, StaffRoleKind
from tongban.identity.selectors import has_role

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_sections(context: dict[str, Any]) -> dict[str, bool]:
    """The menu shows only what the person's roles open (the views check again): agency staff work
    cases; agency staff and city operators see certificates; agency administrators and city
    operators edit the catalogue and see the dashboards; clerks verify people; city operators read
    the audit trail and edit the service centres."""
    request = context.get("request")
    roles = getattr(request, "staff_roles", ()) or ()
    operator = has_role(roles, StaffRoleKind.CITY_OPERATOR)
    agency = has_role(roles, *AGENCY_ROLES)
    return {
        "cases": agency,
        "certificates": agency or operator,
        "catalogue": operator or has_role(roles, StaffRoleKind.AGENCY_ADMIN),
        "verify": has_role(roles, StaffRoleKind.CLERK),
        "window": has_role(roles, StaffRoleKind.CLERK),
        "audit": operator,
        "centres": operator,
        "pickups": has_role(roles, StaffRoleKind.CLERK),
        "posts": has_role(roles, StaffRoleKind.CLERK),
        "dashboard": operator or has_role(roles, StaffRoleKind.AGENCY_ADMIN),
        "rectifications": operator or agency or has_role(roles, StaffRoleKind.CENTRE_HEAD),
    }
