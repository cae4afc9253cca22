"""Who may do what at a service-centre window: the service_centres context's authorization rules
(ADR 0026, ADR 0039), used by the back office's window pages and ``service_centres.intake`` alike.

A clerk works only on the visitor in front of them: the person of the ticket the clerk has called
and is serving now, at the clerk's own centre, today (the ticket's person, or the person of the
appointment the ticket was issued for). Nobody else's drafts or cases exist for the clerk (404),
and the refused look is logged. A clerk files for the visitor any service of any agency the
window's scope covers, with the visitor's own authority (for a firm: the visitor's live power,
checked as online), and never decides a case.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case
from tongban.cases.permissions import applicant_case_access
from tongban.catalogue.models import ServiceItem
from tongban.core.errors import NotFoundError, PermissionDeniedError
from tongban.core.policies import rule
from tongban.forms.models import Application
from tongban.forms.permissions import application_authority
from tongban.identity.models import Account, Person, StaffRole, StaffRoleKind
from tongban.identity.selectors import Authority
from tongban.service_centres.models import Ticket, WindowScope


def clerk_centre_ids(roles: list[StaffRole]) -> list[int]:
    """The centres the account is an active clerk of."""
    return [role.service_centre_id for role in roles if role.role == StaffRoleKind.CLERK and role.service_centre_id]


def visitor_of(ticket: Ticket) -> Person | None:
    """The person a ticket serves: its person, once a clerk has checked their document
    (``identified_at``). A booking code names a person but does not prove who came."""
    if ticket.person_id is not None and ticket.identified_at is not None:
        return ticket.person
    return None


def expected_visitor(ticket: Ticket) -> Person | None:
    """Whom the ticket names before anyone checked a document (the booking's person): a hint for
    the clerk, never an access."""
    if ticket.person_id is not None:
        return ticket.person
    if ticket.appointment_id is not None and ticket.appointment is not None:
        return ticket.appointment.person
    return None


@rule(
    question="May this clerk see and act on this person's drafts and cases at the window?",
    who="Only a service-centre clerk serving the person now: a ticket at the clerk's own centre, today, "
    "called by that clerk and not yet finished, whose person is this person, identified by the clerk from the "
    "document shown (a booking code alone is not enough).",
    refusal="404 (the person's drafts and cases do not exist for the clerk); the refused look is written to the "
    "person's access log and the audit trail",
)
def window_person_access(*, roles: list[StaffRole], ticket: Ticket | None, person: Person) -> Ticket:
    """The ticket on which the clerk serves ``person``, or NotFoundError."""
    if ticket is None or ticket.centre_id not in clerk_centre_ids(roles):
        raise NotFoundError(_("You are not serving this person at a window now."))
    visitor = visitor_of(ticket)
    if visitor is None or visitor.pk != person.pk:
        raise NotFoundError(_("You are not serving this person at a window now."))
    return ticket


@rule(
    question="May this window take an application for this service?",
    who="A window whose scope covers the service: comprehensive (综合窗口: any service of any agency), its "
    "agency among the window's agencies, or the service among the window's services. The ticket must have been "
    "called to an active window.",
    refusal="403 with the reason (the clerk sends the visitor to a window that handles it)",
)
def window_may_file(*, ticket: Ticket, item: ServiceItem) -> None:
    """PermissionDeniedError unless the ticket's window may take ``item``."""
    window = ticket.window
    if window is None or not window.active:
        raise PermissionDeniedError(_("This ticket was not called to a window: no application can be taken."))
    if window.scope == WindowScope.COMPREHENSIVE:
        return
    if window.scope == WindowScope.AGENCIES and window.agencies.filter(pk=item.agency_id).exists():
        return
    if window.scope == WindowScope.SERVICES and window.services.filter(pk=item.pk).exists():
        return
    raise PermissionDeniedError(
        _("Window %(window)s does not handle this service: send the visitor to a window that does.")
        % {"window": window.number}
    )


@rule(
    question="May the clerk serving this person open or change this draft, or see this case, on the person's behalf?",
    who="A draft: the person's own, or a firm's she holds a live power for in the service's area (checked as "
    "online). A case: the person may see it online (her own; a firm's under her live power; one that concerns "
    "her, read only). Clerks never decide a case: they have no workflow role (``cases.permissions."
    "staff_roles_for_case`` gives none), so the back office's case pages and actions are 404 for them.",
    refusal="404 for another person's draft or case; 403 once the firm's power is gone",
)
def window_application_authority(*, person: Person, application: Application, now: datetime) -> Authority | None:
    """The visitor's authority on her application (None: her own); as online."""
    return application_authority(person=person, application=application, now=now)


def window_case_access(*, person: Person, case: Case, now: datetime) -> tuple[bool, Authority | None]:
    """(the visitor may act on it, the firm authority) as online; NotFoundError if not hers."""
    return applicant_case_access(person=person, case=case, now=now)


def clerk_centre_ids_of(account: Account) -> set[int]:
    """The centres where ``account`` holds an active clerk role (one query; the queue's services,
    which get an account rather than its loaded roles)."""
    return set(
        StaffRole.objects.filter(
            account=account, role=StaffRoleKind.CLERK, revoked_at__isnull=True, service_centre__isnull=False
        ).values_list("service_centre_id", flat=True)
    )


@rule(
    question="May this account work this centre's queue (call, recall, transfer, finish tickets at its windows)?",
    who="A clerk whose active clerk role binds them to this centre (ADR 0038).",
    refusal="404 (another centre's windows and tickets are not the clerk's to know)",
)
def require_clerk_at(*, account: Account, centre_id: int) -> None:
    """Refuse anyone who is not a clerk of this centre."""
    if centre_id not in clerk_centre_ids_of(account):
        raise NotFoundError(_("This window or ticket is not at your service centre."))
