"""Writes of the queue at a centre: issuing tickets (by a clerk, at the kiosk, by phone or kiosk
from a booking code), calling the next one to a window, recalling, marking a no-show,
transferring, and finishing with the cases served (``Visit`` rows). Each in one transaction with
its audit event (ADR 0038).

Numbers: the next number of a (centre, day, letter) is the highest plus one, inserted in a
savepoint; when a concurrent issuer took it first, the unique constraint ``sc_ticket_number``
refuses the insert and the number is read again (no ``SELECT … FOR UPDATE``; the same on SQLite
and PostgreSQL). Status changes are conditional UPDATEs (``WHERE status = …``), so two clerks
clicking at once cannot both call the same ticket or finish it twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from tongban.audit.services import audit_record
from tongban.cases.models import Case
from tongban.catalogue.models import ServiceItem
from tongban.core.actors import Actor
from tongban.core.deadlines import local_date
from tongban.core.errors import ConflictError, NotFoundError
from tongban.identity.models import Account, Person, ServiceCentre
from tongban.service_centres import queue
from tongban.service_centres.models import (
    Appointment,
    AppointmentStatus,
    Ticket,
    TicketSource,
    TicketStatus,
    Visit,
    Window,
)
from tongban.service_centres.permissions import require_clerk_at
from tongban.service_centres.selectors import windows_for_service
from tongban.service_centres.ticket_selectors import waiting_tickets, window_spec

#: How often an issuer reads the next number again after losing it to a concurrent issuer.
NUMBER_ATTEMPTS = 20


def _number_taken(exc: IntegrityError) -> bool:
    text = str(exc)
    return "sc_ticket_number" in text or "service_centres_ticket.number" in text


def _insert_numbered(ticket: Ticket) -> Ticket:
    """Give ``ticket`` the next number of its centre, day and letter and insert it."""
    same = Ticket.objects.filter(centre_id=ticket.centre_id, day=ticket.day, letter=ticket.letter)
    for _attempt in range(NUMBER_ATTEMPTS):
        ticket.pk = None
        ticket.number = (same.aggregate(top=Max("number"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                ticket.save(force_insert=True)
        except IntegrityError as exc:
            if not _number_taken(exc):
                raise
            continue
        return ticket
    raise ConflictError(_("The centre is issuing many tickets at once; please try again."))  # pragma: no cover


def _audit(ticket: Ticket, action: str, actor: Actor, **data: object) -> None:
    audit_record(
        action=f"service_centres.ticket_{action}",
        actor=actor,
        object_type="ticket",
        object_id=ticket.pk,
        data={"label": ticket.label, "day": ticket.day.isoformat(), **data},
    )


@transaction.atomic
def ticket_issue(
    *,
    centre: ServiceCentre,
    source: str,
    item: ServiceItem | None = None,
    person: Person | None = None,
    clerk: Account | None = None,
    actor: Actor,
    now: datetime,
) -> Ticket:
    """A walk-in ticket (letter B) for ``item`` (``None``: another service, any window) at
    ``centre``: by a clerk of the centre (``source`` clerk, ``clerk`` given) or at the kiosk
    (anonymous)."""
    if source == TicketSource.CLERK:
        if clerk is None:
            raise ValidationError(_("A clerk issues this ticket."))
        require_clerk_at(account=clerk, centre_id=centre.pk)
    elif source != TicketSource.KIOSK:
        raise ValidationError(_("A ticket from a booking code is issued with the code."))
    if item is not None and not windows_for_service(item).filter(centre=centre).exists():
        raise ValidationError({"item": _("This centre does not handle this service.")})
    ticket = _insert_numbered(
        Ticket(
            centre=centre,
            day=local_date(now),
            letter=queue.WALK_IN_LETTER,
            source=source,
            item=item,
            person=person,
            clerk=None,
            issued_at=now,
        )
    )
    _audit(ticket, "issued", actor, centre=centre.code, source=source, item=item.code if item else "")
    return ticket


@transaction.atomic
def ticket_from_booking(
    *,
    centre: ServiceCentre,
    code: str,
    source: str,
    holder: Account | None = None,
    actor: Actor,
    now: datetime,
) -> Ticket:
    """An appointment ticket (letter A) from a booking code: at the appointment's centre, on its
    day, once. ``holder`` (the phone page) must be the appointment's person or whoever booked
    it; at the kiosk (``holder`` None) the code alone is enough. The appointment is marked
    arrived in the same transaction."""
    appointment = (
        Appointment.objects.filter(code=code.strip().upper()).select_related("item", "person").first()
        if code.strip()
        else None
    )
    unknown = ValidationError({"code": _("No booking at this centre has this code.")})
    if appointment is None or appointment.centre_id != centre.pk:
        raise unknown
    if holder is not None and holder.pk not in (appointment.person.account_id, appointment.booked_by_id):
        raise unknown
    if appointment.status == AppointmentStatus.CANCELLED:
        raise ValidationError({"code": _("This booking was cancelled.")})
    today = local_date(now)
    if local_date(appointment.starts_at) != today:
        raise ValidationError(
            {
                "code": _("This booking is for %(day)s: a ticket can be taken only on that day.")
                % {"day": local_date(appointment.starts_at).isoformat()}
            }
        )
    arrived = Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.ARRIVED
    )
    if not arrived or Ticket.objects.filter(appointment=appointment).exists():
        raise ValidationError({"code": _("A ticket was already taken with this booking code.")})
    ticket = _insert_numbered(
        Ticket(
            centre=centre,
            day=today,
            letter=queue.APPOINTMENT_LETTER,
            source=source,
            appointment=appointment,
            item=appointment.item,
            person=appointment.person,
            issued_at=now,
        )
    )
    _audit(ticket, "issued", actor, centre=centre.code, source=source, appointment=appointment.code)
    return ticket


def _window_of_clerk(window: Window, clerk: Account) -> Window:
    require_clerk_at(account=clerk, centre_id=window.centre_id)
    if not window.active:
        raise ConflictError(_("This window is closed."))
    return window


@transaction.atomic
def ticket_call_next(*, window: Window, clerk: Account, actor: Actor, now: datetime) -> Ticket | None:
    """Call the next ticket (``queue.call_order``) to ``window``; ``None`` when nobody waits for
    it. A window calls nobody while a ticket is still at it (finish, transfer or mark it first)."""
    _window_of_clerk(window, clerk)
    day = local_date(now)
    if Ticket.objects.filter(centre_id=window.centre_id, day=day, window=window, status=TicketStatus.CALLED).exists():
        raise ConflictError(_("A ticket is still at this window: finish it, transfer it or mark it as not come."))
    spec = window_spec(window)
    for candidate in queue.call_order(waiting_tickets(centre_id=window.centre_id, day=day), spec, now=now):
        taken = Ticket.objects.filter(pk=candidate.id, status=TicketStatus.WAITING).update(
            status=TicketStatus.CALLED,
            window=window,
            for_window=None,
            clerk=clerk,
            called_at=now,
            calls=F("calls") + 1,
        )
        if not taken:  # another window called it a moment ago
            continue
        Ticket.objects.filter(pk=candidate.id, first_called_at__isnull=True).update(first_called_at=now)
        ticket = Ticket.objects.select_related("item", "person").get(pk=candidate.id)
        _audit(ticket, "called", actor, window=window.number)
        return ticket
    return None


def _called_here(ticket: Ticket, clerk: Account) -> Ticket:
    require_clerk_at(account=clerk, centre_id=ticket.centre_id)
    if ticket.status != TicketStatus.CALLED:
        raise ConflictError(_("This ticket is not at a window."))
    return ticket


def _change(ticket: Ticket, **fields: object) -> None:
    """Change a called ticket, refusing if it changed meanwhile (another click, another window)."""
    if not Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.CALLED, calls=ticket.calls).update(**fields):
        raise ConflictError(_("This ticket changed meanwhile; reload the page."))
    ticket.refresh_from_db()


@transaction.atomic
def ticket_recall(*, ticket: Ticket, clerk: Account, actor: Actor, now: datetime) -> Ticket:
    """Call the ticket at the window again (it shows on the display again)."""
    _called_here(ticket, clerk)
    _change(ticket, called_at=now, calls=ticket.calls + 1)
    _audit(ticket, "recalled", actor, calls=ticket.calls)
    return ticket


@transaction.atomic
def ticket_no_show(*, ticket: Ticket, clerk: Account, actor: Actor, now: datetime) -> Ticket:
    """The visitor did not come to the window."""
    _called_here(ticket, clerk)
    _change(ticket, status=TicketStatus.NO_SHOW, finished_at=now)
    _audit(ticket, "no_show", actor)
    return ticket


@transaction.atomic
def ticket_transfer(*, ticket: Ticket, to_window: Window | None, clerk: Account, actor: Actor, now: datetime) -> Ticket:
    """Send the visitor on: to another active window of the centre (it calls them first), or
    back to the centre's queue (``to_window`` None), keeping the place their issue time gives."""
    _called_here(ticket, clerk)
    if to_window is not None:
        if to_window.centre_id != ticket.centre_id or not to_window.active:
            raise NotFoundError(_("No open window of this centre has this number."))
        if to_window.pk == ticket.window_id:
            raise ValidationError({"window": _("Choose another window.")})
    _change(ticket, status=TicketStatus.WAITING, for_window=to_window)
    _audit(ticket, "transferred", actor, to_window=to_window.number if to_window else "")
    return ticket


@transaction.atomic
def ticket_finish(*, ticket: Ticket, cases: Sequence[Case] = (), clerk: Account, actor: Actor, now: datetime) -> Ticket:
    """The visitor was served: record the finish time and a ``Visit`` on each case served. The
    cases must be the ticket's person's own (as applicant); a ticket without a person (a kiosk
    walk-in) takes the one applicant of the cases given as its person."""
    _called_here(ticket, clerk)
    applicants = {case.applicant_id for case in cases}
    person_id = ticket.person_id
    if cases:
        if person_id is None and len(applicants) == 1:
            person_id = next(iter(applicants))
        if applicants != {person_id}:
            raise ValidationError({"cases": _("Record only cases of the person served on this ticket.")})
    _change(ticket, status=TicketStatus.DONE, finished_at=now, person_id=person_id)
    # A case filed at this window already has its visit (intake.window_case_submit): once per ticket and case.
    Visit.objects.bulk_create((Visit(ticket=ticket, case=case, at=now) for case in cases), ignore_conflicts=True)
    _audit(ticket, "finished", actor, cases=sorted(case.number for case in cases))
    return ticket
