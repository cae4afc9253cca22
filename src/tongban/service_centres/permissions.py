"""Who may work a centre's queue: a clerk acts only at the windows of the centre their active
clerk role binds them to (ADR 0038). Used by the ticket services and the window screen alike."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tongban.core.errors import NotFoundError
from tongban.identity.models import Account, StaffRole, StaffRoleKind


def clerk_centre_ids(account: Account) -> set[int]:
    """The centres where ``account`` holds an active clerk role (one query)."""
    return set(
        StaffRole.objects.filter(
            account=account, role=StaffRoleKind.CLERK, revoked_at__isnull=True, service_centre__isnull=False
        ).values_list("service_centre_id", flat=True)
    )


def require_clerk_at(*, account: Account, centre_id: int) -> None:
    """Refuse (as not found: another centre's windows and tickets are not the clerk's to know)
    anyone who is not a clerk of this centre."""
    if centre_id not in clerk_centre_ids(account):
        raise NotFoundError(_("This window or ticket is not at your service centre."))
