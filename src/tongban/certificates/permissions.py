"""Who may see, download, share and revoke a certificate: the certificates context's
authorization rules in one place (ADR 0026), used by the portal's and back office's views,
``certificates.selectors`` and ``certificates.services`` alike.

A certificate follows the area rules of the case that made it: a firm's staff see a certificate
of the firm (held by it, or issued on its application) only while they hold a live power in its
area. Revocation belongs to the issuing office: its officers and the agency's supervisors; where
the service issued under four eyes, an officer (or supervisor) proposes and another supervisor
confirms.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q

from tongban.certificates.models import Certificate
from tongban.core.policies import rule
from tongban.identity.models import AGENCY_ROLES, Firm, Person, StaffRole, StaffRoleKind
from tongban.identity.selectors import active_powers, has_role

#: Agency-wide roles: they work across the agency's offices.
_AGENCY_WIDE = (StaffRoleKind.SUPERVISOR, StaffRoleKind.AGENCY_ADMIN)


@rule(
    question="May this person see, download or share this certificate (portal)?",
    who="Its holder; for a firm's certificate (held by the firm or issued on its application) the legal "
    "representative, or a holder of a live power for the firm in the certificate's area (any live power "
    "for a firm certificate issued outside a case).",
    refusal="404, the same as for a number that names nothing",
)
def may_view(*, person: Person, certificate: Certificate, now: datetime) -> bool:
    """Whether ``person`` may see ``certificate`` now (the power read live)."""
    if certificate.holder_person_id == person.pk:
        return True
    firm_id = certificate.holder_firm_id or certificate.applicant_firm_id
    if firm_id is None:
        return False
    if Firm.objects.filter(pk=firm_id, legal_representative=person).exists():
        return True
    powers = active_powers(now).filter(grantee=person, firm_id=firm_id)
    if certificate.area:
        powers = powers.filter(area=certificate.area)
    return powers.exists()


def _in_issuing_office(role: StaffRole, certificate: Certificate) -> bool:
    if role.agency_id != certificate.agency_id:
        return False
    if role.role in _AGENCY_WIDE:
        return role.office_id is None or role.office_id == certificate.office_id
    return (
        role.role == StaffRoleKind.OFFICER
        and certificate.office_id is not None
        and role.office_id == certificate.office_id
    )


@rule(
    question="May this account open an issued certificate in the back office (the holder, every field)?",
    who="Staff of the issuing office (its officers; the agency's supervisors and administrators); city operators.",
    refusal="404, the same as for a number that names nothing",
)
def may_open_issued(*, roles: Iterable[StaffRole], certificate: Certificate) -> bool:
    roles = list(roles)
    return has_role(roles, StaffRoleKind.CITY_OPERATOR) or any(_in_issuing_office(r, certificate) for r in roles)


@rule(
    question="May this account revoke (or, under four eyes, propose to revoke) this certificate?",
    who="Staff of the issuing office only: its officers, the agency's supervisors and administrators. Not "
    "another office of the same agency, not a city operator.",
    refusal="403",
)
def may_revoke(*, roles: Iterable[StaffRole], certificate: Certificate) -> bool:
    return any(_in_issuing_office(r, certificate) for r in roles)


@rule(
    question="May this account confirm a proposed revocation (four eyes)?",
    who="A supervisor or administrator of the issuing agency (agency-wide or of the issuing office) "
    "who did not propose it.",
    refusal="403",
)
def may_confirm_revocation(*, roles: Iterable[StaffRole], certificate: Certificate, account_id: int) -> bool:
    if certificate.revocation_proposed_by_id == account_id:
        return False
    return any(r.role in _AGENCY_WIDE and _in_issuing_office(r, certificate) for r in roles)


def issued_scope(roles: Iterable[StaffRole]) -> Q | None:
    """The certificates the back office lists for these roles (the same rule as
    ``may_open_issued``, as a filter): everything for a city operator, an agency-wide role's
    agency, an officer's office; None: no agency role at all."""
    roles = list(roles)
    if has_role(roles, StaffRoleKind.CITY_OPERATOR):
        return Q()
    scope = Q(pk__in=[])
    found = False
    for role in roles:
        if role.role in _AGENCY_WIDE and role.agency_id:
            found = True
            scope |= (
                Q(agency_id=role.agency_id)
                if role.office_id is None
                else Q(agency_id=role.agency_id, office_id__in=[role.office_id, None])
            )
        elif role.role in AGENCY_ROLES and role.agency_id and role.office_id:
            found = True
            scope |= Q(agency_id=role.agency_id, office_id=role.office_id)
    return scope if found else None
