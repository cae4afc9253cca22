"""Who may edit the catalogue: the catalogue's authorization rules in one place (ADR 0026).

The city's structure (topics, the work calendar) is the city operators' (``identity.permissions.
require_city_operator``, with the message ``CITY_ONLY``); an agency's services are its
administrators' and the city operators'.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import PermissionDeniedError
from tongban.core.policies import rule
from tongban.identity.models import Account, Agency, StaffRoleKind
from tongban.identity.permissions import Editor, is_installation
from tongban.identity.selectors import active_staff_roles, has_role

#: Why someone other than a city operator may not change the city-wide parts of the catalogue.
CITY_ONLY = _("Only city operators change this.")


@rule(
    question="May this account edit this agency's services (drafts, forms, materials, publication)?",
    who="A city operator; an administrator of that agency; the installation itself (loaders).",
    refusal="403",
)
def require_catalogue_editor(*, account: Editor, agency: Agency) -> None:
    """City operators edit every service; agency administrators their agency's; the installation
    itself (a system ``Actor``: demo loader, fixtures) too."""
    if is_installation(account):
        return
    if isinstance(account, Account):  # ``None`` no longer stands for the installation
        roles = active_staff_roles(account=account)
        if has_role(roles, StaffRoleKind.CITY_OPERATOR) or has_role(roles, StaffRoleKind.AGENCY_ADMIN, agency=agency):
            return
    raise PermissionDeniedError(_("Only city operators and this agency's administrators edit its services."))
