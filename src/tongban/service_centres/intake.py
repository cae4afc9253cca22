"""Writes for window intake (全市通办, 帮办; ADR 0039): a clerk identifies the visitor of the
ticket being served (and records the in-person check), looks at the visitor's drafts and cases —
every look, allowed or refused, written to the person's access log and the audit trail — and
files on the visitor's behalf through the same forms and cases services the portal uses, with
the clerk and centre recorded as the hand that entered it.

Each function is one transaction with its audit event. The rules themselves are in
``service_centres.permissions``.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import audit_record
from tongban.cases.models import Case
from tongban.cases.services import case_submit
from tongban.catalogue.models import ServiceVersion
from tongban.core.actors import Actor
from tongban.core.db import insert_objects
from tongban.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from tongban.exchange.services import window_look_record
from tongban.forms.models import Application
from tongban.forms.services import WindowHand, application_start
from tongban.identity import idnumbers
from tongban.identity.models import Account, Firm, Person, ServiceCentre, StaffRole, VerificationLevel
from tongban.identity.selectors import person_by_identifier
from tongban.identity.services import person_verify_in_person
from tongban.service_centres.models import Ticket, Visit
from tongban.service_centres.permissions import visitor_of, window_case_access, window_may_file, window_person_access


def hand_of(ticket: Ticket, clerk: Account) -> WindowHand:
    """The hand that enters applications on this visit."""
    return WindowHand(clerk=clerk, centre=ticket.centre, ticket=ticket.label)


def _require_visit(ticket: Ticket | None) -> Ticket:
    if ticket is None:
        raise PermissionDeniedError(_("Call the visitor's ticket first: a clerk works only on the visit being served."))
    return ticket


@transaction.atomic
def visitor_identify(
    *,
    clerk: Account,
    ticket: Ticket | None,
    id_number: str,
    nationality: str,
    document: str,
    checked: bool,
    actor: Actor,
    now: datetime,
) -> Person:
    """The clerk typed the number of the document the visitor shows (any form: full-width digits,
    spaces, hyphens) and compared the name: the person becomes the visit's person, and is
    recorded as verified in person if not yet. The number, not a person id, is what binds: a
    clerk cannot attach someone who is not in front of them without their document."""
    ticket = _require_visit(ticket)
    if not checked:
        raise ValidationError(
            {"checked": _("Confirm that you compared the original document and the face with the record.")}
        )
    number = idnumbers.normalise(id_number)
    person = person_by_identifier(id_number=number, nationality=nationality.upper() or None) if number else None
    if person is None:
        raise ValidationError({"id_number": _("No registered person has this document number.")})
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.person_id is not None and locked.person_id != person.pk:
        raise ConflictError(_("This ticket was issued for another person."))
    Ticket.objects.filter(pk=ticket.pk).update(person=person, identified_at=now)
    ticket.person, ticket.identified_at = person, now
    audit_record(
        action="service_centres.visitor_identified",
        actor=actor,
        object_type="ticket",
        object_id=ticket.pk,
        data={"ticket": ticket.label, "centre": ticket.centre.code, "person": person.pk},
    )
    if person.verification_level < VerificationLevel.IN_PERSON_VERIFIED:
        person = person_verify_in_person(person=person, clerk=clerk, document=document, actor=actor)
    return person


def window_look(
    *,
    roles: list[StaffRole],
    ticket: Ticket | None,
    person: Person,
    what: str,
    actor: Actor,
    now: datetime,
    purpose: str = "",
    reference: str = "",
) -> Ticket:
    """A clerk looks at the person's list of drafts and cases, one draft or one case: allowed only
    while serving the person (``window_person_access``). Either way the look is written to the
    person's access log and the audit trail, and a refusal commits before the NotFoundError."""
    refused: NotFoundError
    with transaction.atomic():
        try:
            served = window_person_access(roles=roles, ticket=ticket, person=person)
        except NotFoundError as exc:
            refused = exc
        else:
            _record_look(served.centre, person, what, purpose, reference, True, actor, now)
            return served
        centre = ticket.centre if ticket is not None else _centre_of(roles)
        if centre is not None:
            _record_look(centre, person, what, purpose, reference, False, actor, now)
        else:  # pragma: no cover - the back office's window pages are for clerks, who have a centre
            audit_record(
                action="service_centres.window_look_refused",
                actor=actor,
                object_type="person",
                object_id=person.pk,
                data={"what": what, "reference": reference},
            )
    raise refused


def window_case_look(
    *, roles: list[StaffRole], ticket: Ticket | None, case: Case, actor: Actor, now: datetime
) -> tuple[Ticket, Person]:
    """A clerk opens a case: allowed only if the visitor being served may see it online (her own,
    a firm's under her live power, or one that concerns her). The look is recorded for the visitor;
    a refused one for the case's applicant, whose case was asked for; then NotFoundError."""
    refused: NotFoundError
    with transaction.atomic():
        visitor = visitor_of(ticket) if ticket is not None else None
        try:
            if visitor is None:
                raise NotFoundError(_("You are not serving this person at a window now."))
            served = window_person_access(roles=roles, ticket=ticket, person=visitor)
            window_case_access(person=visitor, case=case, now=now)
        except NotFoundError as exc:
            refused = exc
        else:
            _record_look(served.centre, visitor, "case", case.item.code, case.number, True, actor, now)
            return served, visitor
        centre = ticket.centre if ticket is not None else _centre_of(roles)
        if centre is not None:
            _record_look(centre, case.applicant, "case", case.item.code, case.number, False, actor, now)
    raise refused


def _centre_of(roles: list[StaffRole]) -> ServiceCentre | None:
    return next((role.service_centre for role in roles if role.service_centre_id), None)


def _record_look(  # noqa: PLR0917 - private helper, named at its two call sites
    centre: ServiceCentre,
    person: Person,
    what: str,
    purpose: str,
    reference: str,
    allowed: bool,
    actor: Actor,
    now: datetime,
) -> None:
    log_id = window_look_record(
        person=person,
        centre=centre,
        what=what,
        purpose=purpose,
        reference=reference,
        allowed=allowed,
        actor=actor,
        now=now,
    )
    audit_record(
        action="service_centres.window_look" if allowed else "service_centres.window_look_refused",
        actor=actor,
        object_type="person",
        object_id=person.pk,
        data={"what": what, "reference": reference, "centre": centre.code, "access_log": log_id},
    )


@transaction.atomic
def window_application_start(
    *,
    clerk: Account,
    roles: list[StaffRole],
    ticket: Ticket | None,
    person: Person,
    version: ServiceVersion,
    firm: Firm | None,
    actor: Actor,
    now: datetime,
) -> Application:
    """Open a draft for the visitor at the window: the window's scope must take the service; a
    firm's application needs the visitor's live power (``application_start`` checks it as
    online). The clerk and centre are recorded as the hand that entered it."""
    served = window_person_access(roles=roles, ticket=_require_visit(ticket), person=person)
    window_may_file(ticket=served, item=version.item)
    return application_start(
        person=person, version=version, firm=firm, actor=actor, now=now, hand=hand_of(served, clerk)
    )


def window_case_submit(
    *,
    clerk: Account,
    roles: list[StaffRole],
    ticket: Ticket | None,
    person: Person,
    application: Application,
    confirmed: bool,
    office_id: int | None,
    actor: Actor,
    now: datetime,
) -> Case:
    """Submit the visitor's application at the window, once the visitor confirmed the contents
    (the clerk ticks it; the printed and signed receipt is scanned as a material where the service
    asks for one). The case is the same as online, channel ``window``; the visit is counted."""
    served = window_person_access(roles=roles, ticket=_require_visit(ticket), person=person)
    window_may_file(ticket=served, item=application.version.item)
    if not confirmed:
        raise ValidationError(
            {"confirmed": _("The applicant must confirm the contents before the application is submitted.")}
        )
    case = case_submit(
        application=application,
        person=person,
        actor=actor,
        now=now,
        office_id=office_id,
        hand=hand_of(served, clerk),
    )
    with transaction.atomic():
        insert_objects([Visit(ticket=served, case=case, at=now)], ignore_conflicts=True)
        audit_record(
            action="service_centres.visit_counted",
            actor=actor,
            object_type="case",
            object_id=case.number,
            data={"ticket": served.label, "centre": served.centre.code},
        )
    return case
