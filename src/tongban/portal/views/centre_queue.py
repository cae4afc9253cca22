"""The queue's public pages at a centre (ADR 0038): the kiosk (big buttons, a booking-code form,
shows the number it issued), the signed-in holder's ticket from a booking code on their phone, and
the call display with the small state endpoint it polls (strong ETag, 304 when nothing changed)."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from tongban.core.clock import now
from tongban.core.deadlines import local_date
from tongban.core.forms import TongbanForm
from tongban.core.ratelimit import enforce
from tongban.core.requests import actor_from_request
from tongban.core.web import domain_errors
from tongban.identity.models import ServiceCentre
from tongban.identity.requests import PersonRequest
from tongban.portal.decorators import person_required
from tongban.service_centres.models import Ticket, TicketSource
from tongban.service_centres.ticket_selectors import (
    centre_wait,
    display_calls,
    display_calls_by_code,
    kiosk_services,
)
from tongban.service_centres.ticket_services import ticket_from_booking, ticket_issue

#: How long the kiosk shows the number it issued (the signed link in its redirect).
KIOSK_TICKET_SECONDS = 600
#: The display's reload without JavaScript, and its polling interval with it.
DISPLAY_REFRESH_SECONDS = 15
DISPLAY_POLL_SECONDS = 3
_KIOSK_SALT = "tongban.kiosk-ticket"


class BookingCodeForm(TongbanForm):
    code = forms.CharField(
        label=_("Booking code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


def _centre(code: str) -> ServiceCentre:
    centre = ServiceCentre.objects.filter(code=code).first()
    if centre is None:
        raise Http404
    return centre


def _kiosk_ticket(token: str, centre: ServiceCentre) -> Ticket | None:
    try:
        ticket_id = signing.loads(token, salt=_KIOSK_SALT, max_age=KIOSK_TICKET_SECONDS)
    except signing.BadSignature:
        return None
    return Ticket.objects.filter(pk=ticket_id, centre=centre).first() if isinstance(ticket_id, int) else None


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, centre_code: str) -> HttpResponse:
    """The touch screen in the hall: one button per service the windows list, "another service",
    and a booking-code form; after a ticket, the page shows its number in large type."""
    centre = _centre(centre_code)
    services = kiosk_services(centre)
    intent = request.POST.get("intent", "")
    form = BookingCodeForm(request.POST if intent == "code" else None)
    if request.method == "POST":
        enforce(request, "ticket.client")
        issued: Ticket | None = None
        if intent == "code":
            if form.is_valid():
                with domain_errors(request, form):
                    issued = ticket_from_booking(
                        centre=centre,
                        code=form.cleaned_data["code"],
                        source=TicketSource.KIOSK,
                        actor=actor_from_request(request),
                        now=now(),
                    )
        else:
            chosen = request.POST.get("item", "")
            item = next((service for service in services if service.code == chosen), None)
            if chosen and item is None:
                raise Http404
            issued = ticket_issue(
                centre=centre, source=TicketSource.KIOSK, item=item, actor=actor_from_request(request), now=now()
            )
        if issued is not None:
            token = signing.dumps(issued.pk, salt=_KIOSK_SALT)
            return redirect(f"{reverse('portal:centre_kiosk', args=[centre.code])}?ticket={token}")
    shown = _kiosk_ticket(request.GET.get("ticket", ""), centre) if "ticket" in request.GET else None
    return render(
        request,
        "portal/centre_kiosk.html",
        {"centre": centre, "services": services, "form": form, "ticket": shown, "code_open": intent == "code"},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@person_required
def centre_ticket(request: PersonRequest, centre_code: str) -> HttpResponse:
    """On the visitor's phone: a ticket from their booking code (only their own booking, at this
    centre, on its day, once)."""
    centre = _centre(centre_code)
    form = BookingCodeForm(request.POST or None, initial={"code": request.GET.get("code", "")[:12]})
    if request.method == "POST":
        enforce(request, "ticket.client")
        if form.is_valid():
            with domain_errors(request, form) as done:
                ticket = ticket_from_booking(
                    centre=centre,
                    code=form.cleaned_data["code"],
                    source=TicketSource.PHONE,
                    holder=request.user,
                    actor=actor_from_request(request),
                    now=now(),
                )
            if done:
                return redirect("portal:centre_my_ticket", centre_code=centre.code, ticket_id=ticket.pk)
    return render(
        request,
        "portal/centre_ticket.html",
        {"centre": centre, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_safe
@person_required
def centre_my_ticket(request: PersonRequest, centre_code: str, ticket_id: int) -> HttpResponse:
    """The holder's ticket: its number, whether it was called and to which window."""
    ticket = (
        Ticket.objects.filter(pk=ticket_id, centre__code=centre_code, person=request.person)
        .select_related("centre", "window")
        .first()
    )
    if ticket is None:
        raise Http404
    return render(
        request,
        "portal/centre_my_ticket.html",
        {"centre": ticket.centre, "ticket": ticket, "wait": centre_wait(ticket.centre, now=now())},
    )


def _calls(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "ticket": f"{row['letter']}{row['number']:03d}",
            "window": row["window__number"] or "",
            "calls": row["calls"],
            "called_at": row["called_at"].isoformat(),
        }
        for row in rows
    ]


def display_etag(centre_code: str, day: str, rows: list[dict[str, Any]]) -> str:
    """A strong ETag of what the display shows: the newest call (its ticket, time and how often it
    was called) decides the whole list, since every call or recall becomes the newest."""
    newest = rows[0] if rows else {}
    seed = f"{centre_code}|{day}|{newest.get('id', '')}|{newest.get('called_at', '')}|{newest.get('calls', '')}"
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    return any(tag.strip() in (etag, "*") for tag in header.split(",")) if header else False


@require_safe
def display(request: HttpRequest, centre_code: str) -> HttpResponse:
    """The call display on the hall's screen: the last calls, in both languages at once."""
    centre = _centre(centre_code)
    calls = _calls(display_calls(centre_id=centre.pk, day=local_date(now())))
    return render(
        request,
        "portal/centre_display.html",
        {
            "centre": centre,
            "calls": calls,
            "refresh": DISPLAY_REFRESH_SECONDS,
            "poll": DISPLAY_POLL_SECONDS,
        },
    )


@require_safe
def display_state(request: HttpRequest, centre_code: str) -> HttpResponse:
    """What the display shows, as JSON, for its script's polling: one static indexed read (the
    centre by code in a sub-select, the last calls); 304 with no body when the client's
    ``If-None-Match`` names the current ETag."""
    day = local_date(now())
    rows = display_calls_by_code(code=centre_code, day=day)
    if rows is None:
        raise Http404
    etag = display_etag(centre_code, day.isoformat(), rows)
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = JsonResponse({"calls": _calls(rows)})
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response
