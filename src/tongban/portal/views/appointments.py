"""Booking an appointment at a service centre, and "My appointments": choose the service and the
centre (GET forms), then a free time from the list of the next days (radio buttons: no
JavaScript), optionally for a firm and about a draft or a case; the confirmation with the booking
code and its QR code; cancel and move; past appointments and served window visits with their
rating links (reviews). When the chosen time was just taken, the page says so,
keeps what was filled in and offers the next free times. Booking posts are throttled per account
and per client address (``appointment.account``, ``appointment.client``). A person never sees
another's appointment (404)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongban.cases.models import Case
from tongban.catalogue.models import ServiceItem
from tongban.core import ratelimit
from tongban.core.bilingual import localized
from tongban.core.calendar import get_work_calendar
from tongban.core.clock import now
from tongban.core.errors import NotFoundError
from tongban.core.forms import TongbanForm
from tongban.core.qr import qr_svg
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.forms.models import Application
from tongban.identity.models import Firm, ServiceCentre
from tongban.identity.requests import PersonRequest
from tongban.identity.selectors import firms_of_person
from tongban.portal.decorators import person_required
from tongban.reviews.selectors import rated_among, served_visits_of
from tongban.service_centres import appointment_rules as rules
from tongban.service_centres.models import Appointment, AppointmentStatus
from tongban.service_centres.selectors import (
    appointment_of_person,
    appointments_of_person,
    centre_handles,
    centres_for_service,
    free_slots,
    linkable_for,
)
from tongban.service_centres.services import (
    Booking,
    SlotTakenError,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from tongban.service_centres.slots import Slot

#: Days of free times one page lists.
DAYS_SHOWN = 7


@dataclass(frozen=True)
class DaySlots:
    day: date
    slots: list[Slot]


class SlotForm(TongbanForm):
    """The chosen time (its start, ISO 8601), checked again by the service."""

    starts_at = forms.CharField(label=gettext_lazy("Time"), max_length=40)

    def clean_starts_at(self) -> datetime:
        value = parse_datetime(self.cleaned_data["starts_at"])
        if value is None or value.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the times offered."))
        return value


class BookingForm(SlotForm):
    """What the booking page posts besides the time: for whom, and about what."""

    firm = forms.CharField(label=gettext_lazy("Book for"), required=False, max_length=18)
    link = forms.CharField(label=gettext_lazy("About"), required=False, max_length=64)


def _item(code: str) -> ServiceItem | None:
    if not code:
        return None
    return (
        ServiceItem.objects.filter(code=code, published_version__isnull=False)
        .select_related("published_version")
        .first()
    )


def _days(request: PersonRequest, today: date) -> tuple[date, date]:
    """The days listed: from ``?from=`` (not before today, not past the horizon) for a week."""
    last_bookable = today + timedelta(days=settings.APPOINTMENT_HORIZON_DAYS)
    first = parse_date(request.GET.get("from", "") or "") or today
    first = min(max(first, today), last_bookable)
    return first, min(first + timedelta(days=DAYS_SHOWN - 1), last_bookable)


def _by_day(slots: list[Slot]) -> list[DaySlots]:
    days: dict[date, list[Slot]] = {}
    for slot in slots:
        if slot.free:
            days.setdefault(timezone.localtime(slot.start).date(), []).append(slot)
    return [DaySlots(day=day, slots=found) for day, found in days.items()]


def _link(person_link: str, *, person: Any) -> tuple[Application | None, Case | None]:
    """``draft:<uuid>`` or ``case:<number>`` as the person's draft or case (the service checks
    they are the person's and of the same firm); anything else links nothing."""
    kind, _sep, value = person_link.partition(":")
    if kind == "draft" and value:
        application = Application.objects.filter(public_id=value, person=person).first() if _is_uuid(value) else None
        if application is None:
            raise NotFoundError(_("No such draft."))
        return application, None
    if kind == "case" and value:
        case = Case.objects.filter(number=value, applicant=person).first()
        if case is None:
            raise NotFoundError(_("No such case."))
        return None, case
    return None, None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _throttle(request: PersonRequest) -> None:
    ratelimit.enforce(request, "appointment.client")
    ratelimit.enforce(request, "appointment.account", key=f"account:{request.user.pk}")


@person_required
def book(request: PersonRequest) -> HttpResponse:
    """``?service=`` and ``?centre=`` choose what and where (each a GET form when missing); then
    the free times of a week (``?from=``), and the POST books one."""
    moment = now()
    person = request.person
    item = _item(request.GET.get("service", "") or request.POST.get("service", ""))
    centre_code = request.GET.get("centre", "") or request.POST.get("centre", "")
    centre = ServiceCentre.objects.filter(code=centre_code).first() if centre_code else None
    context: dict[str, Any] = {"nav": "my", "item": item, "centre": centre}
    if item is None:
        if centre is None:  # nothing chosen yet: the centres, each with its booking link
            return redirect("portal:centres")
        handles = centre_handles(centre)
        services = ServiceItem.objects.filter(published_version__isnull=False).select_related("published_version")
        if not handles.everything:
            services = services.filter(agency__in=handles.agencies) | services.filter(
                pk__in=[s.pk for s in handles.services]
            )
        context["services"] = list(services.order_by("code")[:500])
        return render(request, "portal/appointment_book.html", context)
    # A posted centre is checked by the booking itself (its windows for the service): no query here.
    posted = request.method == "POST" and centre is not None
    centres = [] if posted else list(centres_for_service(item))
    if centre is None or (not posted and centre.pk not in {c.pk for c in centres}):
        context["centres"] = centres
        context["centre"] = None
        return render(request, "portal/appointment_book.html", context)
    form = BookingForm(request.POST or None)
    taken: list[Slot] = []
    if request.method == "POST":
        _throttle(request)
        if form.is_valid():
            with domain_errors(request, form) as done:
                try:
                    firm = None
                    if form.cleaned_data["firm"]:
                        firm = Firm.objects.filter(uscc=form.cleaned_data["firm"]).first()
                        if firm is None:
                            raise NotFoundError(_("No such firm."))
                    application, case = _link(form.cleaned_data["link"], person=person)
                    appointment = appointment_book(
                        person=person,
                        account=request.user,
                        booking=Booking(
                            centre=centre,
                            item=item,
                            starts_at=form.cleaned_data["starts_at"],
                            firm=firm,
                            application=application,
                            case=case,
                        ),
                        language=translation.get_language() or settings.LANGUAGE_CODE,
                        now=moment,
                        actor=actor_from_request(request),
                    )
                except SlotTakenError as error:
                    taken = error.next_free
                    raise
            if done:
                messages.success(request, _("Your appointment is booked."))
                return redirect("portal:appointment", code=appointment.code)
    today = timezone.localdate(moment)
    first, last = _days(request, today)
    # A lost race answers with the next free times (the booking computed them) and a link to the
    # week, not the week itself: losing a race must not cost several times what booking does.
    slots = (
        []
        if taken
        else free_slots(
            centre=centre,
            item=item,
            first=first,
            last=last,
            not_before=rules.earliest_start(moment, lead_minutes=settings.APPOINTMENT_LEAD_MINUTES),
            calendar=get_work_calendar(),
        )
    )
    linkable = linkable_for(person, item)
    context.update(
        {
            "form": form,
            "days": _by_day(slots),
            "taken": taken,
            "chosen": request.POST.get("starts_at", ""),
            "firms": firms_of_person(person=person, now=moment),
            "link_options": [
                *(
                    (
                        f"draft:{draft.public_id}",
                        _("Draft of %(date)s") % {"date": formats.date_format(draft.updated_at, "SHORT_DATE_FORMAT")}
                        + (f" · {localized(draft.firm, 'name')}" if draft.firm else ""),
                    )
                    for draft in linkable.drafts
                ),
                *((f"case:{case.number}", _("Case %(number)s") % {"number": case.number}) for case in linkable.cases),
            ],
            "first": first,
            "earlier": first - timedelta(days=DAYS_SHOWN) if first > today else None,
            "later": last + timedelta(days=1)
            if last < today + timedelta(days=settings.APPOINTMENT_HORIZON_DAYS)
            else None,
        }
    )
    status = 409 if taken else 200
    return render(request, "portal/appointment_book.html", context, status=status)


@person_required
def my_appointments(request: PersonRequest) -> HttpResponse:
    moment = now()
    rows = list(appointments_of_person(request.person)[:200])
    future = [a for a in rows if a.status == AppointmentStatus.BOOKED and a.starts_at > moment]
    future.reverse()  # soonest first
    past = [a for a in rows if a not in future]
    visits = served_visits_of(person=request.person)
    rated = rated_among(appointments=past, tickets=visits)
    return render(
        request,
        "portal/my_appointments.html",
        {"nav": "my", "future": future, "past": past, "visits": visits, "rated": rated},
    )


def _own(request: PersonRequest, code: str) -> Appointment:
    try:
        return appointment_of_person(request.person, rules.normalise_code(code))
    except NotFoundError as exc:
        raise Http404 from exc


def _qr_svg(appointment: Appointment) -> str:
    return qr_svg(appointment.code, title=_("QR code of booking code %(code)s") % {"code": appointment.code})


def _changeable(appointment: Appointment, moment: datetime) -> bool:
    return appointment.status == AppointmentStatus.BOOKED and appointment.starts_at >= rules.earliest_start(
        moment, lead_minutes=settings.APPOINTMENT_LEAD_MINUTES
    )


@person_required
def appointment_detail(request: PersonRequest, code: str) -> HttpResponse:
    appointment = _own(request, code)
    return render(
        request,
        "portal/appointment.html",
        {
            "nav": "my",
            "appointment": appointment,
            "qr_svg": _qr_svg(appointment),
            "changeable": _changeable(appointment, now()),
            # On its day the holder may take her queue ticket from her phone with the code.
            "ticket_today": appointment.status == AppointmentStatus.BOOKED
            and timezone.localdate(appointment.starts_at) == timezone.localdate(now()),
        },
    )


@require_POST
@person_required
def appointment_cancel_view(request: PersonRequest, code: str) -> HttpResponse:
    appointment = _own(request, code)
    _throttle(request)
    with domain_errors(request) as done:
        appointment_cancel(appointment=appointment, person=request.person, now=now(), actor=actor_from_request(request))
    if done:
        messages.success(request, _("Your appointment is cancelled."))
    return redirect("portal:appointment", code=appointment.code)


@person_required
def appointment_move(request: PersonRequest, code: str) -> HttpResponse:
    """Choose another time of the same service at the same centre; the old place is kept until
    the new one is held."""
    appointment = _own(request, code)
    moment = now()
    if not _changeable(appointment, moment):
        messages.error(request, _("This appointment can no longer be changed online."))
        return redirect("portal:appointment", code=appointment.code)
    form = SlotForm(request.POST or None)
    taken: list[Slot] = []
    if request.method == "POST":
        _throttle(request)
        if form.is_valid():
            with domain_errors(request, form) as done:
                try:
                    appointment_reschedule(
                        appointment=appointment,
                        person=request.person,
                        starts_at=form.cleaned_data["starts_at"],
                        now=moment,
                        actor=actor_from_request(request),
                    )
                except SlotTakenError as error:
                    taken = error.next_free
                    raise
            if done:
                messages.success(request, _("Your appointment is moved."))
                return redirect("portal:appointment", code=appointment.code)
    today = timezone.localdate(moment)
    first, last = _days(request, today)
    slots = (
        []
        if taken
        else free_slots(
            centre=appointment.centre,
            item=appointment.item,
            first=first,
            last=last,
            not_before=rules.earliest_start(moment, lead_minutes=settings.APPOINTMENT_LEAD_MINUTES),
            calendar=get_work_calendar(),
        )
    )
    return render(
        request,
        "portal/appointment_move.html",
        {
            "nav": "my",
            "appointment": appointment,
            "form": form,
            "days": _by_day(slots),
            "taken": taken,
            "chosen": request.POST.get("starts_at", ""),
            "first": first,
            "earlier": first - timedelta(days=DAYS_SHOWN) if first > today else None,
            "later": last + timedelta(days=1)
            if last < today + timedelta(days=settings.APPOINTMENT_HORIZON_DAYS)
            else None,
            "action": reverse("portal:appointment_move", args=[appointment.code]),
        },
        status=409 if taken else 200,
    )
