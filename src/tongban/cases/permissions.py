"""Who may see and act on a case: the cases context's authorization rules in one place (ADR 0026),
used by the portal's and back office's views, ``cases.selectors`` and ``cases.services`` alike;
and ``all_rules`` (``core.policies.all_rules``), the table of every context's rules that
``manage.py authorization_doc`` writes into docs/authorization.md.

Staff: the officers of the case's office and the agency's supervisors (``cases.workflow`` says
which role may take which step). Applicants: the person who applied for herself; for a firm's
case, whoever holds a live power for the firm in the case's area (or is its legal
representative), on every request; the persons concerned read it.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case, CaseParty
from tongban.cases.workflow import Role
from tongban.core.errors import NotFoundError, PermissionDeniedError
from tongban.core.policies import all_rules, rule
from tongban.identity.models import Person, StaffRole, StaffRoleKind
from tongban.identity.permissions import acting_authority
from tongban.identity.selectors import Authority


@rule(
    question="Which workflow roles does this account have on this case (none: the case does not exist for it)?",
    who="Officer: an officer of the case's office. Supervisor: a supervisor or administrator of the case's agency.",
    refusal="404 (another office's or agency's case does not exist for them)",
)
def staff_roles_for_case(*, roles: list[StaffRole], case: Case) -> frozenset[Role]:
    """The workflow roles these staff roles give on ``case`` (empty: no access)."""
    result: set[Role] = set()
    for role in roles:
        if role.agency_id != case.agency_id:
            continue
        if role.role == StaffRoleKind.OFFICER and role.office_id == case.office_id:
            result.add(Role.OFFICER)
        if role.role in (StaffRoleKind.SUPERVISOR, StaffRoleKind.AGENCY_ADMIN):
            result.add(Role.SUPERVISOR)
    return frozenset(result)


@rule(
    question="May this person see this case in the portal, and act on it (withdraw, supply)?",
    who="Act: the applicant of her own case; for a firm's case the legal representative or a holder of a live "
    "power in the case's area (re-checked on every request). See only: a person the case concerns.",
    refusal="404",
)
def applicant_case_access(*, person: Person, case: Case, now: datetime) -> tuple[bool, Authority | None]:
    """(may act, the authority for a firm's case); NotFoundError if the person may not even see it.
    ``case.firm`` must be loaded for a firm's case."""
    if case.firm_id is not None:
        assert case.firm is not None
        try:
            return True, acting_authority(person=person, firm=case.firm, area=case.area, now=now)
        except PermissionDeniedError:
            pass
    elif case.applicant_id == person.pk:
        return True, None
    if not CaseParty.objects.filter(case=case, person=person).exists():
        raise NotFoundError(_("No such case among yours."))
    return False, None


__all__ = ["all_rules", "applicant_case_access", "staff_roles_for_case"]
